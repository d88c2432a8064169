"""What an item is about, in words fit for a channel: no phone numbers, no e-mail addresses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage import items
from storage.models import Enquiry, Item, PhoneMessage, Visit

KIND_LABELS = {
    "phone_message": "Phone message",
    "visitor_arrival": "Visitor",
    "enquiry_ack": "Enquiry (acknowledge)",
    "enquiry_resolve": "Enquiry (resolve)",
}


@dataclass(frozen=True)
class ItemSummary:
    """One window and what it is about."""

    item_id: int
    kind: str
    who: str  # the caller, visitor or enquirer
    organisation: str | None
    subject: str | None
    urgent: bool
    due_at: datetime
    state: str
    owner_id: str | None
    owner_channel: str | None
    intended_id: str | None
    enquiry_id: int | None = None
    has_contact: bool = False  # a number or e-mail is on record ("Show number" has something)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())

    def params(self) -> dict[str, Any]:
        """JSON-ready fields for an outbox row (safe for a channel)."""
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "label": self.label,
            "who": self.who,
            "organisation": self.organisation,
            "subject": self.subject,
            "urgent": self.urgent,
            "due_at": self.due_at.isoformat(),
            "state": self.state,
            "owner_id": self.owner_id,
            "owner_channel": self.owner_channel,
            "intended_id": self.intended_id,
            "enquiry_id": self.enquiry_id,
            "has_contact": self.has_contact,
        }


def summarise(session: Session, item: Item) -> ItemSummary:
    """Say what `item` is about."""
    who, organisation, subject, urgent, has_contact = "someone", None, None, False, False
    if item.message_id is not None:
        message = session.get(PhoneMessage, item.message_id)
        if message is not None:
            who, organisation, urgent = message.caller, message.organisation, message.urgent
            has_contact = bool(message.phone or message.email)
            subject = message.subject or _first_words(message.body)
    elif item.visit_id is not None:
        visit = session.get(Visit, item.visit_id)
        if visit is not None:
            who, organisation = visit.name, visit.organisation
            subject = f"at reception, pass {visit.pass_number}" if visit.pass_number else None
    elif item.enquiry_id is not None:
        enquiry = session.get(Enquiry, item.enquiry_id)
        if enquiry is not None:
            who = enquiry.from_name
            ref = enquiry.ref or f"E-{enquiry.id or 0:04d}"
            subject = f"{ref} {enquiry.kind} via {enquiry.channel.replace('_', ' ')}: " + (
                _first_words(enquiry.summary) or ""
            )
    assert item.id is not None
    return ItemSummary(
        item_id=item.id,
        kind=item.kind,
        who=who,
        organisation=organisation,
        subject=subject,
        urgent=urgent,
        due_at=item.due_at,
        state=item.state,
        owner_id=item.owner_id,
        owner_channel=item.owner_channel,
        intended_id=item.intended_id,
        enquiry_id=item.enquiry_id,
        has_contact=has_contact,
    )


def open_items_of(session: Session, user_id: str) -> list[ItemSummary]:
    """`user_id`'s open items, soonest due first."""
    return summarise_all(session, items.open_for(session, owner_id=user_id))


def summarise_all(session: Session, found: Sequence[Item]) -> list[ItemSummary]:
    """Summaries of several items, in the order given."""
    return [summarise(session, item) for item in found]


def _first_words(text: str | None, limit: int = 80) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
