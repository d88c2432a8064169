"""Read models across aggregates: what was meant for someone, and what each item is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Enquiry, Item, PhoneMessage, Visit


def items_meant_for(
    session: Session, user_id: str, *, start: datetime, end: datetime
) -> list[Item]:
    """Windows created for `user_id` in [start, end), oldest first."""
    statement = (
        select(Item)
        .where(
            col(Item.intended_id) == user_id,
            col(Item.created_at) >= start,
            col(Item.created_at) < end,
        )
        .order_by(col(Item.created_at), col(Item.id))
    )
    return list(session.scalars(statement))


def visits_for(session: Session, host_id: str, *, start: datetime, end: datetime) -> list[Visit]:
    """Visitors who arrived for `host_id` in [start, end), earliest first."""
    statement = (
        select(Visit)
        .where(
            col(Visit.host_id) == host_id,
            col(Visit.arrived_at) >= start,
            col(Visit.arrived_at) < end,
        )
        .order_by(col(Visit.arrived_at), col(Visit.id))
    )
    return list(session.scalars(statement))


def subjects(session: Session, items: Sequence[Item]) -> dict[int, str]:
    """Who each item is about: the caller, the visitor, or whoever the enquiry is from."""
    found: dict[int, str] = {}
    for item in items:
        name: str | None = None
        if item.message_id is not None:
            message = session.get(PhoneMessage, item.message_id)
            name = message.caller if message else None
        elif item.visit_id is not None:
            visit = session.get(Visit, item.visit_id)
            name = visit.name if visit else None
        elif item.enquiry_id is not None:
            enquiry = session.get(Enquiry, item.enquiry_id)
            name = enquiry.from_name if enquiry else None
        if item.id is not None:
            found[item.id] = name or ""
    return found


def topics(session: Session, items: Sequence[Item]) -> dict[int, str]:
    """What each item is about in a few words (the message's subject, the enquiry's summary)."""
    found: dict[int, str] = {}
    for item in items:
        text: str | None = None
        if item.message_id is not None:
            message = session.get(PhoneMessage, item.message_id)
            text = (message.subject or message.body) if message else None
        elif item.enquiry_id is not None:
            enquiry = session.get(Enquiry, item.enquiry_id)
            text = enquiry.summary if enquiry else None
        elif item.visit_id is not None:
            visit = session.get(Visit, item.visit_id)
            text = visit.organisation if visit else None
        if item.id is not None and text:
            found[item.id] = text[:200]
    return found
