"""Incidents (policy 003: all incidents of abuse are logged): reported by anyone, seen by managers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.contacts import scrub_contacts
from bot.roles import Roles, require_manager
from storage import incidents, outbox
from storage.models import Incident

NOTICE_LIMIT = 300


def report_incident(
    session: Session,
    *,
    now: datetime,
    reported_by: str,
    occurred: str,
    location: str | None,
    who: str | None,
    what: str,
    managers_channel: str,
) -> Incident:
    """Log an incident, tell the managers' channel (no contact details) and confirm to the
    reporter."""
    incident = incidents.add(
        session,
        Incident(
            reported_by=reported_by,
            occurred=occurred,
            location=location,
            who=who,
            what=what,
            created_at=now,
        ),
    )
    what_short = scrub_contacts(what)
    if len(what_short) > NOTICE_LIMIT:
        what_short = what_short[: NOTICE_LIMIT - 1] + "…"
    outbox.enqueue(
        session,
        key=f"incident:{incident.id}:managers",
        template="incident_notice",
        target=managers_channel,
        params={
            "incident_id": incident.id,
            "reported_by": reported_by,
            "occurred": scrub_contacts(occurred),
            "location": scrub_contacts(location) if location else None,
            "who": scrub_contacts(who) if who else None,
            "what": what_short,
        },
        now=now,
    )
    outbox.enqueue(
        session,
        key=f"incident:{incident.id}:confirmation",
        template="incident_confirmation",
        target=reported_by,
        params={"incident_id": incident.id, "occurred": occurred},
        now=now,
    )
    return incident


def recent_incidents(session: Session, *, by: str, roles: Roles, limit: int = 20) -> list[Incident]:
    """The latest incidents, for managers only."""
    require_manager(roles, by, "see incidents")
    return incidents.recent(session, limit=limit)
