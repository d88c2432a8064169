"""The managers' watch list (`/desk watch`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlmodel import Session, col

from storage import transaction_memo
from storage.models import WatchEntry

# The entries for a name read ahead with a sign-in's visits (storage.visits), kept for the
# ask that follows, taken once, and dropped when the transaction writes an entry or ends.
_READ = transaction_memo.kept_until_written("frontdesk.watch_list.read", WatchEntry)


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
    read = session.info.get(_READ)
    if read and (found := read.pop(name_key, None)) is not None:
        return found
    return list(session.scalars(_WITH_KEY, {"p_key": name_key}))


def read_with(session: Session, name_key: str, entries: list[WatchEntry]) -> None:
    """Keep `entries`, read with something else, as the next `with_key(name_key)`'s answer."""
    ordered = sorted(entries, key=lambda entry: entry.id or 0)
    session.info.setdefault(_READ, {})[name_key] = ordered


def remove_key(session: Session, name_key: str) -> int:
    """Delete the entries for one folded name; return how many."""
    transaction_memo.forget(session, _READ)  # no flush sees this write
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.name_key) == name_key))
    return int(getattr(result, "rowcount", 0) or 0)


def remove_before(session: Session, before: datetime) -> int:
    """Delete the entries added before `before` (retention); return how many."""
    transaction_memo.forget(session, _READ)
    result = session.execute(delete(WatchEntry).where(col(WatchEntry.added_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
