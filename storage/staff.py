"""The directory: people as Slack last described them (the `staff` table)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import Staff


@dataclass(frozen=True)
class Described:
    """One person as Slack describes them: what an upsert writes."""

    id: str
    handle: str
    real_name: str
    tz: str | None
    deleted: bool = False


def _upsert(dialect: str, rows: list[dict[str, Any]], *, listed: bool) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Staff).values(rows)
    # `team` is Front Desk's own (set from the policy), never Slack's: an upsert leaves it be;
    # and only a listing says when someone was last listed.
    written = ("handle", "real_name", "tz", "deleted", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=["id"],
        set_={
            name: statement.excluded[name]
            for name in (*written, "listed_at")
            if listed or name != "listed_at"
        },
    )


UPSERT_BATCH = 500


def upsert(
    session: Session, people: Iterable[Described], *, now: datetime, listed: bool = False
) -> int:
    """Insert or refresh these people in one statement per batch (safe against a concurrent
    insert of the same person); `listed`: as found in `users.list`. Return how many."""
    unique = {p.id: p for p in people}
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "handle": p.handle,
            "real_name": p.real_name,
            "tz": p.tz,
            "deleted": p.deleted,
            "updated_at": now,
            "listed_at": now if listed else None,
        }
        for p in unique.values()
    ]
    session.flush()  # the statements below bypass the session: write its pending changes first
    connection = session.connection()
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = rows[start : start + UPSERT_BATCH]
        connection.execute(_upsert(connection.dialect.name, batch, listed=listed))
    _expire(session, set(unique))
    return len(rows)


def _expire(session: Session, ids: set[str]) -> None:
    """Forget loaded copies of these people (only them: the session may be a request's own)."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Staff) and loaded.id in ids:
            session.expire(loaded)


def remember(
    session: Session, *, user_id: str, handle: str, real_name: str, tz: str | None, now: datetime
) -> Staff:
    """Insert or refresh one person (still in the workspace)."""
    upsert(session, [Described(user_id, handle, real_name, tz)], now=now)
    person = session.get(Staff, user_id)
    assert person is not None
    return person


def get(session: Session, user_id: str) -> Staff | None:
    """The person with this Slack user id, deleted or not."""
    return session.get(Staff, user_id)


def everyone(session: Session) -> list[Staff]:
    """Everyone still in the workspace, by handle."""
    return list(
        session.scalars(select(Staff).where(col(Staff.deleted).is_(False)).order_by(Staff.handle))
    )


def last_listed(session: Session) -> datetime | None:
    """When `users.list` was last written to the directory (None: never)."""
    return session.scalar(select(func.max(col(Staff.listed_at))))


def mark_gone_except(
    session: Session, listed: Iterable[str], *, as_of: datetime, now: datetime
) -> int:
    """Mark everyone not among `listed` (a listing taken at `as_of`) as deleted: Slack no longer
    lists them. Someone described since `as_of` (a `team_join` during the listing) is spared.
    Return how many."""
    keep = set(listed)
    session.flush()
    candidates = select(col(Staff.id)).where(
        col(Staff.deleted).is_(False), col(Staff.updated_at) < as_of
    )
    gone = [user_id for user_id in session.scalars(candidates) if user_id not in keep]
    for start in range(0, len(gone), UPSERT_BATCH):
        session.execute(
            update(Staff)
            .where(col(Staff.id).in_(gone[start : start + UPSERT_BATCH]))
            .values(deleted=True, updated_at=now)
        )
    _expire(session, set(gone))
    return len(gone)


def chosen_sites(session: Session) -> dict[str, str]:
    """Each person's own choice of site (`/desk site`), for those who made one."""
    rows = session.execute(
        select(col(Staff.id), col(Staff.site)).where(col(Staff.site).is_not(None))
    )
    return {user_id: site for user_id, site in rows if site}


def set_site(session: Session, *, user_id: str, site: str, now: datetime) -> None:
    """Record the site a person chose (a placeholder row if the directory has not met them)."""
    person = session.get(Staff, user_id)
    if person is None:
        person = Staff(id=user_id, handle=user_id.lower(), updated_at=now)
    person.site = site
    session.add(person)
    session.flush()
