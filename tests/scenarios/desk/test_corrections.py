"""Correcting a wrong entry: a visitor's name or host, a phone message's caller or recipient."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import AuditEvent, Item, PhoneMessage, Visit
from tests.helpers import block_text, buttons, dms_to, last_ack, last_reply, posts_to, press

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"


def one(fd: Embedded, model: type) -> object:
    with Session(fd.engine) as session:
        (row,) = session.exec(select(model)).all()
        return row


def trail(fd: Embedded) -> list[tuple[str, str | None]]:
    with Session(fd.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "corrected")).all()
        return [(e.actor_id, e.detail) for e in events]


def updates_to(fd: Embedded, channel: str) -> list[str]:
    return [
        block_text(c) for c in fd.double.calls_to("chat.update") if c.args["channel"] == channel
    ]


def buttons_of(fd: Embedded, channel: str) -> list[str]:
    """The buttons of the last rewrite of a post in `channel`."""
    (last, *_) = [
        c for c in reversed(fd.double.calls_to("chat.update")) if c.args["channel"] == channel
    ]
    return [b["text"]["text"] for b in buttons(last)]


def test_a_visitors_name_is_corrected_in_the_record_the_trail_and_the_posts(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doh from Acme for {ALICE_M}")
    fd.runtime.deliver_now()
    fd.command(RECEPTION, "/visitor", "correct V-001 name Jane Doe")
    assert "Corrected (pass V-001)" in last_reply(fd, RECEPTION)
    assert "“Jane Doh” → “Jane Doe”" in last_reply(fd, RECEPTION)
    fd.runtime.deliver_now()
    visit = one(fd, Visit)
    assert isinstance(visit, Visit) and (visit.name, visit.name_key) == ("Jane Doe", "jane doe")
    assert trail(fd) == [(RECEPTION, "name: Jane Doh → Jane Doe")]
    desk = updates_to(fd, "C0DESK")
    assert len(desk) == 1 and "Jane Doe" in desk[0] and "Doh" not in desk[0]
    (dm,) = updates_to(fd, fd.double.dm_channel(ALICE))
    assert "Jane Doe" in dm and "Doh" not in dm
    fd.command(RECEPTION, "/visitor", "log today")
    assert "Jane Doe" in block_text(last_ack(fd)) and "Doh" not in block_text(last_ack(fd))


def test_a_correction_before_the_posts_went_puts_them_right_as_they_go(fd: Embedded) -> None:
    fd.runtime.ctx.deliver = lambda: None  # the sender is behind
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doh for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "correct jane doh name Jane Doe")
    fd.runtime.deliver_now()
    (post,) = posts_to(fd, "C0DESK")
    assert "Jane Doe" in block_text(post) and "Doh" not in block_text(post)


def test_a_wrong_host_hands_the_visitor_to_the_right_one(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Dr Helen Ward for {ALICE_M}")
    fd.runtime.deliver_now()
    fd.command(RECEPTION, "/visitor", f"correct dr helen ward host {BOB_M}")
    assert "who has been told" in last_reply(fd, RECEPTION)
    fd.runtime.deliver_now()
    (told,) = dms_to(fd, BOB)
    assert "Helen Ward" in block_text(told) and "On my way" in [
        b["text"]["text"] for b in buttons(told)
    ]
    visit = one(fd, Visit)
    assert isinstance(visit, Visit) and visit.host_id == BOB
    window = one(fd, Item)
    assert isinstance(window, Item) and window.owner_id == BOB
    assert trail(fd) == [(RECEPTION, "host: <@U0ALICE> → <@U0BOB>")]
    (desk,) = updates_to(fd, "C0DESK")
    assert "<@U0BOB>" in desk and "<@U0ALICE>" not in desk


def test_a_callers_name_is_corrected_in_the_recipients_post(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call me about the invoice")
    fd.runtime.deliver_now()
    fd.command(RECEPTION, "/message", "correct sam roe caller Sam Rowe")
    assert "“Sam Roe” → “Sam Rowe”" in last_reply(fd, RECEPTION)
    fd.runtime.deliver_now()
    message = one(fd, PhoneMessage)
    assert isinstance(message, PhoneMessage) and message.caller == "Sam Rowe"
    (dm,) = updates_to(fd, fd.double.dm_channel(ALICE))
    assert "Sam Rowe" in dm
    assert trail(fd) == [(RECEPTION, "caller: Sam Roe → Sam Rowe")]


def test_a_message_for_the_wrong_person_moves_to_the_right_one(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call me about the invoice")
    fd.runtime.deliver_now()
    fd.command(RECEPTION, "/message", f"correct Sam Roe for {BOB_M}")
    fd.runtime.deliver_now()
    (dm,) = dms_to(fd, BOB)
    assert "Sam Roe" in block_text(dm) and "invoice" in block_text(dm)
    message = one(fd, PhoneMessage)
    assert isinstance(message, PhoneMessage) and message.recipient_id == BOB
    window = one(fd, Item)
    assert isinstance(window, Item) and window.owner_id == BOB
    assert trail(fd) == [(RECEPTION, "recipient: <@U0ALICE> → <@U0BOB>")]


def test_staff_may_not_correct_entries(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doh for {ALICE_M}")
    fd.command(BOB, "/visitor", "correct V-001 name Jane Doe")
    assert "Only reception and managers may correct" in last_reply(fd, BOB)
    fd.command(BOB, "/message", "correct Sam caller Sam Rowe")
    assert "Only reception and managers may correct a phone message" in last_reply(fd, BOB)
    visit = one(fd, Visit)
    assert isinstance(visit, Visit) and visit.name == "Jane Doh"


def test_a_correction_of_nobody_says_so_with_the_form(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", "correct V-009 name Jane Doe")
    reply = last_reply(fd, RECEPTION)
    assert "Nothing corrected" in reply and "/visitor correct" in reply
    fd.command(RECEPTION, "/message", "correct Nobody caller Sam")
    assert "no message of the last week" in last_reply(fd, RECEPTION)


def test_forget_clears_the_old_name_a_correction_left_in_the_trail(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doh for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "correct V-001 name Jane Doe")
    fd.command(MANAGER, "/desk", "forget jane doe")
    assert trail(fd) == [(RECEPTION, None)]
    visit = one(fd, Visit)
    assert isinstance(visit, Visit) and visit.name_key == "anonymised"


def test_an_answered_arrival_dm_keeps_its_answer_when_the_name_is_corrected(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doh for {ALICE_M}")
    fd.runtime.deliver_now()
    (dm,) = dms_to(fd, ALICE)
    press(fd, ALICE, dm, "On my way")
    fd.command(RECEPTION, "/visitor", "correct V-001 name Jane Doe")
    fd.runtime.deliver_now()
    (redrawn,) = updates_to(fd, fd.double.dm_channel(ALICE))
    assert "Jane Doe" in redrawn and "On my way" in redrawn
    assert buttons_of(fd, fd.double.dm_channel(ALICE)) == []
