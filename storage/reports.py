"""What the managers' report reads: windows, calls, visits, incidents and late notices in a
period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlmodel import Session, col

from storage.models import (
    AssistCall,
    AuditEvent,
    CustomerReply,
    Enquiry,
    Incident,
    Item,
    PhoneCall,
    PhoneMessage,
    Staff,
    Visit,
)

STAGE_OF = {"enquiry_ack": "acknowledge", "enquiry_resolve": "resolve"}


@dataclass(frozen=True)
class ItemFacts:
    """One window, as the report needs it."""

    id: int
    kind: str
    owner: str  # a user ID, or the channel when the desk has it
    owner_is_person: bool
    started_at: datetime
    due_at: datetime
    done_at: datetime | None
    outcome: str | None
    revised: bool
    enquiry_kind: str | None
    enquiry_channel: str | None
    enquiry_ref: str | None = None
    told_by: str | None = None  # how the customer was told at this stage (a medium)
    customer_outcome: str | None = None  # at "Resolved": what was decided
    team: str | None = None  # the team it opened with


def _due_or_done_in(start: datetime, end: datetime) -> Any:
    return or_(
        and_(col(Item.due_at) >= start, col(Item.due_at) < end),
        and_(col(Item.done_at) >= start, col(Item.done_at) < end),
    )


def _at_site(site: str | None) -> Any:
    """Items received at `site` (every item when None)."""
    return true() if site is None else col(Item.site) == site


def _received_at(site: str | None, joined: Any) -> Any:
    """Some item `joined` to the row was received at `site` (always true when None)."""
    if site is None:
        return true()
    return exists().where(joined, _at_site(site))


def items_due_or_done(
    session: Session, start: datetime, end: datetime, site: str | None = None
) -> list[ItemFacts]:
    """Windows due in [start, end), or answered in it, oldest first (DESIGN "Reports": a period
    counts the items due in it and the answers and breaches that happened in it); at `site`."""
    statement = (
        select(Item, col(Enquiry.kind), col(Enquiry.channel), col(Enquiry.ref))
        .outerjoin(Enquiry, col(Enquiry.id) == col(Item.enquiry_id))
        .where(_due_or_done_in(start, end), _at_site(site))
        .order_by(col(Item.started_at), col(Item.id))
    )
    rows = session.execute(statement).all()
    told = _told(session, {item.enquiry_id for item, *_ in rows if item.enquiry_id is not None})
    facts = []
    for item, enquiry_kind, enquiry_channel, enquiry_ref in rows:
        reply = told.get((item.enquiry_id, STAGE_OF.get(item.kind, "")))
        facts.append(
            ItemFacts(
                id=item.id,
                kind=item.kind,
                owner=item.owner_id or item.owner_channel or "?",
                owner_is_person=item.owner_id is not None,
                started_at=item.started_at,
                due_at=item.due_at,
                done_at=item.done_at,
                outcome=item.outcome,
                revised=item.deadline_version > 1,
                enquiry_kind=enquiry_kind,
                enquiry_channel=enquiry_channel,
                enquiry_ref=enquiry_ref,
                told_by=reply.medium if reply else None,
                customer_outcome=reply.outcome if reply else None,
                team=item.team,
            )
        )
    return facts


def _told(session: Session, enquiry_ids: set[int]) -> dict[tuple[int, str], CustomerReply]:
    """What the customer was told at each stage of these enquiries (the last word of each)."""
    if not enquiry_ids:
        return {}
    statement = (
        select(CustomerReply)
        .where(col(CustomerReply.enquiry_id).in_(sorted(enquiry_ids)))
        .order_by(col(CustomerReply.at), col(CustomerReply.id))
    )
    return {
        (int(reply.enquiry_id or 0), reply.stage): reply for reply in session.scalars(statement)
    }


def enquiries_received(
    session: Session, start: datetime, end: datetime, site: str | None = None
) -> list[tuple[str, str]]:
    """(kind, channel) of each enquiry received in [start, end) (at `site`, or anywhere)."""
    statement = select(col(Enquiry.kind), col(Enquiry.channel)).where(
        col(Enquiry.received_at) >= start, col(Enquiry.received_at) < end
    )
    if site is not None:
        # An enquiry's site is its windows' (the site that received it).
        sited = select(col(Item.enquiry_id)).where(col(Item.site) == site)
        statement = statement.where(col(Enquiry.id).in_(sited))
    return [(str(kind), str(channel)) for kind, channel in session.execute(statement).all()]


def names(session: Session) -> dict[str, str]:
    """Each known person's handle (else real name), by user ID, for the CSV."""
    rows = session.execute(select(col(Staff.id), col(Staff.handle), col(Staff.real_name)))
    return {str(user_id): str(handle or real or user_id) for user_id, handle, real in rows.all()}


