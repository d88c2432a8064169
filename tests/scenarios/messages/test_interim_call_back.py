"""A phone message's interim call back (DESIGN "Enquiries: the customer's side"): the owner
tells the caller when to expect a full answer; how and what was said are recorded, the
message's deadline moves to that day with its own reminders, and History and Home show it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.clock import ManualClock
from bot.domain.config import parse_policy
from storage.migrate import is_current, upgrade
from storage.models import CustomerReply, Item
from tests.conftest import SITE, TUESDAY_3PM, example_policy_text, start_on_test_clock
from tests.helpers import block_text, buttons, dms_to, last_reply, press, submit_told
from tests.time_helpers import advance_to, alerts

RECEPTION, ALICE, MANAGER = "U0RECEPTION", "U0ALICE", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
FRIDAY = "2026-11-27"
FRIDAY_CLOSE = datetime(2026, 11, 27, 17, tzinfo=SITE)


def item(fd: Embedded) -> Item:
    with Session(fd.engine) as session:
        (found,) = session.exec(select(Item))
        return found


def replies(fd: Embedded) -> list[CustomerReply]:
    with Session(fd.engine) as session:
        return list(session.exec(select(CustomerReply).order_by(CustomerReply.id)))  # type: ignore[arg-type]


def opened_form(fd: Embedded) -> dict[str, Any]:
    return fd.double.calls_to("views.open")[-1].response["view"]


def said_in(view: dict[str, Any]) -> str:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "said"]
    return str(block["element"].get("initial_value", ""))


def take_message(fd: Embedded) -> Any:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: about the invoice")
    return dms_to(fd, ALICE)[0]


def test_an_interim_call_back_records_what_was_said_and_moves_the_deadline(fd: Embedded) -> None:
    dm = take_message(fd)
    labels = [b["text"]["text"] for b in buttons(dm)]
    assert labels == [
        "Called back",
        "Tried — no answer",
        "Interim call back…",
        "Reassign…",
        "History",
    ]
    press(fd, ALICE, dm, "Interim call back…")
    view = opened_form(fd)
    # The template, filled for this caller and owner, ready to copy.
    assert said_in(view).startswith("Dear Jane Doe, thank you for your call. Alice Adams is")
    assert item(fd).due_at == datetime(2026, 11, 25, 15, tzinfo=SITE)  # nothing moved yet
    submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    moved = item(fd)
    assert moved.due_at == FRIDAY_CLOSE and moved.state == "open"
    (reply,) = replies(fd)
    assert (reply.message_id, reply.enquiry_id, reply.stage, reply.medium) == (
        moved.message_id,
        None,
        "interim",
        "phone",
    )
    assert reply.expect_by is not None and reply.expect_by.isoformat() == FRIDAY
    # The text left as filled in is recorded with the day chosen.
    assert reply.said is not None and "full answer by Friday 27 November 2026" in reply.said
    # The DM the button was in now says what was promised, and keeps its buttons.
    (update,) = fd.double.calls_to("chat.update")
    assert "full answer promised by" in block_text(update)
    assert "Called back" in [b["text"]["text"] for b in buttons(update)]


def test_the_promised_day_gets_its_own_reminder_and_no_alert_for_the_first_deadline(
    fd: Embedded,
) -> None:
    dm = take_message(fd)
    press(fd, ALICE, dm, "Interim call back…")
    submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    advance_to(fd, datetime(2026, 11, 26, 16, tzinfo=SITE))  # past Wednesday's call-back time
    assert alerts(fd) == []
    advance_to(fd, datetime(2026, 11, 27, 16, tzinfo=SITE))
    reminders = [d for d in dms_to(fd, ALICE) if "Due soon" in block_text(d)]
    assert len(reminders) == 1
    advance_to(fd, datetime(2026, 11, 27, 17, 30, tzinfo=SITE))
    assert len(alerts(fd)) == 1  # the promise broken is a breach like any other


def test_history_and_home_show_the_interim_call_back(fd: Embedded) -> None:
    dm = take_message(fd)
    press(fd, ALICE, dm, "Interim call back…")
    submit_told(
        fd, ALICE, medium="email", said="Told Jane: Friday, after the audit.", expect_by=FRIDAY
    )
    press(fd, ALICE, dm, "History")
    shown = last_reply(fd, ALICE)
    assert "History" in shown and "took the message" in shown and "moved the deadline" in shown
    assert "customer told by email; told to expect a full answer by Fri 27 Nov 2026" in shown
    assert "Told Jane: Friday, after the audit." in shown
    fd.dispatch(fd.requests.event({"type": "app_home_opened", "user": ALICE, "tab": "home"}))
    fd.settle()
    home = fd.double.home_view(ALICE)
    assert home is not None
    assert "Called back; full answer promised by" in block_text({"blocks": home["blocks"]})


def test_the_home_button_opens_the_same_form(fd: Embedded) -> None:
    take_message(fd)
    fd.dispatch(fd.requests.event({"type": "app_home_opened", "user": ALICE, "tab": "home"}))
    fd.settle()
    home = fd.double.home_view(ALICE)
    assert home is not None
    (interim,) = [b for b in buttons({"blocks": home["blocks"]}) if "Interim" in b["text"]["text"]]
    assert interim["action_id"] == f"message_interim_{item(fd).id}"
    fd.dispatch(fd.requests.block_action(user_id=ALICE, action=interim, channel_id="", view=home))
    fd.settle()
    submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    assert item(fd).due_at == FRIDAY_CLOSE


def test_the_same_promise_twice_is_noted_once(fd: Embedded) -> None:
    dm = take_message(fd)
    press(fd, ALICE, dm, "Interim call back…")
    submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    version = item(fd).deadline_version
    press(fd, ALICE, dm, "Interim call back…")
    response = submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    assert "Already noted" in (response.body or "")
    assert len(replies(fd)) == 1 and item(fd).deadline_version == version


def test_a_past_or_closed_day_is_refused_beside_the_date_and_nothing_changes(
    fd: Embedded,
) -> None:
    dm = take_message(fd)
    for day, says in (("2026-11-23", "has passed"), ("2026-11-28", "not a working day")):
        press(fd, ALICE, dm, "Interim call back…")
        response = submit_told(fd, ALICE, medium="phone", expect_by=day)
        assert "expect_by" in (response.body or "") and says in (response.body or "")
    assert replies(fd) == [] and item(fd).deadline_version == 1


def test_only_the_owner_or_a_manager_may_and_not_once_it_is_done(fd: Embedded) -> None:
    dm = take_message(fd)
    fd.dispatch(
        fd.requests.block_action(
            user_id="U0BOB",
            action=[b for b in buttons(dm) if b["text"]["text"] == "Interim call back…"][0],
            channel_id=dm.response["channel"],
            message={"ts": dm.response["ts"], "blocks": dm.args["blocks"]},
            message_ts=dm.response["ts"],
        )
    )
    fd.settle()
    assert "Only <@U0ALICE>" in last_reply(fd, "U0BOB")
    press(fd, ALICE, dm, "Called back")
    opened = len(fd.double.calls_to("views.open"))
    press(fd, ALICE, dm, "Interim call back…")
    assert len(fd.double.calls_to("views.open")) == opened  # no form
    assert "already called back" in last_reply(fd, ALICE)


def test_forgetting_the_caller_clears_what_they_were_told(fd: Embedded) -> None:
    dm = take_message(fd)
    press(fd, ALICE, dm, "Interim call back…")
    submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
    fd.command(MANAGER, "/desk", "forget Jane Doe")
    (reply,) = replies(fd)
    assert reply.said is None and reply.expect_by is not None  # the date stays for the record


def test_a_message_template_of_its_own_is_used(engine: Engine) -> None:
    extra = '[templates.kind.message]\ninterim = "Hello {customer}, by {revised_by}: {owner}"\n'
    policy = parse_policy(example_policy_text() + "\n" + extra, "test.toml")
    fd = start_on_test_clock(engine=engine, policy=policy, clock=ManualClock(TUESDAY_3PM))
    try:
        press(fd, ALICE, take_message(fd), "Interim call back…")
        assert said_in(opened_form(fd)).startswith("Hello Jane Doe, by Wednesday 25 November 2026")
        submit_told(fd, ALICE, medium="phone", expect_by=FRIDAY)
        assert replies(fd)[0].said == "Hello Jane Doe, by Friday 27 November 2026: Alice Adams"
    finally:
        fd.close()


def test_upgrading_keeps_the_enquiries_replies_and_takes_a_messages(empty_engine: Engine) -> None:
    at = datetime(2026, 11, 23, 15, tzinfo=SITE)
    upgrade(empty_engine, "0006")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO enquiry (kind, channel, from_name, summary, logged_by, received_at,"
                " anonymised, ref) VALUES ('complaint', 'letter', 'Jane', 'x', 'U0DESK', :at,"
                " false, 'E-0001')"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                'INSERT INTO customerreply (enquiry_id, stage, told, medium, said, "by", at)'
                " VALUES (1, 'acknowledge', true, 'letter', 'Dear Jane', 'U0ALICE', :at)"
            ),
            {"at": at},
        )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.begin() as connection:
        rows = connection.execute(
            text("SELECT enquiry_id, message_id, stage, said FROM customerreply")
        ).all()
        assert [tuple(r) for r in rows] == [(1, None, "acknowledge", "Dear Jane")]
        connection.execute(
            text(
                "INSERT INTO phonemessage (caller, phone_valid, urgent, taken_by, taken_at,"
                " anonymised) VALUES ('Sam', true, false, 'U0DESK', :at, false)"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                'INSERT INTO customerreply (message_id, stage, told, "by", at)'
                " VALUES (1, 'interim', true, 'U0ALICE', :at)"
            ),
            {"at": at},
        )
        count = connection.execute(text("SELECT count(*) FROM customerreply")).scalar()
        assert count == 2
