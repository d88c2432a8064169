"""Read models across aggregates: what was meant for someone, and what each item is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class _About:
    """The records a batch of items is about, each kind read in one query."""

    messages: dict[int, PhoneMessage]
    visits: dict[int, Visit]
    enquiries: dict[int, Enquiry]


def _by_id(session: Session, model: type[Any], ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(col(model.id).in_(ids)))}


def _about(session: Session, items: Sequence[Item]) -> _About:
    return _About(
        messages=_by_id(session, PhoneMessage, {i.message_id for i in items if i.message_id}),
        visits=_by_id(session, Visit, {i.visit_id for i in items if i.visit_id}),
        enquiries=_by_id(session, Enquiry, {i.enquiry_id for i in items if i.enquiry_id}),
    )


def _subject(item: Item, about: _About) -> str:
    if item.message_id is not None:
        message = about.messages.get(item.message_id)
        return message.caller if message else ""
    if item.visit_id is not None:
        visit = about.visits.get(item.visit_id)
        return visit.name if visit else ""
    if item.enquiry_id is not None:
        enquiry = about.enquiries.get(item.enquiry_id)
        return enquiry.from_name if enquiry else ""
    return ""


def _topic(item: Item, about: _About) -> str | None:
    if item.message_id is not None:
        message = about.messages.get(item.message_id)
        return (message.subject or message.body) if message else None
    if item.enquiry_id is not None:
        enquiry = about.enquiries.get(item.enquiry_id)
        return enquiry.summary if enquiry else None
    if item.visit_id is not None:
        visit = about.visits.get(item.visit_id)
        return visit.organisation if visit else None
    return None


def subjects_and_topics(
    session: Session, items: Sequence[Item]
) -> tuple[dict[int, str], dict[int, str]]:
    """Who each item is about (the caller, the visitor, whoever the enquiry is from), and what
    it is about in a few words (the message's subject, the enquiry's summary, the visitor's
    organisation); at most one query for each kind of record."""
    about = _about(session, items)
    names: dict[int, str] = {}
    topics: dict[int, str] = {}
    for item in items:
        if item.id is None:
            continue
        names[item.id] = _subject(item, about)
        text = _topic(item, about)
        if text:
            topics[item.id] = text[:200]
    return names, topics


def subjects(session: Session, items: Sequence[Item]) -> dict[int, str]:
    """Who each item is about."""
    return subjects_and_topics(session, items)[0]