def teams(session: Session) -> dict[str, str]:
    """Each known person's team (people with none are left out)."""
    rows = session.execute(
        select(col(Staff.id), col(Staff.team)).where(col(Staff.team).is_not(None))
    )
    return {str(user_id): str(team) for user_id, team in rows.all()}


@dataclass(frozen=True)
class CallFacts:
    """One call, as the report counts it (no name, no number)."""

    source: str  # call (`/call`) | phone_message | enquiry (by phone)
    id: int
    direction: str  # in | out
    at: datetime


def _column_at(column: Any, site: str | None) -> Any:
    """Rows of `site` (`/call`, incidents: the site that received them); every row when None."""
    return true() if site is None else column == site


def call_times(
    session: Session, start: datetime, end: datetime, site: str | None = None
) -> list[CallFacts]:
    """Each call in [start, end) (at `site`), oldest first: calls logged with `/call`, and
    phone messages and enquiries by phone (calls in)."""
    logged = session.execute(
        select(col(PhoneCall.id), col(PhoneCall.direction), col(PhoneCall.at)).where(
            col(PhoneCall.at) >= start,
            col(PhoneCall.at) < end,
            _column_at(col(PhoneCall.site), site),
        )
    )
    messages = session.execute(
        select(col(PhoneMessage.id), col(PhoneMessage.taken_at)).where(
            col(PhoneMessage.taken_at) >= start,
            col(PhoneMessage.taken_at) < end,
            _received_at(site, col(Item.message_id) == col(PhoneMessage.id)),
        )
    )
    enquiries = session.execute(
        select(col(Enquiry.id), col(Enquiry.received_at)).where(
            col(Enquiry.channel) == "phone",
            col(Enquiry.received_at) >= start,
            col(Enquiry.received_at) < end,
            _received_at(site, col(Item.enquiry_id) == col(Enquiry.id)),
        )
    )
    found = [CallFacts("call", int(i), str(d), at) for i, d, at in logged.all()]
    found += [CallFacts("phone_message", int(i), "in", at) for i, at in messages.all()]
    found += [CallFacts("enquiry", int(i), "in", at) for i, at in enquiries.all()]
    return sorted(found, key=lambda c: (c.at, c.source, c.id))


def incidents_in(session: Session, start: datetime, end: datetime, site: str | None = None) -> int:
    """How many incidents happened in [start, end) (by when they happened, not were logged)."""
    statement = select(func.count()).where(
        col(Incident.occurred_at) >= start,
        col(Incident.occurred_at) < end,
        _column_at(col(Incident.site), site),
    )
    return int(session.scalar(statement) or 0)


def incidents_between(
    session: Session, start: datetime, end: datetime, site: str | None = None
) -> tuple[list[Incident], dict[int, bool]]:
    """The incidents that happened in [start, end), earliest first, and which of them a call
    for help (`/desk assist`) opened."""
    found = list(
        session.scalars(
            select(Incident)
            .where(
                col(Incident.occurred_at) >= start,
                col(Incident.occurred_at) < end,
                _column_at(col(Incident.site), site),
            )
            .order_by(col(Incident.occurred_at), col(Incident.id))
        )
    )
    ids = [incident.id for incident in found if incident.id is not None]
    called = session.scalars(
        select(col(AssistCall.incident_id)).where(col(AssistCall.incident_id).in_(ids))
    )
    return found, {int(i): True for i in called.all() if i is not None}


def late_notices(session: Session, start: datetime, end: datetime, site: str | None = None) -> int:
    """How many "Running late" notices were given in [start, end) (at `site`)."""
    statement = select(func.count()).where(
        col(AuditEvent.action) == "late_notice",
        col(AuditEvent.at) >= start,
        col(AuditEvent.at) < end,
        _received_at(site, col(Item.id) == col(AuditEvent.item_id)),
    )
    return int(session.scalar(statement) or 0)


def visits_arrived(
    session: Session, start: datetime, end: datetime, site: str | None = None
) -> int:
    """How many visitors arrived in [start, end) (at `site`)."""
    statement = select(func.count()).where(
        col(Visit.arrived_at) >= start,
        col(Visit.arrived_at) < end,
        true() if site is None else col(Visit.site) == site,
    )
    return int(session.scalar(statement) or 0)


def anything_in(session: Session, start: datetime, end: datetime, site: str | None = None) -> bool:
    """Whether the period holds any window, call, visit or incident at all (at `site`)."""
    item = session.scalar(
        select(col(Item.id)).where(_due_or_done_in(start, end), _at_site(site)).limit(1)
    )
    return (
        item is not None
        or bool(call_times(session, start, end, site))
        or bool(visits_arrived(session, start, end, site))
        or bool(incidents_in(session, start, end, site))
    )
