"""The managers' watch list (`/desk watch`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlmodel import Session, col

from storage.models import WatchEntry


def add(session: Session, entry: WatchEntry) -> WatchEntry:
    """Store a new entry."""
    session.add(entry)
    session.flush()
    return entry


def all_entries(session: Session) -> list[WatchEntry]:
    """Every entry, oldest first."""
    return list(session.scalars(select(WatchEntry).order_by(col(WatchEntry.id))))


# Asked at every sign-in: built once.
_WITH_KEY = (
    select(WatchEntry)
    .where(col(WatchEntry.name_key) == bindparam("p_key"))
    .order_by(col(WatchEntry.id))
)


def with_key(session: Session, name_key: str) -> list[WatchEntry]:
    """The entries for one folded name."""
    return list(session.scalars(_WITH_KEY, {"p_key": name_key}))


def remove_key(session: Session, name_key: str) -> int:
    """Delete the entries for one folded name; return how many."""
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.name_key) == name_key))
    return int(getattr(result, "rowcount", 0) or 0)


def remove_before(session: Session, before: datetime) -> int:
    """Delete the entries added before `before` (retention); return how many."""
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.added_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
