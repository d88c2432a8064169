"""The outbox: what the bot will post, claimed with a lease and marked sent once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import Outbox


@dataclass(frozen=True)
class Pending:
    """A row claimed for sending."""

    id: int
    key: str
    template: str
    target: str
    params: dict[str, Any]
    item_id: int | None
    thread_key: str | None
    attempts: int


def enqueue(
    session: Session,
    *,
    key: str,
    template: str,
    target: str,
    params: dict[str, Any],
    now: datetime,
    item_id: int | None = None,
    thread_key: str | None = None,
) -> bool:
    """Write a row unless one with `key` exists; return whether it was written."""
    values = {
        "key": key,
        "template": template,
        "target": target,
        "params": json.dumps(params, default=str),
        "item_id": item_id,
        "thread_key": thread_key,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert_stmt: Any
    if dialect == "postgresql":
        insert_stmt = postgresql.insert(Outbox).values(**values)
    else:
        insert_stmt = sqlite.insert(Outbox).values(**values)
    # RETURNING says for certain whether this insert wrote the row (rowcount is not
    # reliable for ON CONFLICT DO NOTHING across drivers).
    statement = insert_stmt.on_conflict_do_nothing(index_elements=["key"]).returning(col(Outbox.id))
    return session.execute(statement).first() is not None


def claim(
    engine: Engine, *, now: datetime, owner: str, lease: timedelta, limit: int = 20
) -> list[Pending]:
    """Lease up to `limit` due rows to `owner` in one atomic statement.

    PostgreSQL skips rows another sender holds (FOR UPDATE SKIP LOCKED); SQLite has a
    single writer, so the UPDATE itself is the lock.
    """
    due = (
        select(col(Outbox.id))
        .where(
            col(Outbox.state) == "pending",
            col(Outbox.next_attempt_at) <= now,
            or_(col(Outbox.lease_until).is_(None), col(Outbox.lease_until) < now),
        )
        .order_by(col(Outbox.id))
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(Outbox)
        .where(col(Outbox.id).in_(due.scalar_subquery()))
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(
            col(Outbox.id),
            col(Outbox.key),
            col(Outbox.template),
            col(Outbox.target),
            col(Outbox.params),
            col(Outbox.item_id),
            col(Outbox.thread_key),
            col(Outbox.attempts),
        )
    )
    with engine.begin() as connection:
        rows = connection.execute(statement).all()
    claimed = [
        Pending(
            id=row.id,
            key=row.key,
            template=row.template,
            target=row.target,
            params=json.loads(row.params),
            item_id=row.item_id,
            thread_key=row.thread_key,
            attempts=row.attempts,
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda p: p.id)


def _finish_statement(row_id: int, owner: str, **values: Any) -> Any:
    return (
        update(Outbox)
        .where(
            and_(
                col(Outbox.id) == row_id,
                col(Outbox.lease_owner) == owner,
                col(Outbox.state) == "pending",
            )
        )
        .values(lease_until=None, **values)
    )


def _finish(engine: Engine, row_id: int, owner: str, **values: Any) -> bool:
    with engine.begin() as connection:
        return bool(connection.execute(_finish_statement(row_id, owner, **values)).rowcount)


def mark_sent(
    session: Session, row_id: int, *, owner: str, now: datetime, channel: str, ts: str
) -> bool:
    """Record that Slack accepted the row (in the caller's transaction, beside what else the
    post leaves behind); False when this sender's lease on it had lapsed."""
    statement = _finish_statement(
        row_id, owner, state="sent", sent_at=now, sent_channel=channel, sent_ts=ts
    )
    result: Any = session.execute(statement)
    return bool(result.rowcount)


def mark_retry(
    engine: Engine, row_id: int, *, owner: str, at: datetime, attempts: int, error: str
) -> bool:
    """Keep the row pending and try again at `at`."""
    return _finish(engine, row_id, owner, next_attempt_at=at, attempts=attempts, error=error[:500])


def mark_failed(engine: Engine, row_id: int, *, owner: str, error: str) -> bool:
    """Give up on the row for good (a permanent Slack error)."""
    return _finish(engine, row_id, owner, state="failed", error=error[:500])


def mark_dropped(engine: Engine, row_id: int, *, owner: str, reason: str) -> bool:
    """Never send the row: what it was about no longer needs saying."""
    return _finish(engine, row_id, owner, state="dropped", error=reason[:500])


@dataclass(frozen=True)
class RowState:
    """Where a row stands: its state and, once sent, the message it became."""

    state: str
    channel: str | None
    ts: str | None


def row_state(session: Session, key: str) -> RowState | None:
    """The state of the row with `key` (None if there is none)."""
    row = session.execute(
        select(col(Outbox.state), col(Outbox.sent_channel), col(Outbox.sent_ts)).where(
            col(Outbox.key) == key
        )
    ).first()
    if row is None:
        return None
    return RowState(state=row[0], channel=row[1], ts=row[2])


def counts(session: Session) -> dict[str, int]:
    """How many rows are in each state."""
    from sqlalchemy import func

    rows = session.execute(
        select(col(Outbox.state), func.count()).group_by(col(Outbox.state))
    ).all()
    return {str(state): int(n) for state, n in rows}


def row_target(session: Session, key: str) -> str | None:
    """The target of the row with `key`."""
    return session.scalar(select(col(Outbox.target)).where(col(Outbox.key) == key))
