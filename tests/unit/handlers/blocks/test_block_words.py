"""Small things the builders say: counts, outcomes, when an incident happened, typed mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.domain.services.board import Board
from handlers.blocks import closing, enquiries, incidents, messages, ooo, visitors
from handlers.blocks.common import outcome_words
from tests.helpers import roll_call_posts

SITE = ZoneInfo("America/Toronto")
AT = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def _visitor(n: int) -> SimpleNamespace:
    return SimpleNamespace(id=n, name=f"Guest {n}", pass_number=f"V-00{n}", host_id="U0ALICE")


@pytest.mark.parametrize(("count", "said"), [(1, "1 visitor)"), (2, "2 visitors)")])
def test_a_roll_call_with_one_visitor_on_site_says_1_visitor(count: int, said: str) -> None:
    posts = roll_call_posts(Board(), {}, [_visitor(n) for n in range(1, count + 1)], AT, SITE)
    assert said in json.dumps(posts[0])


@pytest.mark.parametrize(("count", "said"), [(1, "1 visitor still"), (3, "3 visitors still")])
def test_the_closing_list_with_one_visitor_left_says_1_visitor(count: int, said: str) -> None:
    listed = [
        {"visit_id": n, "name": f"Guest {n}", "host_id": "U0ALICE", "pass_number": f"V-00{n}"}
        for n in range(count)
    ]
    fallback, blocks = closing.closing_post(
        {"closing_at": AT.isoformat(), "visitors": listed}, SITE
    )
    assert said in fallback and said in json.dumps(blocks, ensure_ascii=False)
    assert "(s)" not in fallback


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("called_back", "called back"),
        ("visitor_left", "signed out"),
        ("host_send_someone", "answered: send someone"),
        ("something_new", "something new"),
        (None, "done"),
    ],
)
def test_pressing_a_button_on_a_finished_item_names_what_happened_in_words(
    outcome: str | None, words: str
) -> None:
    assert outcome_words(outcome) == words


def test_a_message_answered_some_other_way_says_so_in_words() -> None:
    _, blocks = messages.answered_dm("Sam Roe", None, "visitor_left")
    assert "signed out" in json.dumps(blocks) and "visitor_left" not in json.dumps(blocks)


def test_an_incident_whose_when_was_read_as_an_instant_shows_it_as_a_date() -> None:
    params = {
        "incident_id": 4,
        "reported_by": "U0ALICE",
        "occurred": "yesterday 3pm",
        "occurred_at": AT.isoformat(),
        "what": "Shouting",
    }
    _, blocks = incidents.notice(params, SITE)
    text = json.dumps(blocks)
    assert f"<!date^{int(AT.timestamp())}^" in text and "yesterday 3pm" in text


def test_a_mention_typed_in_a_visitors_note_shows_as_the_persons_name() -> None:
    params = {
        "visit_id": 1,
        "name": "Kim Lee",
        "host_id": "U0ALICE",
        "pass_number": "V-001",
        "note": "meeting with <@U0BOB|bob> too",
    }
    _, blocks = visitors.arrival_dm(params, SITE)
    text = json.dumps(blocks)
    assert "meeting with @bob too" in text and "&lt;@" not in text


def test_a_visitor_here_since_another_day_is_listed_with_the_day_they_came() -> None:
    since = SimpleNamespace(
        id=1, name="Kim Lee", organisation=None, pass_number="V-001", host_id="U0ALICE"
    )
    since.arrived_at = AT
    (block,) = visitors.on_site_list([since], SITE, with_organisations=False)
    assert "{date_short_pretty} at {time}" in json.dumps(block)
    _, blocks = closing.closing_post(
        {
            "closing_at": AT.isoformat(),
            "visitors": [
                {"visit_id": 1, "name": "Kim", "host_id": "U0A", "arrived_at": AT.isoformat()}
            ],
        },
        SITE,
    )
    assert "{date_short_pretty} at {time}" in json.dumps(blocks)


@pytest.mark.parametrize(
    ("count", "backup", "said"),
    [
        (1, "U0BOB", "Your 1 open item went to <@U0BOB>"),
        (3, None, "Your 3 open items went to the desk channel"),
    ],
)
def test_going_away_says_where_your_open_items_went(
    count: int, backup: str | None, said: str
) -> None:
    text = ooo.set_reply(
        until=AT,
        tz=SITE,
        backup_id=backup,
        note=None,
        replaced=False,
        backup_reminder=False,
        backup_away_until=None,
        moved_to_working_day=False,
        handed_over=count,
        handed_to=backup,
    )
    assert said in text


def test_ooo_back_monday_while_away_says_the_return_moved() -> None:
    assert "Changed: you are out of office until" in ooo.moved_return_reply(AT, SITE)


@pytest.mark.parametrize(
    ("channel", "icon", "not_icon"),
    [("email", ":email:", ":telephone_receiver:"), ("phone", ":telephone_receiver:", ":email:")],
)
def test_a_late_notice_for_an_e_mailed_complaint_shows_no_telephone(
    channel: str, icon: str, not_icon: str
) -> None:
    params = {
        "kind": "complaint",
        "channel": channel,
        "from_name": "Jo Park",
        "resolve_due": AT.isoformat(),
    }
    text, blocks = enquiries.late_owner(params, SITE)
    shown = json.dumps(blocks)
    assert icon in shown and not_icon not in shown


@pytest.mark.parametrize(
    ("more", "said"),
    [(10, "lists them all"), (60, "lists the first 40")],
)
def test_the_home_tab_says_what_desk_mine_will_list(more: int, said: str) -> None:
    from bot.domain.services.board import Status
    from bot.domain.services.my_desk import MyDesk
    from handlers.blocks.home import home_view

    desk = MyDesk(
        user_id="U0ALICE", status=Status("U0ALICE", "in"), items=[], more_items=more, expected=[]
    )
    assert said in json.dumps(home_view(desk, SITE, now=AT))
