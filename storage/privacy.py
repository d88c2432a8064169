"""Personal data: the posts that named someone, and anonymising the records that hold it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlmodel import Session, col

from storage import at_commit
from storage.models import (
    AssistCall,
    AuditEvent,
    CustomerReply,
    Enquiry,
    Incident,
    Item,
    Outbox,
    PhoneCall,
    PhoneMessage,
    SlackPost,
    Visit,
)
from storage.names import name_key

ANONYMISED = "(anonymised)"
_INSERT_POST = insert(SlackPost.__table__)  # type: ignore[attr-defined]


def remember_post(
    connection: Connection,
    *,
    channel: str,
    ts: str,
    now: datetime,
    visit_id: int | None = None,
    message_id: int | None = None,
    enquiry_id: int | None = None,
    item_id: int | None = None,
) -> None:
    """Keep a post's channel and ts against what it named, so it can be redacted later."""
    # A Core insert: the sender makes one for every post, and the ORM's unit of work for a
    # single new row costs more than the row (bench/README.md).
    values = {
        "channel": channel,
        "ts": ts,
        "visit_id": visit_id,
        "message_id": message_id,
        "enquiry_id": enquiry_id,
        "item_id": item_id,
        "created_at": now,
    }
    connection.execute(_INSERT_POST, values)


def posts_naming(
    session: Session,
    *,
    visit_ids: Sequence[int] = (),
    message_ids: Sequence[int] = (),
    enquiry_ids: Sequence[int] = (),
) -> list[SlackPost]:
    """Every remembered post about these visits, messages or enquiries (or their windows)."""
    item_ids = _item_ids(session, visit_ids, message_ids, enquiry_ids)
    conditions = [
        col(column).in_(list(ids))
        for column, ids in (
            (SlackPost.visit_id, visit_ids),
            (SlackPost.message_id, message_ids),
            (SlackPost.enquiry_id, enquiry_ids),
            (SlackPost.item_id, item_ids),
        )
        if ids
    ]
    if not conditions:
        return []
    statement = select(SlackPost).where(or_(*conditions)).order_by(col(SlackPost.id))
    return list(session.scalars(statement))


def forget_posts(session: Session, posts: Sequence[SlackPost]) -> None:
    """Drop the record of posts once their redaction is queued."""
    for post in posts:
        session.delete(post)


def _item_ids(
    session: Session,
    visit_ids: Sequence[int],
    message_ids: Sequence[int],
    enquiry_ids: Sequence[int],
) -> list[int]:
    conditions = [
        col(column).in_(list(ids))
        for column, ids in (
            (Item.visit_id, visit_ids),
            (Item.message_id, message_ids),
            (Item.enquiry_id, enquiry_ids),
        )
        if ids
    ]
    if not conditions:
        return []
    found = session.scalars(select(col(Item.id)).where(or_(*conditions)))
    return [int(i) for i in found if i is not None]


# --- finding what to anonymise ----------------------------------------------------------------


def visits_before(session: Session, before: datetime) -> list[Visit]:
    """Visits not yet anonymised whose record started before `before`."""
    statement = select(Visit).where(
        col(Visit.anonymised).is_(False),
        or_(
            col(Visit.arrived_at) < before,
            and_(col(Visit.arrived_at).is_(None), col(Visit.created_at) < before),
        ),
    )
    return list(session.scalars(statement.order_by(col(Visit.id))))


def messages_before(session: Session, before: datetime) -> list[PhoneMessage]:
    """Phone messages not yet anonymised, taken before `before`."""
    statement = select(PhoneMessage).where(
        col(PhoneMessage.anonymised).is_(False), col(PhoneMessage.taken_at) < before
    )
    return list(session.scalars(statement.order_by(col(PhoneMessage.id))))


def enquiries_before(session: Session, before: datetime) -> list[Enquiry]:
    """Enquiries not yet anonymised, received before `before`, none of whose windows is open.

    An enquiry still being worked keeps its details until it is resolved.
    """
    still_open = select(col(Item.enquiry_id)).where(
        col(Item.enquiry_id).is_not(None), col(Item.state) != "done"
    )
    statement = select(Enquiry).where(
        col(Enquiry.anonymised).is_(False),
        col(Enquiry.received_at) < before,
        col(Enquiry.id).not_in(still_open),
    )
    return list(session.scalars(statement.order_by(col(Enquiry.id))))


def named(session: Session, name: str) -> tuple[list[Visit], list[PhoneMessage], list[Enquiry]]:
    """Records not yet anonymised whose person is called `name` (case, accents, spacing and
    titles ignored: storage/names.py)."""
    wanted = name_key(name)
    found_visits = list(
        session.scalars(
            select(Visit)
            .where(col(Visit.anonymised).is_(False), col(Visit.name_key) == wanted)
            .order_by(col(Visit.id))
        )
    )
    found_messages = [
        m
        for m in session.scalars(
            select(PhoneMessage).where(col(PhoneMessage.anonymised).is_(False))
        )
        if name_key(m.caller) == wanted
    ]
    found_enquiries = [
        e
        for e in session.scalars(select(Enquiry).where(col(Enquiry.anonymised).is_(False)))
        if name_key(e.from_name) == wanted
    ]
    return found_visits, found_messages, found_enquiries


def calls_before(session: Session, before: datetime) -> list[PhoneCall]:
    """Calls (`/call`) not yet anonymised, logged before `before`."""
    statement = select(PhoneCall).where(
        col(PhoneCall.anonymised).is_(False), col(PhoneCall.at) < before
    )
    return list(session.scalars(statement.order_by(col(PhoneCall.id))))


