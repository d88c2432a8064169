"""The in/out board: where each person who has told the desk said they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from storage import transaction_memo
from storage.models import Presence

_WHERE_IS = select(Presence.state, Presence.back_at).where(  # type: ignore[call-overload]
    col(Presence.user_id) == bindparam("p_user")
)


Told = tuple[str, datetime | None]  # state, and when they said they are back
_READ = transaction_memo.kept_until_written("frontdesk.presence.read", Presence)


def where_is(session: Session, user_id: str) -> Told | None:
    """What `user_id` last told the desk: their state and when they said they are back (a
    statement built once, and no model row: this is read on every sign-in). Read already in
    this transaction with their absence (storage.absences.current), it is not read again."""
    read: dict[str, Told | None] = session.info.get(_READ, {})
    if user_id in read:
        return read.pop(user_id)
    found = session.execute(_WHERE_IS, {"p_user": user_id}).first()
    return (found[0], found[1]) if found is not None else None


def read_with(session: OrmSession, user_id: str, told: Told | None) -> None:
    """`user_id`'s row, read with another statement: where_is answers the next ask from it
    (once, and only until this transaction writes the board or ends)."""
    session.info.setdefault(_READ, {})[user_id] = told


def set_state(
    session: Session, *, user_id: str, state: str, back_at: datetime | None, now: datetime
) -> Presence:
    """Record `in`, `out` (back at `back_at`) or `out_day` for a person."""
    row = session.get(Presence, user_id)
    if row is None:
        row = Presence(user_id=user_id, state=state, back_at=back_at, updated_at=now)
    else:
        row.state, row.back_at, row.updated_at = state, back_at, now
    session.add(row)
    session.flush()
    return row


def everyone(session: Session) -> dict[str, Presence]:
    """Every row of the board, by user id."""
    return {row.user_id: row for row in session.scalars(select(Presence))}
