"""Incidents: abusive contacts, logged for managers."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Incident


def add(session: Session, incident: Incident) -> Incident:
    """Store an incident and give it its id."""
    session.add(incident)
    session.flush()
    return incident


def recent(session: Session, *, limit: int = 20) -> list[Incident]:
    """The latest incidents, newest first."""
    statement = (
        select(Incident).order_by(col(Incident.created_at).desc(), col(Incident.id).desc())
    ).limit(limit)
    return list(session.scalars(statement))


def get(session: Session, incident_id: int) -> Incident | None:
    """One incident, locked for this transaction (a manager's edits take turns)."""
    return session.get(Incident, incident_id, with_for_update=True)
