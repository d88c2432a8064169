"""The managers' watch list (`/desk watch`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
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


def with_key(session: Session, name_key: str) -> list[WatchEntry]:
    """The entries for one folded name."""
    statement = select(WatchEntry).where(col(WatchEntry.name_key) == name_key)
    return list(session.scalars(statement.order_by(col(WatchEntry.id))))


def remove_key(session: Session, name_key: str) -> int:
    """Delete the entries for one folded name; return how many."""
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.name_key) == name_key))
    return int(getattr(result, "rowcount", 0) or 0)


def remove_before(session: Session, before: datetime) -> int:
    """Delete the entries added before `before` (retention); return how many."""
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.added_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