def incidents_before(session: Session, before: datetime) -> list[Incident]:
    """Incidents not yet anonymised that happened before `before`."""
    statement = select(Incident).where(
        col(Incident.anonymised).is_(False), col(Incident.occurred_at) < before
    )
    return list(session.scalars(statement.order_by(col(Incident.id))))


def named_calls_and_incidents(
    session: Session, name: str
) -> tuple[list[PhoneCall], list[Incident]]:
    """Calls whose caller is called `name`, and incidents whose "who" or "what happened" names
    them (case and spacing ignored), not yet anonymised."""
    wanted = _norm(name)
    found_calls = [
        c
        for c in session.scalars(select(PhoneCall).where(col(PhoneCall.anonymised).is_(False)))
        if _norm(c.name) == wanted
    ]
    found_incidents = [
        i
        for i in session.scalars(select(Incident).where(col(Incident.anonymised).is_(False)))
        if _names(i.who or "", wanted) or _names(i.what, wanted)
    ]
    return found_calls, found_incidents


def _names(text: str, wanted: str) -> bool:
    """Whether `text` holds the name `wanted` (already normalised) as whole words."""
    words = "".join(ch if ch.isalnum() or ch in "'-." else " " for ch in text)
    return bool(wanted) and f" {wanted} " in f" {_norm(words)} "


def _norm(name: str) -> str:
    return name_key(name)


# --- anonymising ------------------------------------------------------------------------------


def anonymise_visit(session: Session, visit: Visit) -> None:
    """Remove the visitor's name, organisation, note, access needs, ID type and escort; the
    visit still counts."""
    visit.name, visit.organisation, visit.note = ANONYMISED, None, None
    visit.needs, visit.id_type, visit.escort_id = None, None, None
    visit.anonymised = True
    session.add(visit)


def anonymise_message(session: Session, message: PhoneMessage) -> None:
    """Remove the caller's name, organisation, number, e-mail, subject and message, and what
    they were told at an interim call back (which names them)."""
    message.caller, message.organisation = ANONYMISED, None
    message.phone, message.phone_e164, message.email = None, None, None
    message.subject, message.body = None, None
    message.anonymised = True
    session.add(message)
    session.execute(
        update(CustomerReply).where(col(CustomerReply.message_id) == message.id).values(said=None)
    )


def anonymise_enquiry(session: Session, enquiry: Enquiry) -> None:
    """Remove the name, the summary, the contact and what the customer was told (which names
    them); kind, channel, reference, times, mediums and outcomes stay for the reports."""
    enquiry.from_name, enquiry.summary = ANONYMISED, ""
    enquiry.contact, enquiry.needs = None, None
    enquiry.anonymised = True
    session.add(enquiry)
    session.execute(
        update(CustomerReply).where(col(CustomerReply.enquiry_id) == enquiry.id).values(said=None)
    )


def anonymise_call(session: Session, call: PhoneCall) -> None:
    """Remove the caller's name, organisation, number and subject; the call still counts."""
    call.name, call.organisation = ANONYMISED, None
    call.phone, call.phone_e164, call.subject = None, None, None
    call.anonymised = True
    session.add(call)


def anonymise_incident(session: Session, incident: Incident) -> list[int]:
    """Remove who was involved and what happened (and what the call for help that opened it
    said); when, where, who reported and who answered stay for the reports. Returns the ids of
    those calls for help, whose posts are redacted too."""
    incident.who, incident.what, incident.occurred = None, ANONYMISED, ""
    incident.anonymised = True
    session.add(incident)
    assisted = list(
        session.scalars(select(AssistCall).where(col(AssistCall.incident_id) == incident.id))
    )
    for call in assisted:
        call.what = None
        session.add(call)
    return [int(call.id) for call in assisted if call.id is not None]


def clear_outbox_params(
    session: Session,
    *,
    key_prefixes: Sequence[str] = (),
    item_ids: Sequence[int] = (),
    before: datetime | None = None,
) -> int:
    """Empty the stored parameters (names, numbers) of finished outbox rows.

    Rows are chosen by key prefix (`visit:12:`), by window, or by age; pending rows are left
    to be sent.
    """
    conditions = [col(Outbox.key).startswith(prefix) for prefix in key_prefixes]
    if item_ids:
        conditions.append(col(Outbox.item_id).in_(list(item_ids)))
    if before is not None:
        conditions.append(col(Outbox.created_at) < before)
    if not conditions:
        return 0
    statement = (
        update(Outbox)
        .where(or_(*conditions), col(Outbox.state) != "pending", col(Outbox.params) != "{}")
        .values(params="{}")
    )
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)


def clear_correction_details(
    session: Session, *, visit_ids: Sequence[int] = (), item_ids: Sequence[int] = ()
) -> None:
    """Empty the old and new values that corrections left in the audit trail (a name, or who
    it was for): the line that a correction was made stays."""
    conditions = [
        col(column).in_(list(ids))
        for column, ids in ((AuditEvent.visit_id, visit_ids), (AuditEvent.item_id, item_ids))
        if ids
    ]
    if not conditions:
        return
    at_commit.send(session)  # audit lines this transaction queued are cleared too
    session.execute(
        update(AuditEvent)
        .where(or_(*conditions), col(AuditEvent.action) == "corrected")
        .values(detail=None)
    )


def item_ids_of(
    session: Session,
    *,
    visit_ids: Sequence[int] = (),
    message_ids: Sequence[int] = (),
    enquiry_ids: Sequence[int] = (),
) -> list[int]:
    """The windows of these visits, messages and enquiries."""
    return _item_ids(session, visit_ids, message_ids, enquiry_ids)
