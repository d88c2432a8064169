"""The directory Front Desk keeps (the Staff table): who is in the workspace, by whom the ack
path looks people up and the board lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import staff
from storage.models import Staff


@dataclass(frozen=True)
class KnownPerson:
    """A person as Slack last described them; `deleted`: deactivated, so gone."""

    id: str
    handle: str
    real_name: str
    tz: str | None
    deleted: bool = False


def _described(person: KnownPerson) -> staff.Described:
    return staff.Described(person.id, person.handle, person.real_name, person.tz, person.deleted)


def _known(row: Staff) -> KnownPerson:
    return KnownPerson(row.id, row.handle, row.real_name, row.tz, row.deleted)


def lookup(session: Session, user_id: str) -> KnownPerson | None:
    """The person as the directory holds them (gone ones too), or None if it has never heard of them."""
    row = staff.get(session, user_id)
    return _known(row) if row is not None else None


def remember(session: Session, people: Iterable[KnownPerson], *, now: datetime) -> None:
    """Add these people to the directory, refreshing any whose details changed."""
    changed = [
        person
        for person in people
        if (known := staff.get(session, person.id)) is None or _known(known) != person
    ]
    if changed:
        staff.upsert(session, [_described(p) for p in changed], now=now)


def replace_all(session: Session, listing: Iterable[KnownPerson], *, now: datetime) -> int:
    """The whole workspace as Slack listed it at `now`: write everyone, and mark anyone it no
    longer lists as gone; return how many were listed."""
    people = list(listing)
    staff.mark_gone_except(session, [p.id for p in people], as_of=now, now=now)
    staff.upsert(session, [_described(p) for p in people], now=now, listed=True)
    return len(people)


def ever_listed(session: Session) -> bool:
    """Whether the whole workspace has been written to the directory at least once."""
    return staff.last_listed(session) is not None


def refresh_due(session: Session, *, now: datetime, every: timedelta) -> bool:
    """Whether the workspace was never listed, or last listed `every` ago or longer."""
    last = staff.last_listed(session)
    return last is None or last <= now - every


def everyone(session: Session) -> list[Staff]:
    """Everyone still in the workspace, by handle."""
    return staff.everyone(session)
