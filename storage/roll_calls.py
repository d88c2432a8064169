"""Roll calls and their entries (the marks live here, not in the posted message)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import RollCallEntry


def entries_of(session: Session, roll_call_id: int | None) -> list[RollCallEntry]:
    """A roll call's entries, in the order they are shown."""
    statement = (
        select(RollCallEntry)
        .where(col(RollCallEntry.roll_call_id) == roll_call_id)
        .order_by(col(RollCallEntry.position))
    )
    return list(session.scalars(statement))
