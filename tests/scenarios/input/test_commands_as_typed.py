"""Commands typed as receptionists type them are carried out as meant, end to end."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from bot.console.embedded import Embedded
from storage.models import Enquiry, PhoneMessage, Visit
from tests.helpers import block_text, dms_to, last_reply, posts_to

T = TypeVar("T", bound=SQLModel)
RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"


def _all(fd: Embedded, model: type[T]) -> list[T]:
    with Session(fd.engine) as session:
        return list(session.exec(select(model)))


def test_a_visitor_signed_in_for_alice_with_bob_in_the_note_is_alices_visitor(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} — meeting with {BOB_M} too")
    (visit,) = _all(fd, Visit)
    assert (visit.name, visit.host_id) == ("Kim Lee", ALICE)
    assert visit.note == f"meeting with {BOB_M} too"
    assert dms_to(fd, ALICE) and not dms_to(fd, BOB)


def test_a_message_marked_urgent_after_the_recipient_is_urgent_from_the_caller(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} urgent Dana : the alarm is going off")
    (message,) = _all(fd, PhoneMessage)
    assert (message.caller, message.urgent, message.body) == (
        "Dana",
        True,
        "the alarm is going off",
    )
    assert "URGENT" in block_text(dms_to(fd, ALICE)[-1])


def test_a_message_for_someone_slack_could_not_find_is_refused_naming_them(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", "from Sam Roe for @dave: call back")
    assert "@dave" in last_reply(fd, RECEPTION) and "/message @recipient" in last_reply(
        fd, RECEPTION
    )
    assert _all(fd, PhoneMessage) == []


def test_an_enquiry_for_someone_slack_could_not_find_is_refused_naming_them(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/enquiry", "complaint via phone from Sam Roe for @dave: parking")
    assert "@dave" in last_reply(fd, RECEPTION)
    assert _all(fd, Enquiry) == []


def test_a_message_from_an_organisation_with_a_colon_in_its_name_is_taken(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe (Acme: East) 416-555-0100: call back")
    (message,) = _all(fd, PhoneMessage)
    assert (message.caller, message.organisation, message.body) == (
        "Sam Roe",
        "Acme: East",
        "call back",
    )


def test_a_caller_who_gives_a_number_with_no_colon_keeps_it_out_of_their_name(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe 416-555-0100 re invoice")
    (message,) = _all(fd, PhoneMessage)
    assert (message.caller, message.phone_e164, message.body) == (
        "Sam Roe",
        "+14165550100",
        "invoice",
    )


def test_caller_0_and_a_lettered_number_are_read_as_a_name_and_a_number(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Caller 0 416-555-0100")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane 1-800-FLOWERS: order")
    first, second = _all(fd, PhoneMessage)
    assert (first.caller, first.phone_e164, first.phone_valid) == ("Caller 0", "+14165550100", True)
    assert (second.caller, second.phone_e164, second.phone_valid) == ("Jane", "+18003569377", True)
    assert all("416-555-0100" not in block_text(p) for p in posts_to(fd, "C0DESK"))
