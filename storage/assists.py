"""Calls for help at the desk (`/desk assist`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import AssistCall


def add(session: Session, call: AssistCall) -> AssistCall:
    """Store a call for help and give it its id."""
    session.add(call)
    session.flush()
    return call


def locked(session: Session, assist_id: int) -> AssistCall | None:
    """The call for help, locked for this transaction (two presses of "On my way" take turns)."""
    return session.get(AssistCall, assist_id, with_for_update=True, populate_existing=True)


def due_louder(session: Session, *, now: datetime) -> list[AssistCall]:
    """Unanswered calls for help whose louder alert is due, locked (skipped by other workers)."""
    statement = (
        select(AssistCall)
        .where(col(AssistCall.louder_at).is_not(None), col(AssistCall.louder_at) <= now)
        .order_by(col(AssistCall.louder_at), col(AssistCall.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def next_louder_at(session: Session, *, after: datetime) -> datetime | None:
    """The earliest louder alert still to come after `after`."""
    statement = (
        select(col(AssistCall.louder_at))
        .where(col(AssistCall.louder_at).is_not(None), col(AssistCall.louder_at) > after)
        .order_by(col(AssistCall.louder_at))
        .limit(1)
    )
    return session.scalar(statement)


def of_incident(session: Session, incident_id: int) -> list[AssistCall]:
    """The calls for help that opened an incident."""
    statement = select(AssistCall).where(col(AssistCall.incident_id) == incident_id)
    return list(session.scalars(statement))
