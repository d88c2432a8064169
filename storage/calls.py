"""Calls handled without a message (`/call`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import PhoneCall


def add(session: Session, call: PhoneCall) -> PhoneCall:
    """Store a call and give it its id."""
    session.add(call)
    session.flush()
    return call


def between(session: Session, start: datetime, end: datetime) -> list[PhoneCall]:
    """The calls logged in [start, end), oldest first."""
    statement = (
        select(PhoneCall)
        .where(col(PhoneCall.at) >= start, col(PhoneCall.at) < end)
        .order_by(col(PhoneCall.at), col(PhoneCall.id))
    )
    return list(session.scalars(statement))
