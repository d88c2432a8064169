"""Going away: open items handed to the backup, and a return moved rather than ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.services import absences
from storage.db import session_scope
from storage.models import Item, Outbox

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M = "<@U0ALICE|alice>"
DESK = "C0DESK"


def _away(fd: Embedded, *, backup: str | None, days: int = 3) -> None:
    now = fd.clock.now()
    with session_scope(fd.engine) as session:
        absences.set_absence(
            session,
            user_id=ALICE,
            until=now + timedelta(days=days),
            backup_id=backup,
            note=None,
            now=now,
            calendar=fd.runtime.ctx.policy.calendar(),
        )


def _items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item)))


def test_going_away_hands_open_messages_to_the_backup_who_is_told(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back about the invoice")
    _away(fd, backup=BOB)
    with session_scope(fd.engine) as session:
        assert [i.owner_id for i in absences.open_items_of(session, ALICE)] == [ALICE]
        handed = absences.hand_over(session, user_id=ALICE, now=fd.clock.now(), desk_channel=DESK)
    assert handed.to_user_id == BOB and len(handed.items) == 1
    (item,) = _items(fd)
    assert (item.owner_id, item.intended_id, item.state) == (BOB, ALICE, "open")
    with Session(fd.engine) as session:
        targets = [row.target for row in session.exec(select(Outbox))]
    assert BOB in targets


def test_going_away_with_no_backup_hands_open_items_to_the_desk(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back")
    _away(fd, backup=None)
    with session_scope(fd.engine) as session:
        handed = absences.hand_over(session, user_id=ALICE, now=fd.clock.now(), desk_channel=DESK)
    assert handed.to_user_id is None
    (item,) = _items(fd)
    assert (item.owner_id, item.owner_channel) == (None, DESK)


def test_hand_over_while_in_the_office_moves_nothing(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back")
    with session_scope(fd.engine) as session:
        handed = absences.hand_over(session, user_id=ALICE, now=fd.clock.now(), desk_channel=DESK)
    assert handed.items == [] and _items(fd)[0].owner_id == ALICE


def test_ooo_back_monday_while_away_moves_the_return_instead_of_ending_the_absence(
    fd: Embedded,
) -> None:
    _away(fd, backup=BOB, days=2)
    later = fd.clock.now() + timedelta(days=6)
    with session_scope(fd.engine) as session:
        absences.move_return(session, user_id=ALICE, until=later, now=fd.clock.now())
    with session_scope(fd.engine) as session:
        absence = absences.current(session, ALICE, now=fd.clock.now() + timedelta(days=4))
        assert absence is not None and absence.until == later and absence.ended_at is None


@pytest.mark.parametrize(("away", "days", "error"), [(False, 2, "not out"), (True, -1, "past")])
def test_moving_a_return_that_cannot_be_moved_says_why(
    fd: Embedded, away: bool, days: int, error: str
) -> None:
    if away:
        _away(fd, backup=None)
    with session_scope(fd.engine) as session, pytest.raises(absences.AbsenceError) as raised:
        absences.move_return(
            session, user_id=ALICE, until=fd.clock.now() + timedelta(days=days), now=fd.clock.now()
        )
    assert error in str(raised.value)


def test_ooo_until_with_open_messages_hands_them_to_the_backup_and_says_so(fd: Embedded) -> None:
    from tests.helpers import block_text, dms_to, last_reply

    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back about the invoice")
    fd.command(ALICE, "/ooo", "until next Friday backup <@U0BOB|bob>")
    assert "Your 1 open item went to <@U0BOB>" in last_reply(fd, ALICE)
    (item,) = _items(fd)
    assert item.owner_id == BOB
    assert any("Sam Roe" in block_text(dm) for dm in dms_to(fd, BOB))


def test_typing_ooo_back_monday_while_away_keeps_you_away_until_then(fd: Embedded) -> None:
    from tests.helpers import last_reply

    fd.command(ALICE, "/ooo", "until tomorrow backup <@U0BOB|bob>")
    fd.command(ALICE, "/ooo", "back next Monday")
    assert "Changed: you are out of office until" in last_reply(fd, ALICE)
    with session_scope(fd.engine) as session:
        later = absences.current(session, ALICE, now=fd.clock.now() + timedelta(days=2))
        assert later is not None and later.ended_at is None
