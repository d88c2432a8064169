"""Who committed work touched: the people whose items, visits or status it changed.

Every session's flushes are watched (once this module is imported); when the transaction
commits, the people it touched join this thread's list, and `drain()` takes that list. The
wiring drains it after a listener's or a scheduled round's work, to republish those people's
App Home. A rolled-back transaction touches no one. Bulk `UPDATE` statements are not seen:
change these tables through the ORM.
"""

from __future__ import annotations

import threading
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from storage.models import Absence, Item, Presence, Visit

# Which columns name the person whose App Home shows the row.
PEOPLE_COLUMNS: dict[type, tuple[str, ...]] = {
    Item: ("owner_id",),
    Visit: ("host_id",),
    Absence: ("user_id",),
    Presence: ("user_id",),
}
_PENDING = "frontdesk.touched"
_local = threading.local()


def drain() -> set[str]:
    """Take the people this thread's committed work has touched since the last drain."""
    people: set[str] = getattr(_local, "people", set())
    _local.people = set()
    return people


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


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: Any) -> None:
    # Still the pre-flush state here: new/dirty/deleted and each attribute's history.
    objects = chain(session.new, session.dirty, session.deleted)
    session.info.setdefault(_PENDING, set()).update(people_in(objects))


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    people = session.info.pop(_PENDING, None)
    if people:
        if not hasattr(_local, "people"):
            _local.people = set()
        _local.people.update(people)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
