"""The in/out board: where each person who has told the desk said they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from storage.models import Presence

_WHERE_IS = select(Presence.state, Presence.back_at).where(  # type: ignore[call-overload]
    col(Presence.user_id) == bindparam("p_user")
)


def where_is(session: Session, user_id: str) -> tuple[str, datetime | None] | None:
    """What `user_id` last told the desk: their state and when they said they are back (a
    statement built once, and no model row: this is read on every sign-in)."""
    found = session.execute(_WHERE_IS, {"p_user": user_id}).first()
    return (found[0], found[1]) if found is not None else None


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
