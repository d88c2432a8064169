"""Tasks: slow work after an ack (a Home refresh, a report's files), as durable leased rows.

A task is written in the same transaction as the work that calls for it, so a crash after the
ack loses nothing: any worker, on any replica, after any restart, claims it with a lease, runs
it and marks it done. Writing a task whose key already exists re-arms it (`seq` goes up): a
worker that finishes an older run then leaves it pending, so the newest request is always run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, alias, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from storage import at_commit
from storage.models import Task


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    params: dict[str, Any]
    seq: int
    attempts: int


# What a task whose key exists is set to: built once (building `excluded` each time cost more
# than the rest of the statement). `excluded` is the row that was proposed.
_EXCLUDED = alias(Task.__table__, name="excluded")  # type: ignore[attr-defined]
_REARM = {
    "state": "pending",
    "params": _EXCLUDED.c.params,
    "seq": Task.seq + 1,
    "attempts": 0,
    "next_attempt_at": _EXCLUDED.c.next_attempt_at,
    "error": None,
}


_COLUMNS = ("key", "kind", "params", "state", "seq", "attempts", "next_attempt_at", "created_at")
_UPSERTS: dict[tuple[str, int], Any] = {}


def upsert(dialect: str, rows: list[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    """Write (or re-arm) the tasks `rows` (from `row`; distinct keys) in one statement: the
    statement (built once per dialect and number of rows, so SQLAlchemy neither builds nor
    compiles it again) and the values of its bind parameters (`p_task_<column>_<n>`)."""
    shape = (dialect, len(rows))
    if shape not in _UPSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = Task.__table__  # type: ignore[attr-defined]
        statement = at_commit.insert_select(insert, table, _COLUMNS, len(rows), "p_task")
        _UPSERTS[shape] = statement.on_conflict_do_update(index_elements=["key"], set_=_REARM)
    params = {f"p_task_{c}_{n}": row[c] for n, row in enumerate(rows) for c in _COLUMNS}
    return _UPSERTS[shape], params


def row(*, key: str, kind: str, params: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new task's columns."""
    return {
        "key": key,
        "kind": kind,
        "params": json.dumps(params, default=str),
        "state": "pending",
        "seq": 0,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue(
    connection: Connection, *, key: str, kind: str, params: dict[str, Any], now: datetime
) -> None:
    """Write (or re-arm) the task `key` in the caller's transaction."""
    values = row(key=key, kind=kind, params=params, now=now)
    connection.execute(*upsert(connection.dialect.name, [values]))


_INSTANT = Task.__table__.c.next_attempt_at.type  # type: ignore[attr-defined]


def _due(*, skip_locked: bool) -> Any:
    due = (
        select(col(Task.id))
        .where(
            col(Task.state) == "pending",
            col(Task.next_attempt_at) <= bindparam("p_now", type_=_INSTANT),
            or_(
                col(Task.lease_until).is_(None),
                col(Task.lease_until) < bindparam("p_now", type_=_INSTANT),
            ),
        )
        .order_by(col(Task.id))
        .limit(bindparam("p_limit"))
    )
    return due.with_for_update(skip_locked=True) if skip_locked else due


def claim(
    engine: Engine, *, now: datetime, owner: str, lease: timedelta, limit: int = 20
) -> list[Claimed]:
    """Lease up to `limit` due tasks to `owner` (PostgreSQL skips those another worker holds)."""
    statement = (
        update(Task)
        .where(
            col(Task.id).in_(
                _due(skip_locked=engine.dialect.name == "postgresql").scalar_subquery()
            )
        )
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(
            col(Task.id),
            col(Task.key),
            col(Task.kind),
            col(Task.params),
            col(Task.seq),
            col(Task.attempts),
        )
    )
    with engine.begin() as connection:
        rows = connection.execute(statement, {"p_now": now, "p_limit": limit}).all()
    return sorted(
        (
            Claimed(
                id=row.id,
                key=row.key,
                kind=row.kind,
                params=json.loads(row.params),
                seq=row.seq,
                attempts=row.attempts,
            )
            for row in rows
        ),
        key=lambda task: task.id,
    )


def _held(task: Claimed, owner: str) -> Any:
    return (
        col(Task.id) == task.id,
        col(Task.lease_owner) == owner,
        col(Task.state) == "pending",
    )


def finish(engine: Engine, task: Claimed, *, owner: str, now: datetime) -> bool:
    """Mark the task done, unless it was written again since it was claimed (then it stays
    pending, free to claim at once) or the lease was lost; return whether it is done."""
    with engine.begin() as connection:
        done = connection.execute(
            update(Task)
            .where(*_held(task, owner), col(Task.seq) == task.seq)
            .values(state="done", finished_at=now, lease_until=None)
        ).rowcount
        if not done:
            connection.execute(update(Task).where(*_held(task, owner)).values(lease_until=None))
    return bool(done)


def retry(
    engine: Engine, task: Claimed, *, owner: str, at: datetime, error: str, give_up: bool
) -> None:
    """Try again at `at`, or (`give_up`) mark the task failed for good."""
    values: dict[str, Any] = {"lease_until": None, "error": error[:500]}
    if give_up:
        values["state"] = "failed"
    else:
        values.update(next_attempt_at=at, attempts=task.attempts + 1)
    with engine.begin() as connection:
        connection.execute(update(Task).where(*_held(task, owner)).values(**values))


def counts(engine: Engine) -> dict[str, int]:
    """How many tasks are in each state."""
    from sqlalchemy import func

    with engine.connect() as connection:
        rows = connection.execute(select(col(Task.state), func.count()).group_by(col(Task.state)))
        return {str(state): int(n) for state, n in rows}
