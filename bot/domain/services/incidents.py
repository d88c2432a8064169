"""Incidents (policy 003: all incidents of abuse are logged): reported by anyone, seen by managers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.config import DEFAULT_SITE
from bot.domain.contacts import scrub_contacts
from bot.domain.notices import IncidentConfirmation, IncidentNotice, enqueue_notice
from bot.domain.roles import Roles, require_manager
from bot.domain.when import WhenError, parse_when
from storage import incidents
from storage.models import Incident

NOTICE_LIMIT = 300
_WHEN_HELP = (
    "I can't read “{typed}” as a time that has passed: "
    'try "today 10:15", "yesterday 3pm" or "Mon 23 Nov 2026 14:00".'
)


# What an incident opened by a call for help says until a manager completes it.
NOTHING_SAID = "A call for help at the desk (nothing said yet: to be completed)."


class IncidentWhenError(ValueError):
    """What was typed as "When" reads as no instant in the past."""


class IncidentNotFound(LookupError):
    """No such incident."""


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
    tz: ZoneInfo | None = None,
    date_order: str = "MDY",
    site: str = DEFAULT_SITE,
) -> Incident:
    """Log an incident (at `site`, where it was reported), tell the managers' channel (no
    contact details) and confirm to the reporter.

    The typed "When" ("yesterday 3pm") is read in the site's zone `tz` as an instant in the past
    and stored as `occurred_at` (the words are kept beside it, as told); words that read as no
    past instant are refused (IncidentWhenError).
    """
    occurred_at = occurred_instant(occurred, now=now, tz=tz, date_order=date_order)
    if occurred_at is None:
        raise IncidentWhenError(_WHEN_HELP.format(typed=occurred[:60]))
    incident = incidents.add(
        session,
        Incident(
            reported_by=reported_by,
            occurred=occurred,
            occurred_at=occurred_at,
            location=location,
            who=who,
            what=what,
            created_at=now,
            site=site,
        ),
    )
    what_short = scrub_contacts(what)
    if len(what_short) > NOTICE_LIMIT:
        what_short = what_short[: NOTICE_LIMIT - 1] + "…"
    assert incident.id is not None
    notice = IncidentNotice(
        incident_id=incident.id,
        reported_by=reported_by,
        occurred=scrub_contacts(occurred),
        location=scrub_contacts(location) if location else None,
        who=scrub_contacts(who) if who else None,
        what=what_short,
        occurred_at=occurred_at,
    )
    enqueue_notice(
        session,
        notice,
        key=f"incident:{incident.id}:managers",
        target=managers_channel,
        now=now,
    )
    confirmation = IncidentConfirmation(
        incident_id=incident.id, occurred=occurred, occurred_at=occurred_at
    )
    enqueue_notice(
        session,
        confirmation,
        key=f"incident:{incident.id}:confirmation",
        target=reported_by,
        now=now,
    )
    return incident


def complete_incident(
    session: Session,
    *,
    now: datetime,
    incident_id: int,
    by: str,
    roles: Roles,
    occurred: str,
    location: str | None,
    who: str | None,
    what: str,
    tz: ZoneInfo | None = None,
    date_order: str = "MDY",
) -> Incident:
    """A manager completes (or corrects) an incident: when, where, who and what happened."""
    require_manager(roles, by, "complete an incident")
    incident = incidents.get(session, incident_id)
    if incident is None:
        raise IncidentNotFound("that incident is no longer on record")
    occurred_at = occurred_instant(occurred, now=now, tz=tz, date_order=date_order)
    if occurred_at is None:
        raise IncidentWhenError(_WHEN_HELP.format(typed=occurred[:60]))
    incident.occurred, incident.occurred_at = occurred, occurred_at
    incident.location, incident.who, incident.what = location, who, what
    session.add(incident)
    session.flush()
    return incident


def incident_on_record(session: Session, incident_id: int) -> Incident | None:
    """The incident, or None when it is no longer on record."""
    return incidents.get(session, incident_id)


def occurred_instant(
    typed: str, *, now: datetime, tz: ZoneInfo | None, date_order: str
) -> datetime | None:
    """When the incident happened, read from what was typed (None if it reads as no date, or
    as later than now)."""
    if tz is None:
        tz = ZoneInfo("UTC")
    try:
        instant, _ = parse_when(typed, now=now, tz=tz, date_order=date_order, prefer="past")
    except WhenError:
        return None
    return instant if instant <= now else None


def recent_incidents(session: Session, *, by: str, roles: Roles, limit: int = 20) -> list[Incident]:
    """The latest incidents, for managers only."""
    require_manager(roles, by, "see incidents")
    return incidents.recent(session, limit=limit)
