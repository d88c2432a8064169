"""The directory cache: people as last seen in Slack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from storage.models import Staff


def remember(
    session: Session, *, user_id: str, handle: str, real_name: str, tz: str | None, now: datetime
) -> Staff:
    """Insert or refresh a person."""
    person = session.get(Staff, user_id)
    if person is None:
        person = Staff(id=user_id, handle=handle, real_name=real_name, tz=tz, updated_at=now)
        session.add(person)
    else:
        person.handle, person.real_name, person.tz, person.updated_at = handle, real_name, tz, now
    session.flush()
    return person


def get(session: Session, user_id: str) -> Staff | None:
    """The person with this Slack user id."""
    return session.get(Staff, user_id)


def everyone(session: Session) -> list[Staff]:
    """Everyone known, by handle."""
    return list(session.scalars(select(Staff).order_by(Staff.handle)))
