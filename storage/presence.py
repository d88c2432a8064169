"""The in/out board: where each person who has told the desk said they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from storage.models import Presence


def get(session: Session, user_id: str) -> Presence | None:
    """What `user_id` last told the desk."""
    return session.get(Presence, user_id)


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
