"""Days closed at run time (`/desk close`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Closure


def add(
    session: Session,
    *,
    day: date,
    reason: str | None,
    added_by: str,
    now: datetime,
    site: str = "default",
) -> bool:
    """Record a closed day at `site`; False if it was already closed."""
    if session.get(Closure, (site, day)) is not None:
        return False
    session.add(Closure(site=site, day=day, reason=reason, added_by=added_by, added_at=now))
    session.flush()
    return True


def all_days(session: Session) -> list[tuple[str, date]]:
    """Every closed day on record, with its site."""
    rows = session.execute(select(col(Closure.site), col(Closure.day)).order_by(col(Closure.day)))
    return [(site, day) for site, day in rows]
