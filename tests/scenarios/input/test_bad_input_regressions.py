"""Plain regression tests for what the bad-input properties found
(tests/scenarios/input/test_bad_input_properties.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.console.embedded import Embedded
from tests.helpers import last_reply

RECEPTION = "U0RECEPTION"


def test_the_visitor_form_opens(fd: Embedded) -> None:
    """Its inputs each have their own action_id (Slack refuses a view that repeats one)."""
    fd.command(RECEPTION, "/visitor", "")
    opened = fd.double.calls_to("views.open", include_failed=True)
    assert [call.ok for call in opened] == [True], opened[-1].response
    view = opened[0].args["view"]
    action_ids = [block["element"]["action_id"] for block in view["blocks"]]
    assert len(set(action_ids)) == len(action_ids)


def _raw_angles(text: str) -> list[str]:
    """`<…>` in a reply that is not a Slack token the bot means (mention, channel, date)."""
    return [t for t in re.findall(r"<[^>]*>", text) if not re.match(r"<(@U|#C|!date\^)", t)]


@pytest.mark.parametrize(
    ("command", "text"),
    [("/message", "help"), ("/ooo", "help"), ("/enquiry", "help"), ("/ooo", ""), ("/desk", "help")],
)
def test_help_shows_its_placeholders_escaped(fd: Embedded, command: str, text: str) -> None:
    """`<when>` sent raw is read by Slack as a link; help shows `&lt;when&gt;`."""
    fd.command("U0ALICE", command, text)
    reply = last_reply(fd, "U0ALICE")
    assert "&lt;" in reply
    assert _raw_angles(reply) == []


def test_the_home_tab_shows_its_placeholders_escaped(fd: Embedded) -> None:
    fd.command("U0ALICE", "/desk", "in")
    published = fd.double.calls_to("views.publish")
    assert published
    shown = json.dumps(published[-1].args["view"])
    assert "&lt;when&gt;" in shown
    assert "<when>" not in shown


@pytest.mark.parametrize(
    ("user", "command", "text"),
    [
        (RECEPTION, "/visitor", "arrived Jane Doe for <@U0NOBODY|nobody>"),
        (RECEPTION, "/message", "<@U0NOBODY|nobody> Jane Doe: call back"),
        (RECEPTION, "/enquiry", "question via phone from Jane Doe for <@U0NOBODY|nobody>: hours?"),
        ("U0ALICE", "/ooo", "until next Friday backup <@U0NOBODY|nobody>"),
    ],
)
def test_an_unknown_person_is_named_not_mentioned(
    fd: Embedded, user: str, command: str, text: str
) -> None:
    """Only ids the bot has validated come back as `<@U…>`."""
    fd.command(user, command, text)
    reply = last_reply(fd, user)
    assert "`U0NOBODY` is not someone I can find" in reply
    assert "<@U0NOBODY" not in reply


@pytest.mark.parametrize(
    ("user", "command", "text"),
    [
        ("U0MANAGER", "/desk", "<!channel>"),
        ("U0MANAGER", "/desk", "&lt;b&gt;"),
        (RECEPTION, "/enquiry", "<!here> via phone from Jane: x"),
        (RECEPTION, "/enquiry", "&lt;b&gt; via phone from Jane: x"),
        (RECEPTION, "/enquiry", "question via phone from Jane"),
        (RECEPTION, "/visitor", "expect Jane Doe for <@U0ALICE|alice> &lt;b&gt;"),
        (RECEPTION, "/visitor", "expect Jane Doe for <@U0ALICE|alice> <!everyone>"),
        ("U0MANAGER", "/desk", "report <!channel>"),
        ("U0MANAGER", "/desk", "report &lt;b&gt;"),
    ],
)
def test_an_error_reply_escapes_what_was_typed(
    fd: Embedded, user: str, command: str, text: str
) -> None:
    """An unknown verb, kind, date or period is echoed escaped: `<!channel>` pings nobody."""
    fd.command(user, command, text)
    reply = last_reply(fd, user)
    assert reply.startswith(":warning:")
    assert "<!" not in reply
    assert _raw_angles(reply) == []


def test_control_characters_are_dropped_from_what_is_stored(fd: Embedded) -> None:
    """PostgreSQL refuses a NUL in text: a name typed with one is stored without it."""
    fd.command(RECEPTION, "/visitor", "arrived Ja\x00ne\x07 Doe for <@U0ALICE|alice>")
    assert last_reply(fd, RECEPTION).startswith(":white_check_mark: *Jane Doe* signed in")


def test_control_characters_are_dropped_from_a_form(fd: Embedded) -> None:
    from handlers.views.visitor_form import form_view

    def typed(text: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": text}

    values = {
        "name": {"name": typed("Ja\x00ne Doe")},
        "organisation": {"organisation": typed("Ac\x00me\x1b")},
        "host": {"host": {"type": "users_select", "selected_user": "U0ALICE"}},
        "note": {"note": typed(None)},  # type: ignore[arg-type]
    }
    fd.dispatch(
        fd.requests.view_submission(user_id=RECEPTION, view=form_view("C0DESK"), values=values)
    )
    fd.settle()
    assert ":white_check_mark: *Jane Doe* (Acme) signed in" in last_reply(fd, RECEPTION)


def test_running_late_takes_a_reason_as_long_as_its_form_allows(fd: Embedded) -> None:
    """The audit line ("<new due>: <reason>") is cut to its column, not refused by PostgreSQL."""
    from sqlmodel import Session, select

    from handlers.views.enquiry_followup import Where, late_view
    from storage.models import AuditEvent, Enquiry

    fd.command("U0BOB", "/enquiry", "complaint via letter from Jane Doe for <@U0ALICE|alice>: late")
    with Session(fd.engine) as session:
        enquiry_id = session.exec(select(Enquiry)).one().id
    view = late_view(Where(int(enquiry_id or 0), "", ""))
    reason = "&" * 1000  # the form's max_length
    values = {
        "date": {"date": {"type": "datepicker", "selected_date": "2026-12-31"}},
        "reason": {"reason": {"type": "plain_text_input", "value": reason}},
    }
    response = fd.dispatch(fd.requests.view_submission(user_id="U0ALICE", view=view, values=values))
    fd.settle()
    assert response.status == 200 and '"response_action": "update"' in response.body  # saved
    with Session(fd.engine) as session:
        details = [e.detail or "" for e in session.exec(select(AuditEvent)).all()]
    assert any(d.startswith("2026-12-31") and d.endswith("&&&") for d in details)
    assert max(len(d) for d in details) <= 1000
