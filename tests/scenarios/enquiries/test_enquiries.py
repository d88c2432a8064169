"""`/enquiry` as the policies read: two windows from receipt, the owner's buttons, late notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.services import enquiries as service
from storage.models import AuditEvent, Enquiry, Item
from tests.conftest import SITE
from tests.helpers import block_text, buttons, dms_to, last_reply, posts_to, submit_told

RECEPTION, ALICE, BOB, CAROL, MANAGER = (
    "U0RECEPTION",
    "U0ALICE",
    "U0BOB",
    "U0CAROL",
    "U0MANAGER",
)
ALICE_M = "<@U0ALICE|alice>"
FRIDAY_3_30PM = datetime(2026, 11, 27, 15, 30, tzinfo=SITE)


def windows(fd: Embedded) -> dict[str, Item]:
    with Session(fd.engine) as session:
        return {i.kind: i for i in session.exec(select(Item))}


def press(fd: Embedded, user_id: str, dm: Any, label: str) -> None:
    (found,) = [b for b in buttons(dm) if b["text"]["text"] == label]
    fd.dispatch(
        fd.requests.block_action(
            user_id=user_id,
            action=found,
            channel_id=dm.args["channel"],
            message={"ts": dm.response["ts"], "blocks": dm.args["blocks"]},
            message_ts=dm.response["ts"],
        )
    )
    fd.settle()


def submit(fd: Embedded, user_id: str, values: dict[str, Any]) -> None:
    opened = fd.double.calls_to("views.open")[-1]
    view = opened.response["view"]
    fd.dispatch(fd.requests.view_submission(user_id=user_id, view=view, values=values))
    fd.settle()


def local(instant: datetime) -> datetime:
    return instant.astimezone(SITE)


@pytest.mark.parametrize(
    ("channel", "ack_due", "resolve_due"),
    [
        # 1 business day and 7 business days from Friday 15:30, across the weekend.
        ("email", datetime(2026, 11, 30, 15, 30), datetime(2026, 12, 8, 15, 30)),
        # A letter: 3 and 15 business days (policy 003).
        ("letter", datetime(2026, 12, 2, 15, 30), datetime(2026, 12, 18, 15, 30)),
    ],
)
def test_a_complaint_logged_friday_afternoon_is_due_in_business_days_after_the_weekend(
    fd: Embedded, channel: str, ack_due: datetime, resolve_due: datetime
) -> None:
    fd.clock.set(FRIDAY_3_30PM)
    fd.command(
        RECEPTION, "/enquiry", f"complaint via {channel} from Jane Doe for {ALICE_M}: late refund"
    )

    found = windows(fd)
    assert local(found["enquiry_ack"].due_at).replace(tzinfo=None) == ack_due
    assert local(found["enquiry_resolve"].due_at).replace(tzinfo=None) == resolve_due
    assert {i.owner_id for i in found.values()} == {ALICE}
    reply = last_reply(fd, RECEPTION)
    assert "Acknowledge by" in reply and "Resolve by" in reply
    assert f"{ack_due:%a %d %b}" in reply and f"{resolve_due:%a %d %b}" in reply
    (dm,) = dms_to(fd, ALICE)
    assert "Jane Doe" in block_text(dm)
    assert [b["text"]["text"] for b in buttons(dm)] == [
        "Acknowledged",
        "Resolved",
        "Reassign…",
        "Running late…",
        "History",
    ]


def test_without_an_owner_the_logger_has_it(fd: Embedded) -> None:
    fd.command(BOB, "/enquiry", "question via in person from Sam Roe: opening hours at Xmas?")
    assert {i.owner_id for i in windows(fd).values()} == {BOB}
    with Session(fd.engine) as session:
        (enquiry,) = session.exec(select(Enquiry))
    assert enquiry.channel == "in_person"
    assert len(dms_to(fd, BOB)) == 1


def test_acknowledged_closes_one_window_and_resolved_both(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"request via phone from Jane Doe for {ALICE_M}: a copy")
    dm = dms_to(fd, ALICE)[0]
    press(fd, ALICE, dm, "Acknowledged")
    submit_told(fd, ALICE, medium="phone")
    found = windows(fd)
    assert (found["enquiry_ack"].state, found["enquiry_resolve"].state) == ("done", "open")
    updated = fd.double.calls_to("chat.update")[-1]
    assert "Acknowledged" not in [b["text"]["text"] for b in buttons(updated)]
    press(fd, ALICE, dm, "Resolved")
    submit_told(fd, ALICE, medium="phone", outcome="Copy posted")
    assert {i.state for i in windows(fd).values()} == {"done"}
    assert windows(fd)["enquiry_resolve"].outcome == "resolved"


def test_reassign_moves_both_windows_and_the_clock_runs_on(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    before = windows(fd)
    fd.clock.advance(timedelta(hours=1))
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Reassign…")
    submit(fd, ALICE, {"owner": {"value": {"type": "users_select", "selected_user": BOB}}})
    after = windows(fd)
    assert {i.owner_id for i in after.values()} == {BOB}
    assert [after[k].due_at for k in after] == [before[k].due_at for k in after]
    assert len(dms_to(fd, BOB)) == 1 and "Passed to you by" in block_text(dms_to(fd, BOB)[0])


def test_running_late_records_the_new_date_and_the_managers_see_it(fd: Embedded) -> None:
    fd.clock.set(FRIDAY_3_30PM)
    fd.command(
        RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: lost form"
    )
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Running late…")
    submit(
        fd,
        ALICE,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "2027-01-08"}},
            "reason": {"value": {"type": "plain_text_input", "value": "Waiting on the archive"}},
        },
    )
    resolve = windows(fd)["enquiry_resolve"]
    # The close of business on the new date, in site time.
    assert local(resolve.due_at) == datetime(2027, 1, 8, 17, 0, tzinfo=SITE)
    assert resolve.revised_reason == "Waiting on the archive"
    (notice,) = posts_to(fd, "C0MGRS")
    assert "Running late" in block_text(notice) and "Waiting on the archive" in block_text(notice)
    assert "Jan" in block_text(notice)
    tell = dms_to(fd, ALICE)[-1]
    assert "Please tell *Jane Doe*" in block_text(tell)
    with Session(fd.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "revised" in actions and "late_notice" in actions


def test_running_late_refuses_a_date_before_the_deadline(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    before = windows(fd)["enquiry_resolve"].due_at
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Running late…")
    submit(
        fd,
        ALICE,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-11-25"}},
            "reason": {"value": {"type": "plain_text_input", "value": "busy"}},
        },
    )
    assert windows(fd)["enquiry_resolve"].due_at == before
    assert posts_to(fd, "C0MGRS") == []


def test_history_shows_who_created_reassigned_and_acknowledged(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Acknowledged")
    submit_told(fd, ALICE)
    press(fd, ALICE, dms_to(fd, ALICE)[0], "History")
    shown = block_text(fd.double.calls_to("response_url")[-1])
    assert "<@U0RECEPTION> logged it" in shown
    assert "<@U0ALICE> acknowledged it" in shown


def test_the_form_logs_the_same_enquiry(fd: Embedded) -> None:
    fd.command(CAROL, "/enquiry", "")
    submit(
        fd,
        CAROL,
        {
            "kind": {"value": {"type": "static_select", "selected_option": {"value": "request"}}},
            "channel": {"value": {"type": "static_select", "selected_option": {"value": "social"}}},
            "from_name": {"value": {"type": "plain_text_input", "value": "Lee Park"}},
            "owner": {"value": {"type": "users_select", "selected_user": None}},
            "summary": {"value": {"type": "plain_text_input", "value": "Room booking"}},
        },
    )
    assert {i.owner_id for i in windows(fd).values()} == {CAROL}
    assert "Logged" in last_reply(fd, CAROL)


def test_describe_item_gives_the_sweep_display_fields_without_contact_details(
    fd: Embedded,
) -> None:
    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via phone from Jane Doe for {ALICE_M}: call me on 416-555-0100 or j@x.org",
    )
    with Session(fd.engine) as session:
        ack = session.exec(select(Item).where(Item.kind == "enquiry_ack")).one()
        described = service.describe_item(session, ack)
    assert described["kind"] == "complaint" and described["from_name"] == "Jane Doe"
    assert described["stage"] == "acknowledge"
    assert "416" not in described["summary"] and "j@x.org" not in described["summary"]


BAD_INPUT = [
    ("praise via email from X: hi", "`praise` is not a kind of enquiry here: use complaint,"),
    ("complaint from X: hi", "via letter from"),
    ("complaint via fax from X: hi", "`fax` is not a channel here: use phone, email,"),
    ("complaint via email from Jo [prefers fax]: hi", "`fax` is not a medium here"),
    ("complaint via email from Jane Doe", "What is it about?"),
    ("complaint via email from : hi", "Give the name"),
    ("complaint via email from Jane <@U0BOB|bob> x: hi", "for @someone"),
    ("complaint via email from Jane for <@U0NOBODY|ghost>: hi", "not someone I can find"),
]


@pytest.mark.parametrize(("text", "error"), BAD_INPUT)
def test_bad_input_gets_the_right_form_and_stores_nothing(
    fd: Embedded, text: str, error: str
) -> None:
    fd.command(BOB, "/enquiry", text)
    reply = last_reply(fd, BOB)
    assert error.lower() in reply.lower()
    assert "/enquiry" in reply
    with Session(fd.engine) as session:
        assert list(session.exec(select(Enquiry))) == []


def test_an_enquiry_reminder_lets_the_owner_acknowledge_from_it(fd: Embedded) -> None:
    from tests.time_helpers import advance

    fd.command(
        "U0RECEPTION",
        "/enquiry",
        "question via email from Lee Wong for <@U0CAROL|carol>: opening hours",
    )
    advance(fd, "7 business hours")
    carol_dm = fd.double.dm_channel("U0CAROL")
    due_soon = [
        c
        for c in fd.double.calls_to("chat.postMessage")
        if c.args.get("channel") == carol_dm
        and "Due soon" in str(c.args.get("text", "")) + str(c.args.get("blocks"))
    ]
    assert due_soon, "no due-soon reminder"
    labels = [
        e["text"]["text"]
        for b in due_soon[0].args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert "Acknowledged" in labels
    ack = next(
        e
        for b in due_soon[0].args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Acknowledged"
    )
    fd.dispatch(
        fd.requests.block_action(
            user_id="U0CAROL",
            action=ack,
            channel_id=carol_dm,
            message={"ts": due_soon[0].response["ts"], "blocks": due_soon[0].args["blocks"]},
            message_ts=due_soon[0].response["ts"],
        )
    )
    fd.settle()
    submit_told(fd, "U0CAROL")
    with Session(fd.engine) as session:
        states = {i.kind: i.state for i in session.exec(select(Item))}
    assert states["enquiry_ack"] == "done" and states["enquiry_resolve"] != "done"
