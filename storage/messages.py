"""Phone messages: every call taken, kept for the reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import PhoneMessage


def add(session: Session, message: PhoneMessage) -> PhoneMessage:
    """Store a call taken and give it its id."""
    session.add(message)
    session.flush()
    return message


def get(session: Session, message_id: int) -> PhoneMessage | None:
    """The message with this id."""
    return session.get(PhoneMessage, message_id)


def taken_between(session: Session, start: datetime, end: datetime) -> list[PhoneMessage]:
    """Calls taken in [start, end), oldest first."""
    statement = (
        select(PhoneMessage)
        .where(col(PhoneMessage.taken_at) >= start, col(PhoneMessage.taken_at) < end)
        .order_by(col(PhoneMessage.taken_at), col(PhoneMessage.id))
    )
    return list(session.scalars(statement))
