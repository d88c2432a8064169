"""`/message`: the receptionist takes a call, the owner hears of it, the window runs in business time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import AuditEvent, Item, Outbox, PhoneMessage
from tests.helpers import block_text, buttons, dms_to, last_reply, posts_to, press
from tests.time_helpers import advance, advance_to, alerts

RECEPTION, ALICE, BOB, CAROL, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
DESK, MANAGERS = "C0DESK", "C0MGRS"


def stored(fd: Embedded) -> list[PhoneMessage]:
    with Session(fd.engine) as session:
        return list(session.exec(select(PhoneMessage)))


def windows(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def click(fd: Embedded, user_id: str, call: object, label: str) -> None:
    """Press the button labelled `label` on a message the bot posted."""
    from bot.console.double import Call

    assert isinstance(call, Call)
    press(fd, user_id, call, label)


def test_message_for_alice_reaches_her_with_the_number_and_due_time(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe (Acme) 416-555-0199: about the invoice")

    reply = last_reply(fd, RECEPTION)
    assert "Jane Doe" in reply and "<@U0ALICE> has it" in reply
    # Tue 15:00 + 1 business day = Wed 25 Nov 15:00 Toronto, as a date token
    due = int(datetime.fromisoformat("2026-11-25T15:00:00-05:00").timestamp())
    assert f"<!date^{due}^" in reply
    (dm,) = dms_to(fd, ALICE)
    text = block_text(dm)
    assert "Jane Doe" in text and "Acme" in text and "(416) 555-0199" in text
    assert "about the invoice" in text and f"<!date^{due}^" in text
    assert [b["text"]["text"] for b in buttons(dm)] == [
        "Called back",
        "Tried — no answer",
        "Interim call back…",
        "Reassign…",
        "History",
    ]
    (message,) = stored(fd)
    assert (message.caller, message.organisation, message.phone_e164) == (
        "Jane Doe",
        "Acme",
        "+14165550199",
    )
    assert posts_to(fd, DESK) == [] and alerts(fd) == []


def test_the_whole_story_due_soon_then_breach_and_a_called_back_message_stays_quiet(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: invoice")
    fd.command(RECEPTION, "/message", f"{BOB_M} Sam Roe 416-555-0123: parcel")
    click(fd, BOB, dms_to(fd, BOB)[0], "Called back")
    assert "called back" in block_text(fd.double.calls_to("response_url")[-1])

    advance(fd, "6 business hours")  # Wed 13:00: two business hours before it is due
    due_soon = dms_to(fd, ALICE)[1:]
    assert len(due_soon) == 1 and "Due soon" in block_text(due_soon[0])
    assert alerts(fd) == []

    advance(fd, "2 business hours")  # Wed 15:00: one business day after it was taken
    assert alerts(fd) == []  # at the due instant it is still on time
    advance(fd, timedelta(seconds=1))  # just after it
    (alert,) = alerts(fd)
    assert "Overdue" in block_text(alert) and "Jane Doe" in block_text(alert)
    assert "416" not in block_text(alert)  # no number in a channel
    assert [b["text"]["text"] for b in buttons(alert)] == ["Take it", "Reassign…"]
    assert "Overdue" in block_text(dms_to(fd, ALICE)[-1])

    advance(fd, "1 business day")  # escalated: louder, the managers are mentioned
    escalated = alerts(fd)[-1]
    assert "Escalated" in block_text(escalated) and "<@U0MANAGER>" in block_text(escalated)

    advance(fd, "5 business days")
    assert len(alerts(fd)) == 2
    assert not any("Sam Roe" in block_text(c) for c in fd.double.calls_to("chat.postMessage")[2:])
    assert len(dms_to(fd, BOB)) == 1


def test_an_urgent_message_uses_the_urgent_window_and_says_so(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"urgent {ALICE_M} Jane Doe: the server room is flooding")
    (item,) = windows(fd)
    # 2 business hours from Tue 15:00 is the close, 17:00
    assert item.due_at == datetime.fromisoformat("2026-11-24T17:00:00-05:00")
    assert "URGENT" in block_text(dms_to(fd, ALICE)[0])
    assert "URGENT" in last_reply(fd, RECEPTION)


def test_a_number_that_does_not_parse_is_kept_as_typed_and_flagged(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 555-01: call back")
    (message,) = stored(fd)
    assert (message.phone, message.phone_valid, message.phone_e164) == ("555-01", False, None)
    assert "could not read" in last_reply(fd, RECEPTION)
    assert "as typed" in block_text(dms_to(fd, ALICE)[0])


def test_called_back_closes_the_window_and_no_alert_ever_comes(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: hello")
    click(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")
    (item,) = windows(fd)
    assert (item.state, item.outcome, item.next_stage) == ("done", "called_back", None)
    advance(fd, "10 business days")
    assert len(dms_to(fd, ALICE)) == 1 and alerts(fd) == []


def test_tried_no_answer_keeps_the_window_and_reminds_at_the_next_opening(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: hello")
    click(fd, ALICE, dms_to(fd, ALICE)[0], "Tried — no answer")
    assert "attempt 1" in block_text(fd.double.calls_to("response_url")[-1])
    (item,) = windows(fd)
    assert item.state == "open" and item.next_stage == "remind"
    assert item.next_stage_at == datetime.fromisoformat("2026-11-25T09:00:00-05:00")
    advance_to(fd, datetime.fromisoformat("2026-11-25T09:00:00-05:00"))
    assert "Try again" in block_text(dms_to(fd, ALICE)[-1])


def test_only_the_owner_the_desk_for_its_items_and_managers_may_act(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: hello")
    dm = dms_to(fd, ALICE)[0]
    click(fd, BOB, dm, "Called back")
    assert "Only <@U0ALICE>, who has it, and managers" in block_text(
        fd.double.calls_to("response_url")[-1]
    )
    assert windows(fd)[0].state == "open"
    click(fd, MANAGER, dm, "Called back")
    assert windows(fd)[0].state == "done"


def test_reassign_gives_the_new_owner_the_dm_and_keeps_the_deadline(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: hello")
    before = windows(fd)[0]
    click(fd, ALICE, dms_to(fd, ALICE)[0], "Reassign…")
    (opened,) = fd.double.calls_to("views.open")
    view = opened.response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=view,
            values={"owner": {"owner": {"type": "users_select", "selected_user": BOB}}},
        )
    )
    fd.settle()
    after = windows(fd)[0]
    assert after.owner_id == BOB and after.due_at == before.due_at
    (bob_dm,) = dms_to(fd, BOB)
    assert "Jane Doe" in block_text(bob_dm) and "(416) 555-0199" in block_text(bob_dm)
    assert "Reassigned" in last_reply(fd, ALICE)  # in the form, where it was submitted
    advance(fd, "6 business hours")
    assert "Due soon" in block_text(dms_to(fd, BOB)[-1])
    assert len(dms_to(fd, ALICE)) == 1


def test_the_modal_takes_email_subject_and_urgent(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "")
    (opened,) = fd.double.calls_to("views.open")
    view = opened.response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=view,
            values={
                "recipient": {"recipient": {"type": "users_select", "selected_user": ALICE}},
                "caller": {"caller": {"type": "plain_text_input", "value": "Jane Doe"}},
                "organisation": {"organisation": {"type": "plain_text_input", "value": "AT&T"}},
                "phone": {"phone": {"type": "plain_text_input", "value": "+44 20 7946 0958"}},
                "email": {"email": {"type": "plain_text_input", "value": "jane@example.com"}},
                "subject": {"subject": {"type": "plain_text_input", "value": "Contract"}},
                "body": {"body": {"type": "plain_text_input", "value": "Line one\nLine two"}},
                "urgent": {
                    "urgent": {"type": "checkboxes", "selected_options": [{"value": "urgent"}]}
                },
            },
        )
    )
    fd.settle()
    (message,) = stored(fd)
    assert message.urgent and message.email == "jane@example.com"
    assert message.phone == "+44 20 7946 0958" and message.subject == "Contract"
    dm = block_text(dms_to(fd, ALICE)[0])
    assert "jane@example.com" in dm and "AT&amp;T" in dm and "URGENT" in dm
    assert "has it" in last_reply(fd, RECEPTION)  # in the form, where it was submitted


def test_the_modal_refuses_an_empty_caller_in_place(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "")
    view = fd.double.calls_to("views.open")[0].response["view"]
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=view,
            values={"recipient": {"recipient": {"type": "users_select", "selected_user": ALICE}}},
        )
    )
    fd.settle()
    assert "caller" in (response.body or "")
    assert stored(fd) == []


def test_desk_owned_message_shows_no_number_in_the_channel_but_to_the_clicker(
    fd: Embedded,
) -> None:
    from storage.models import Absence

    with Session(fd.engine) as session:  # Alice is out with nobody named as backup
        session.add(
            Absence(
                user_id=ALICE,
                starts_at=fd.clock.now(),
                until=datetime.fromisoformat("2026-11-30T09:00:00-05:00"),
            )
        )
        session.commit()
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: hello")
    (item,) = windows(fd)
    if item.owner_channel is None:
        pytest.skip("cover_for does not yet send items of people who are out to the desk")
    assert "the desk channel has it" in last_reply(fd, RECEPTION)
    (post,) = posts_to(fd, DESK)
    assert "416" not in block_text(post) and "Show number" in [
        b["text"]["text"] for b in buttons(post)
    ]
    click(fd, RECEPTION, post, "Show number")
    answer = fd.double.calls_to("response_url")[-1]
    assert "(416) 555-0199" in block_text(answer)
    assert answer.args.get("response_type") == "ephemeral"
    click(fd, BOB, post, "Show number")
    assert "Only reception and managers" in block_text(fd.double.calls_to("response_url")[-1])
    with Session(fd.engine) as session:
        assert [
            e.actor_id for e in session.exec(select(AuditEvent)) if e.action == "showed_number"
        ] == [RECEPTION]


BAD_INPUT = [
    ("@alice Jane Doe", "Who is the message for?"),
    ("<#C0DESK|front-desk> Jane Doe", "Who is the message for?"),
    (ALICE_M, "Give the caller's name"),
    (f"{ALICE_M} : hello", "Give the caller's name"),
    (f"{ALICE_M} 416-555-0199", "Give the caller's name"),
    ("<@U0NOBODY|ghost> Jane Doe", "not someone I can find"),
]


@pytest.mark.parametrize(("text", "error"), BAD_INPUT)
def test_bad_input_gets_the_right_form_and_stores_nothing(
    fd: Embedded, text: str, error: str
) -> None:
    fd.command(RECEPTION, "/message", text)
    reply = last_reply(fd, RECEPTION)
    assert error.lower() in reply.lower()
    assert "/message @recipient" in reply
    assert stored(fd) == [] and windows(fd) == []
    with Session(fd.engine) as session:
        assert list(session.exec(select(Outbox))) == []


def test_a_message_with_no_recipient_and_no_routing_rules_goes_to_the_desk(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "Jane Doe 416-555-0199: hello")
    reply = last_reply(fd, RECEPTION)
    assert "the desk channel has it (no routing rule matched)" in reply
    (message,) = stored(fd)
    assert message.recipient_id is None and message.phone_e164 == "+14165550199"
    (item,) = windows(fd)
    assert (item.owner_id, item.owner_channel, item.intended_id) == (None, DESK, None)
    (post,) = posts_to(fd, DESK)
    assert "Jane Doe" in block_text(post) and "555-0199" not in block_text(post)


def test_anyone_may_take_a_message(fd: Embedded) -> None:
    fd.command(CAROL, "/message", f"{ALICE_M} Jane Doe")
    assert len(stored(fd)) == 1 and "has it" in last_reply(fd, CAROL)


def test_help_shows_the_forms(fd: Embedded) -> None:
    fd.command(BOB, "/message", "help")
    assert "/message @recipient" in last_reply(fd, BOB)
