"""The directory Front Desk remembers (the Staff table): who the board lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import staff
from storage.models import Staff


@dataclass(frozen=True)
class KnownPerson:
    """A person as Slack last described them."""

    id: str
    handle: str
    real_name: str
    tz: str | None


def remember(session: Session, people: Iterable[KnownPerson], *, now: datetime) -> None:
    """Add these people to the directory, refreshing any whose details changed."""
    for person in people:
        known = staff.get(session, person.id)
        if known is not None and (known.handle, known.real_name, known.tz) == (
            person.handle,
            person.real_name,
            person.tz,
        ):
            continue
        staff.remember(
            session,
            user_id=person.id,
            handle=person.handle,
            real_name=person.real_name,
            tz=person.tz,
            now=now,
        )


def everyone(session: Session) -> list[Staff]:
    """Everyone remembered, by handle."""
    return staff.everyone(session)
