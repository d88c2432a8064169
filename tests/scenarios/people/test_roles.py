"""Every refusal of DESIGN.md's "Who may do what", and that it says who may.

| action | staff | reception | managers |
| log, sign out, cancel visitors; the form | — | ✓ | ✓ |
| answer a visitor's arrival | the host | ✓ | ✓ |
| act on an item they own (message, enquiry buttons) | own | own + desk's | ✓ |
| reassign someone else's item | — | desk's | ✓ |
| see incidents, /desk report, /desk forget | — | — | ✓ |
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Enquiry, Item, Visit
from tests.helpers import (
    block_text,
    buttons,
    dms_to,
    last_ack,
    last_reply,
    posts_to,
    submit_told,
)

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
DESK_ONLY = "Only reception and managers"
MANAGERS_ONLY = "Only managers"


def press(fd: Embedded, user_id: str, call: Any, label: str) -> None:
    (found,) = [b for b in buttons(call) if b["text"]["text"] == label]
    fd.dispatch(
        fd.requests.block_action(
            user_id=user_id,
            action=found,
            channel_id=call.response["channel"],
            message={"ts": call.response["ts"], "blocks": call.args["blocks"]},
            message_ts=call.response["ts"],
        )
    )
    fd.settle()


def aside_to(fd: Embedded, user_id: str) -> str:
    """The last reply to `user_id` through a response_url."""
    calls = [c for c in fd.double.calls_to("response_url") if c.args.get("user") == user_id]
    assert calls, f"no reply to {user_id}"
    return block_text(calls[-1])


# --- commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "command", "text", "refusal"),
    [
        (BOB, "/visitor", f"arrived Jane Doe for {ALICE_M}", DESK_ONLY),
        (BOB, "/visitor", f"expect Jane Doe for {ALICE_M} tomorrow 10am", DESK_ONLY),
        (BOB, "/visitor", "left Jane Doe", DESK_ONLY),
        (BOB, "/visitor", "cancel Jane Doe", DESK_ONLY),
        (BOB, "/visitor", "", DESK_ONLY),
        (BOB, "/desk", "report", MANAGERS_ONLY + " may see reports"),
        (RECEPTION, "/desk", "report last week", MANAGERS_ONLY + " may see reports"),
        (BOB, "/desk", "forget Jane Doe", MANAGERS_ONLY + " may erase"),
        (RECEPTION, "/desk", "forget Jane Doe", MANAGERS_ONLY + " may erase"),
        (BOB, "/desk", "incidents", MANAGERS_ONLY + " may see incidents"),
        (RECEPTION, "/desk", "incidents", MANAGERS_ONLY + " may see incidents"),
    ],
)
def test_a_command_refusal_says_who_may(
    fd: Embedded, user_id: str, command: str, text: str, refusal: str
) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    before = _visit_states(fd)
    fd.command(user_id, command, text)
    assert refusal in last_reply(fd, user_id)
    assert _visit_states(fd) == before
    assert fd.double.uploaded_files == []


def test_forget_by_a_non_manager_erases_nothing(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/desk", "forget Jane Doe")
    assert [v.name for v in _visits(fd)] == ["Jane Doe"]


@pytest.mark.parametrize(
    ("user_id", "text"),
    [
        (BOB, "incident"),  # anyone may report an incident
        (BOB, f"complaint via email from Jane Doe for {ALICE_M}: x"),  # anyone may log one
    ],
)
def test_what_anyone_may_do_is_not_refused(fd: Embedded, user_id: str, text: str) -> None:
    command = "/desk" if text == "incident" else "/enquiry"
    fd.command(user_id, command, text)
    assert not any("Only" in r for r in _replies(fd, user_id))


def test_the_managers_may_do_what_they_may(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "incidents")
    assert "No incidents" in last_reply(fd, MANAGER)
    fd.command(MANAGER, "/desk", "report last week")
    assert "Front Desk report" in last_reply(fd, MANAGER)
    fd.command(MANAGER, "/desk", "forget Nobody")
    assert "Nothing was changed" in last_reply(fd, MANAGER)


# --- the visitor form and buttons ---------------------------------------------------------------


def test_staff_may_not_submit_the_visitor_form(fd: Embedded) -> None:
    from handlers.views.visitor_form import form_view

    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=BOB,
            view=form_view("C0DESK"),
            values={
                "name": {"value": {"type": "plain_text_input", "value": "Jane Doe"}},
                "host": {"value": {"type": "users_select", "selected_user": ALICE}},
            },
        )
    )
    fd.settle()
    assert DESK_ONLY in (response.body or "")
    assert _visits(fd) == []


def test_only_the_host_or_the_desk_answers_an_arrival(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    press(fd, BOB, dms_to(fd, ALICE)[0], "On my way")
    assert "Only the host, reception and managers" in aside_to(fd, BOB)
    assert _visits(fd)[0].host_response is None


def test_staff_may_not_pick_a_visitor_to_sign_out(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Smith for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left jane")
    pick = last_ack(fd)
    (first, _) = buttons(pick)
    fd.dispatch(
        fd.requests.block_action(user_id=BOB, action=first, channel_id="C0DESK", message_ts=None)
    )
    fd.settle()
    assert DESK_ONLY in aside_to(fd, BOB)
    assert {v.state for v in _visits(fd)} == {"on_site"}


# --- enquiry buttons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Acknowledged", "Resolved", "Reassign…", "Running late…", "History"]
)
def test_only_the_owner_and_managers_act_on_an_enquiry(fd: Embedded, label: str) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    dm = dms_to(fd, ALICE)[0]
    press(fd, BOB, dm, label)
    assert "Only <@U0ALICE>, who has this enquiry, and managers" in aside_to(fd, BOB)
    assert {i.state for i in _items(fd)} == {"open"}
    assert fd.double.calls_to("views.open") == []


@pytest.mark.parametrize("label", ["Acknowledged", "Resolved"])
def test_a_manager_may_act_on_anyones_enquiry(fd: Embedded, label: str) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    press(fd, MANAGER, dms_to(fd, ALICE)[0], label)
    submit_told(fd, MANAGER)
    assert "done" in {i.state for i in _items(fd)}


def test_reception_may_not_act_on_a_persons_enquiry(fd: Embedded) -> None:
    fd.command(BOB, "/enquiry", "request via phone from Sam Roe: a copy")
    press(fd, RECEPTION, dms_to(fd, BOB)[0], "Resolved")
    assert "Only <@U0BOB>" in aside_to(fd, RECEPTION)


def test_reassign_submitted_by_someone_else_is_refused(fd: Embedded) -> None:
    from handlers.views.enquiry_followup import Where, reassign_view

    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    with Session(fd.engine) as session:
        (enquiry,) = session.exec(select(Enquiry))
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=BOB,
            view=reassign_view(Where(enquiry.id or 0, "", "")),
            values={"owner": {"owner": {"type": "users_select", "selected_user": BOB}}},
        )
    )
    fd.settle()
    assert "Only <@U0ALICE>" in (response.body or "")
    assert {i.owner_id for i in _items(fd)} == {ALICE}


# --- phone message buttons ----------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Called back", "Tried — no answer"])
def test_only_the_owner_and_managers_act_on_a_message(fd: Embedded, label: str) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: invoice")
    press(fd, BOB, dms_to(fd, ALICE)[0], label)
    reply = aside_to(fd, BOB)
    assert "Only <@U0ALICE>" in reply and "managers" in reply
    assert {i.state for i in _items(fd)} == {"open"}


def test_incident_reports_reach_managers_only(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "incident")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=BOB,
            view=view,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "today 10:15"}},
                "what": {"what": {"type": "plain_text_input", "value": "Caller swore at me"}},
            },
        )
    )
    fd.settle()
    assert "is logged" in block_text(dms_to(fd, BOB)[-1])
    assert posts_to(fd, "C0DESK") == []
    assert "Caller swore" in block_text(posts_to(fd, "C0MGRS")[0])
    fd.command(BOB, "/desk", "incidents")
    assert "Caller swore" not in last_reply(fd, BOB)
    fd.command(MANAGER, "/desk", "incidents")
    assert "Caller swore" in last_reply(fd, MANAGER)


# --- helpers ------------------------------------------------------------------------------------


def _visits(fd: Embedded) -> list[Visit]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Visit).order_by(Visit.id)))  # type: ignore[arg-type]


def _visit_states(fd: Embedded) -> list[tuple[str, str]]:
    return [(v.name, v.state) for v in _visits(fd)]


def _items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item)))


def _replies(fd: Embedded, user_id: str) -> list[str]:
    from tests.helpers import replies_to

    return replies_to(fd, user_id)
