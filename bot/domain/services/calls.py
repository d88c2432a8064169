"""Calls handled without a message (policy: every call made and received is counted, for
analytics and resourcing). Nothing is posted: the call is logged for the reports, its number
kept as private as a phone message's."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.config import DEFAULT_SITE, Policy
from bot.domain.services.messages import parse_phone, phone_region
from storage import calls
from storage.models import PhoneCall

DIRECTIONS = ("in", "out")


def log_call(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    logged_by: str,
    direction: str,
    name: str,
    organisation: str | None = None,
    phone: str | None = None,
    subject: str | None = None,
    site: str = DEFAULT_SITE,
) -> PhoneCall:
    """Log a call in or out at `now`, received at `site`; the number read as a phone
    message's is."""
    if direction not in DIRECTIONS:
        raise ValueError(f"a call goes in or out, not {direction!r}")
    read = parse_phone(phone, phone_region(policy.site.holidays)) if phone else None
    return calls.add(
        session,
        PhoneCall(
            direction=direction,
            name=name,
            organisation=organisation,
            phone=read.display if read else None,
            phone_e164=read.e164 if read else None,
            phone_valid=read.valid if read else True,
            subject=subject,
            logged_by=logged_by,
            at=now,
            site=site,
        ),
    )
