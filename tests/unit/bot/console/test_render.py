"""The console shows Block Kit as text a person can read, in their own time zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.console.render import Button, render_message, render_mrkdwn, render_view

LONDON = ZoneInfo("Europe/London")
TORONTO = ZoneInfo("America/Toronto")
NAMES = {"U0ALICE": "alice", "U0BOB": "bob"}


def user_name(user_id: str) -> str:
    return NAMES.get(user_id, user_id)


def mrkdwn(text: str, tz: ZoneInfo = LONDON) -> str:
    return render_mrkdwn(text, viewer_tz=tz, user_name=user_name)


def button(label: str, action_id: str, value: str | None = None, **extra: Any) -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": label}}
    element["action_id"] = action_id
    if value is not None:
        element["value"] = value
    return element | extra


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words", "plain words"),
        ("<@U0ALICE>", "@alice"),
        ("<@U0ALICE|whoever>, meet <@U0BOB>", "@alice, meet @bob"),
        ("<@U0NOBODY>", "@U0NOBODY"),
        ("<#C0DESK|front-desk>", "#front-desk"),
        ("<#C0DESK>", "#C0DESK"),
        ("<!channel> and <!here>", "@channel and @here"),
        ("<!subteam^S0MGR|@managers>", "@managers"),
        ("<https://example.com|the site>", "the site (https://example.com)"),
        ("<https://example.com>", "https://example.com"),
        ("AT&amp;T &lt;Ltd&gt;", "AT&T <Ltd>"),
        ("&amp;lt; stays escaped once", "&lt; stays escaped once"),
        ("*bold* and _italic_", "*bold* and _italic_"),
        ("<https://x.test/?a=1&amp;b=2|A &amp; B>", "A & B (https://x.test/?a=1&b=2)"),
    ],
)
def test_mrkdwn_reads_as_a_person_sees_it(text: str, shown: str) -> None:
    assert mrkdwn(text) == shown


FRI_1630_UTC = 1764347400  # Friday 28 November 2025, 16:30 UTC


@pytest.mark.parametrize(
    ("fmt", "tz", "shown"),
    [
        ("{date_short_pretty} at {time}", LONDON, "Fri 28 Nov at 16:30"),
        ("{date_short_pretty} at {time}", TORONTO, "Fri 28 Nov at 11:30"),
        ("{date_short_pretty} at {time}", ZoneInfo("Asia/Tokyo"), "Sat 29 Nov at 01:30"),
        ("{date_short}", LONDON, "Fri 28 Nov 2025"),
        ("{date}", LONDON, "28 November 2025"),
        ("{date_pretty}", LONDON, "28 November 2025"),
        ("{date_long}", LONDON, "Friday 28 November 2025"),
        ("{date_long_pretty}", LONDON, "Friday 28 November 2025"),
        ("{date_num} {time_secs}", LONDON, "2025-11-28 16:30:00"),
        ("due {time} ({unknown})", LONDON, "due 16:30 ({unknown})"),
    ],
)
def test_dates_show_in_the_viewers_zone(fmt: str, tz: ZoneInfo, shown: str) -> None:
    assert mrkdwn(f"<!date^{FRI_1630_UTC}^{fmt}|28 Nov 16:30 UTC>", tz) == shown


def test_dates_follow_daylight_saving() -> None:
    july = 1783009800  # 2026-07-02 16:30 UTC: Toronto is on EDT, UTC-4
    assert mrkdwn(f"<!date^{july}^{{time}}|x>", TORONTO) == "12:30"


def test_a_date_with_a_link_still_shows_the_date() -> None:
    text = f"<!date^{FRI_1630_UTC}^{{time}}^https://example.com|fallback>"
    assert mrkdwn(text) == "16:30"


def test_an_unreadable_date_shows_its_fallback() -> None:
    assert mrkdwn("<!date^soon^{time}|about 4pm &amp; later>") == "about 4pm & later"


def render(blocks: list[dict[str, Any]] | None, text: str | None = None, first: int = 1) -> Any:
    return render_message(
        text, blocks, viewer_tz=LONDON, user_name=user_name, first_button_number=first
    )


def test_a_message_without_blocks_falls_back_to_its_text() -> None:
    rendered = render(None, "Hello <@U0ALICE>\nsecond line")
    assert rendered.lines == ["Hello @alice", "second line"]
    assert rendered.buttons == []


@pytest.mark.parametrize(
    ("block", "lines"),
    [
        ({"type": "header", "text": {"type": "plain_text", "text": "Visitor"}}, ["== Visitor =="]),
        ({"type": "divider"}, ["────"]),
        (
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Ann* for <@U0BOB>"}},
            ["*Ann* for @bob"],
        ),
        (
            {"type": "section", "text": {"type": "plain_text", "text": "<@U0BOB> as typed"}},
            ["<@U0BOB> as typed"],
        ),
        (
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Caller*\nAnn"},
                    {"type": "mrkdwn", "text": "*From*\nAT&amp;T"},
                ],
            },
            ["  *Caller* Ann", "  *From* AT&T"],
        ),
        (
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "Pass V-014"},
                    {"type": "plain_text", "text": "logged by reception"},
                ],
            },
            ["  Pass V-014  logged by reception"],
        ),
        (
            {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "chart"},
            ["[image: chart]"],
        ),
        (
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": "Hi "},
                            {"type": "user", "user_id": "U0ALICE"},
                        ],
                    },
                    {
                        "type": "rich_text_list",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "text", "text": "one"}],
                            }
                        ],
                    },
                ],
            },
            ["Hi @alice", "• one"],
        ),
    ],
)
def test_each_block_type_reads_as_text(block: dict[str, Any], lines: list[str]) -> None:
    assert render([block]).lines == lines


def test_buttons_are_numbered_across_the_message_from_the_given_number() -> None:
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "visit",
            "text": {"type": "mrkdwn", "text": "Ann is here"},
            "accessory": button("Details", "details", "7"),
        },
        {
            "type": "actions",
            "block_id": "answer",
            "elements": [
                button("On my way", "on_my_way", "7", style="primary"),
                button("Please ask them to wait", "ask_to_wait", "7"),
            ],
        },
    ]
    rendered = render(blocks, first=4)
    assert rendered.lines == [
        "Ann is here",
        "  [4] Details",
        "[5] On my way   [6] Please ask them to wait",
    ]
    assert rendered.buttons[1] == Button(
        label="On my way",
        action_id="on_my_way",
        value="7",
        block_id="answer",
        style="primary",
        url=None,
    )
    assert [b.action_id for b in rendered.buttons] == ["details", "on_my_way", "ask_to_wait"]


def test_select_options_are_numbered_and_a_user_picker_shows_its_placeholder() -> None:
    option = {"text": {"type": "plain_text", "text": "Tomorrow"}, "value": "tomorrow"}
    blocks = [
        {
            "type": "actions",
            "block_id": "late",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "new_due",
                    "placeholder": {"type": "plain_text", "text": "Due"},
                    "options": [
                        {"text": {"type": "plain_text", "text": "In an hour"}, "value": "1h"},
                        option,
                    ],
                },
                {
                    "type": "users_select",
                    "action_id": "reassign",
                    "placeholder": {"type": "plain_text", "text": "Reassign to"},
                },
            ],
        }
    ]
    rendered = render(blocks)
    assert rendered.lines == ["Due: [1] In an hour [2] Tomorrow   [3] Reassign to…"]
    assert rendered.buttons[1].value == "tomorrow"
    assert rendered.buttons[1].kind == "static_select"
    assert rendered.buttons[2].kind == "users_select"
    assert rendered.buttons[2].value is None


def test_a_modal_shows_its_title_inputs_and_submit() -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Take a message"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "caller",
                "label": {"type": "plain_text", "text": "Caller"},
                "element": {"type": "plain_text_input", "action_id": "caller"},
            },
            {
                "type": "input",
                "block_id": "for",
                "label": {"type": "plain_text", "text": "For"},
                "element": {"type": "users_select", "action_id": "for"},
            },
            {
                "type": "input",
                "block_id": "urgent",
                "optional": True,
                "label": {"type": "plain_text", "text": "Urgent"},
                "element": {
                    "type": "checkboxes",
                    "action_id": "urgent",
                    "options": [{"text": {"type": "plain_text", "text": "Urgent"}, "value": "y"}],
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "label": {"type": "plain_text", "text": "Message"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "initial_value": "Call back",
                },
            },
        ],
    }
    rendered = render_view(view, viewer_tz=LONDON, user_name=user_name)
    assert rendered.lines == [
        "=== Take a message ===",
        "  Caller (caller): ____  [text]",
        "  For (for): ____  [a person]",
        "  Urgent (urgent): ____  [any of: Urgent] (optional)",
        "  Message (note): Call back  [text, several lines]",
        "(submit: Send · close: Cancel)",
    ]
    assert rendered.buttons == []


def test_a_home_tab_has_no_title_line_and_numbers_its_buttons() -> None:
    view = {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "My desk"}},
            {"type": "actions", "elements": [button("Called back", "called_back", "12")]},
        ],
    }
    rendered = render_view(view, viewer_tz=LONDON, user_name=user_name, first_button_number=9)
    assert rendered.lines == ["== My desk ==", "[9] Called back"]
    assert rendered.buttons[0].block_id is None
