"""Whose App Home committed work changed: a Home refresh task is written with the work.

Every session's flushes are watched (once this module is imported); just before a transaction
commits, the people it touched — whose items, visits or status changed — each get a `home`
task (storage.tasks) in that same transaction (sent with its other last writes in one
statement, storage.at_commit), so a refresh is never lost to a crash and a
rolled-back transaction refreshes no one. Bulk `UPDATE` statements are not seen: change these
tables through the ORM.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from storage import at_commit, rows, tasks
from storage.models import Absence, Item, Presence, Visit

# Which columns name the person whose App Home shows the row.
PEOPLE_COLUMNS: dict[type, tuple[str, ...]] = {
    Item: ("owner_id",),
    Visit: ("host_id",),
    Absence: ("user_id",),
    Presence: ("user_id",),
}
_PENDING = "frontdesk.touched"
HOME_TASK = "home"
# A Home task is due at once: its instant only orders it (this module has no clock).
AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)


def home_task_key(user_id: str) -> str:
    return f"home:{user_id}"


def people_in(objects: Any) -> set[str]:
    """The people named by these ORM objects' tracked columns, before and after any change."""
    found: set[str] = set()
    for obj in objects:
        for column in PEOPLE_COLUMNS.get(type(obj), ()):
            history = inspect(obj).attrs[column].history
            for value in chain(history.added, history.unchanged, history.deleted):
                if value:
                    found.add(str(value))
    return found


def refresh_home(session: Session, user_ids: set[str] | list[str], *, now: datetime) -> None:
    """Write a Home refresh task for each person (channels have no Home) in this transaction,
    just before it commits (storage.at_commit: with its other such writes, one round trip)."""
    people = sorted(u for u in set(user_ids) if u[:1] in ("U", "W"))  # one order everywhere
    if people:
        rows = [
            tasks.row(key=home_task_key(u), kind=HOME_TASK, params={"user_id": u}, now=now)
            for u in people
        ]
        at_commit.statement(session, *tasks.upsert(session.get_bind().dialect.name, rows))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: Any) -> None:
    # Still the pre-flush state here: new/dirty/deleted and each attribute's history.
    objects = chain(session.new, session.dirty, session.deleted)
    session.info.setdefault(_PENDING, set()).update(people_in(objects))


@at_commit.before_sending
def _write_tasks(session: Session) -> None:
    session.flush()  # what is still unflushed is collected too
    people = session.info.pop(_PENDING, None)
    if people:
        refresh_home(session, people, now=AT_ONCE)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


@rows.after_insert
def _collect_inserted(session: Session, obj: Any) -> None:
    """A row written by storage.rows (no flush saw it): its people too."""
    people = {str(v) for c in PEOPLE_COLUMNS.get(type(obj), ()) if (v := getattr(obj, c))}
    if people:
        session.info.setdefault(_PENDING, set()).update(people)
