"""What the owner tells the customer: the policy's `[templates]`, filled for one enquiry
(or phone message).

The text is pre-filled in the "Acknowledged" and "Resolved" forms, in the "Running late…"
reminder and in a phone message's "Interim call back…" form, so the owner can copy it into a
letter, an e-mail or a call's notes. Dates are written out in the site's time zone
("Friday 4 December 2026"), as a letter would have them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.config import TemplatesConfig
from storage import staff

STAGES = ("acknowledge", "resolve", "late", "interim")


@dataclass(frozen=True)
class CustomerFacts:
    """What a template may name (see bot.domain.config.PLACEHOLDERS)."""

    customer: str
    kind: str
    ref: str
    owner: str
    acknowledge_by: datetime | None
    resolve_by: datetime | None
    revised_by: datetime | date | None = None


def owner_name(session: Session, owner_id: str | None) -> str:
    """How the customer is told who has their case: the owner's name, else the front desk."""
    person = staff.get(session, owner_id) if owner_id else None
    return (person.real_name or person.handle) if person else "our front desk"


def written_date(instant: datetime | date | None, tz: ZoneInfo) -> str:
    """`Friday 4 December 2026` (the day, in the site's zone), or "" for none."""
    if instant is None:
        return ""
    day = instant.astimezone(tz).date() if isinstance(instant, datetime) else instant
    return f"{day:%A} {day.day} {day:%B %Y}"


def customer_text(
    templates: TemplatesConfig, stage: str, facts: CustomerFacts, tz: ZoneInfo
) -> str:
    """The `stage` template ("acknowledge", "resolve", "late" or "interim") filled with
    `facts`: the kind's own text (`[templates.kind.<kind>]`) if it has one, else the general."""
    template = templates.text(stage, facts.kind)
    last = facts.resolve_by or facts.acknowledge_by
    return template.format(
        customer=facts.customer,
        kind=facts.kind.replace("_", " "),
        ref=facts.ref,
        owner=facts.owner,
        acknowledge_by=written_date(facts.acknowledge_by or last, tz),
        resolve_by=written_date(last, tz),
        revised_by=written_date(facts.revised_by or last, tz),
    )
