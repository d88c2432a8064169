"""The reply to `/ooo from … until …` offers "Keep my items" (or "Hand them over" when
`keep my items` was typed): the choice stored with the planned absence changes until it starts
(DESIGN.md "Commands": the choice is stored and applied when the absence starts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Absence, Item
from tests.conftest import SITE
from tests.helpers import buttons, last_ack, last_reply
from tests.time_helpers import advance_to

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
THURSDAY_MIDNIGHT = datetime(2026, 11, 26, 0, 0, tzinfo=SITE)


def _absence(fd: Embedded) -> Absence:
    with Session(fd.engine) as session:
        (absence,) = session.exec(select(Absence))
        return absence


def _owners(fd: Embedded) -> set[str | None]:
    with Session(fd.engine) as session:
        return {i.owner_id for i in session.exec(select(Item)) if i.state != "done"}


def _labels(reply: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(reply)]


def _press(fd: Embedded, user_id: str, button: dict[str, Any]) -> None:
    """Press a button of an ephemeral reply (answered through its response_url)."""
    fd.dispatch(fd.requests.block_action(user_id=user_id, action=button, channel_id="C0DESK"))
    fd.settle()


def test_keep_my_items_flips_the_stored_choice_and_is_applied_when_it_starts(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back")
    fd.command(ALICE, "/ooo", f"from Nov 26 until Nov 30 backup {BOB_M}")
    reply = last_ack(fd)
    assert _labels(reply) == ["Keep my items"]
    (keep,) = buttons(reply)
    _press(fd, ALICE, keep)
    assert _absence(fd).hand_over is False
    answer = last_reply(fd, ALICE)
    assert "stay with you" in answer and "Hand them over" in answer
    _press(fd, ALICE, keep)  # pressed twice: the same choice stands
    assert _absence(fd).hand_over is False and "stay with you" in last_reply(fd, ALICE)
    advance_to(fd, THURSDAY_MIDNIGHT + timedelta(minutes=1))
    assert _owners(fd) == {ALICE}  # kept


def test_hand_them_over_undoes_keep_my_items_typed(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back")
    fd.command(ALICE, "/ooo", f"from Nov 26 until Nov 30 backup {BOB_M} keep my items")
    reply = last_ack(fd)
    assert _absence(fd).hand_over is False
    assert _labels(reply) == ["Hand them over"]
    (hand_over,) = buttons(reply)
    _press(fd, ALICE, hand_over)
    assert _absence(fd).hand_over is True
    assert "your open items go to <@U0BOB>" in last_reply(fd, ALICE)
    advance_to(fd, THURSDAY_MIDNIGHT + timedelta(minutes=1))
    assert _owners(fd) == {BOB}


def test_the_button_is_refused_once_the_absence_has_started(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"from Nov 26 until Nov 30 backup {BOB_M}")
    (keep,) = buttons(last_ack(fd))
    advance_to(fd, THURSDAY_MIDNIGHT + timedelta(minutes=1))
    _press(fd, ALICE, keep)
    assert "already started" in last_reply(fd, ALICE)
    assert _absence(fd).hand_over is True  # unchanged


def test_only_the_absent_person_can_change_it_and_not_once_withdrawn(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"from Nov 26 until Nov 30 backup {BOB_M}")
    (keep,) = buttons(last_ack(fd))
    _press(fd, BOB, keep)
    assert "not yours" in last_reply(fd, BOB)
    fd.command(ALICE, "/ooo", "cancel")
    _press(fd, ALICE, keep)
    assert "withdrawn" in last_reply(fd, ALICE)
    assert _absence(fd).hand_over is True
