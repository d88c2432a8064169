"""Phone messages: every call taken, kept for the reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage import rows
from storage.models import CustomerReply, PhoneMessage


def add(session: Session, message: PhoneMessage) -> PhoneMessage:
    """Store a call taken and give it its id."""
    session.add(message)
    session.flush()
    return message


def insert(session: Session, **values: Any) -> PhoneMessage:
    """Store a call taken (these fields) and give it its id."""
    return rows.insert_new(session, PhoneMessage, **values)


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


def add_reply(session: Session, reply: CustomerReply) -> CustomerReply:
    """Store what a caller was told at an interim call back."""
    session.add(reply)
    session.flush()
    return reply


def replies(session: Session, message_id: int) -> list[CustomerReply]:
    """What the caller was told at each interim call back, oldest first."""
    statement = (
        select(CustomerReply)
        .where(col(CustomerReply.message_id) == message_id)
        .order_by(col(CustomerReply.at), col(CustomerReply.id))
    )
    return list(session.scalars(statement))
