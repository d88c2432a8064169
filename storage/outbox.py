"""The outbox: what the bot will post, claimed with a lease and marked sent once.

A sender leases a target (a channel, or a user to DM), not a row: a claim takes only rows of
targets that no sender holds and that no earlier row holds back (one waiting out a
Retry-After or a backoff), so one channel's or DM's rows go out one at a time, in the order
they were written, while different targets go out side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage import at_commit
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
    # When an earlier attempt set out to post the row (it may have reached Slack), or None.
    posting_at: datetime | None = None
    # Set when the stored params are not JSON (a row from an older or broken writer): the
    # sender fails such a row on its own, loudly, instead of failing the whole claim.
    unreadable: str | None = None


_COLUMNS = Outbox.__table__.c  # type: ignore[attr-defined]


def _param(name: str, column: str) -> Any:
    """A named bind parameter with `column`'s type (so instants go through UTCDateTime)."""
    return bindparam(name, type_=_COLUMNS[column].type)


# The statements the sender and the listeners run for every post, built once: building a
# statement and computing its cache key cost more than running it (bench/README.md).
_INSERTS = {
    name: insert(Outbox)
    .values(
        key=_param("p_key", "key"),
        template=_param("p_template", "template"),
        target=_param("p_target", "target"),
        params=_param("p_params", "params"),
        item_id=_param("p_item_id", "item_id"),
        thread_key=_param("p_thread_key", "thread_key"),
        state="pending",
        attempts=0,
        next_attempt_at=_param("p_now", "next_attempt_at"),
        created_at=_param("p_created", "created_at"),
    )
    # RETURNING says for certain whether this insert wrote the row (rowcount is not
    # reliable for ON CONFLICT DO NOTHING across drivers).
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(col(Outbox.id))
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


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
    written(session)
    connection = session.connection()
    statement = _INSERTS["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
    values = {
        "p_key": key,
        "p_template": template,
        "p_target": target,
        "p_params": json.dumps(params, default=str),
        "p_item_id": item_id,
        "p_thread_key": thread_key,
        "p_now": now,
        "p_created": now,
    }
    return connection.execute(statement, values).first() is not None


# enqueue_at_commit's statement, one INSERT ... SELECT per dialect and number of rows.
_LATER: dict[tuple[str, int], Any] = {}
_LATER_COLUMNS = (
    "key",
    "template",
    "target",
    "params",
    "item_id",
    "thread_key",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
)
_TABLE = Outbox.__table__  # type: ignore[attr-defined]


def enqueue_at_commit(session: Session, rows: list[dict[str, Any]], *, now: datetime) -> None:
    """Write these rows (`key`, `template`, `target`, `params`, and `item_id`, `thread_key` if
    any; distinct keys), each unless a row with its key exists, just before this transaction
    commits: with the other writes queued there (storage.at_commit), in one round trip on
    PostgreSQL. This module's readers send the queue first, so the transaction sees them."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    shape = (dialect, len(rows))
    if shape not in _LATER:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        built = at_commit.insert_select(insert, _TABLE, _LATER_COLUMNS, len(rows), "p_ob")
        _LATER[shape] = built.on_conflict_do_nothing(index_elements=["key"])
    params: dict[str, Any] = {}
    for n, row in enumerate(rows):
        values = row | {
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for c in _LATER_COLUMNS:
            value = values.get(c)
            params[f"p_ob_{c}_{n}"] = json.dumps(value, default=str) if c == "params" else value
    at_commit.statement(session, _LATER[shape], params)


def written(session: Session) -> None:
    """Send what enqueue_at_commit queued in this transaction (before reading the outbox)."""
    at_commit.send_before_reading(session, _TABLE)


def _held_back() -> Any:
    """Targets a sender holds (a live lease) or a row in backoff holds back: not claimable."""
    return select(col(Outbox.target)).where(
        col(Outbox.state) == "pending",
        or_(
            col(Outbox.lease_until) >= _param("p_now", "lease_until"),
            # A retry waiting out its backoff (attempts > 0) keeps the rows after it waiting
            # too; a row merely written for later (attempts == 0) holds nothing back.
            and_(
                col(Outbox.next_attempt_at) > _param("p_now", "next_attempt_at"),
                col(Outbox.attempts) > 0,
            ),
        ),
    )


def _due(*, skip_locked: bool) -> Any:
    due = (
        select(col(Outbox.id))
        .where(
            col(Outbox.state) == "pending",
            col(Outbox.next_attempt_at) <= _param("p_now", "next_attempt_at"),
            or_(
                col(Outbox.lease_until).is_(None),
                col(Outbox.lease_until) < _param("p_now", "lease_until"),
            ),
            col(Outbox.target).not_in(_held_back()),
        )
        .order_by(col(Outbox.id))
        .limit(bindparam("p_limit"))
    )
    return due.with_for_update(skip_locked=True) if skip_locked else due


# Any constant will do: it names the lock (nothing else in the bot takes an advisory lock).
# Claims take it alone and lease extensions share it, so a claim's choice of targets sees
# every extension either whole or not at all (two statements under READ COMMITTED otherwise
# could let a claim take a target's later rows while its holder posts the earlier ones).
CLAIM_LOCK = 0x0D7B0C


_CLAIMS = {
    skip_locked: update(Outbox)
    .where(col(Outbox.id).in_(_due(skip_locked=skip_locked).scalar_subquery()))
    .values(
        lease_owner=_param("p_owner", "lease_owner"), lease_until=_param("p_until", "lease_until")
    )
    .returning(
        col(Outbox.id),
        col(Outbox.key),
        col(Outbox.template),
        col(Outbox.target),
        col(Outbox.params),
        col(Outbox.item_id),
        col(Outbox.thread_key),
        col(Outbox.attempts),
        col(Outbox.posting_at),
    )
    for skip_locked in (False, True)
}


def claim(
    engine: Engine, *, now: datetime, owner: str, lease: timedelta, limit: int = 20
) -> list[Pending]:
    """Lease to `owner` up to `limit` due rows of targets nobody holds, in one statement.

    Each target's due rows are taken from its oldest on, so whoever holds a target holds its
    next rows. PostgreSQL skips rows another sender holds (FOR UPDATE SKIP LOCKED) and takes
    the claim lock first; SQLite has a single writer, so the UPDATE itself is the lock.
    """
    postgres = engine.dialect.name == "postgresql"
    statement = _CLAIMS[postgres]
    values = {"p_now": now, "p_limit": limit, "p_owner": owner, "p_until": now + lease}
    with engine.begin() as connection:
        if postgres:
            connection.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
        rows = connection.execute(statement, values).all()
    claimed = [
        Pending(
            id=row.id,
            key=row.key,
            template=row.template,
            target=row.target,
            item_id=row.item_id,
            thread_key=row.thread_key,
            attempts=row.attempts,
            posting_at=row.posting_at,
            **_params(row.params),
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda p: p.id)


def _params(raw: str | None) -> dict[str, Any]:
    """The row's params, or why they cannot be read."""
    try:
        params = json.loads(raw or "{}")
    except ValueError as error:
        return {"params": {}, "unreadable": str(error)}
    if not isinstance(params, dict):
        return {"params": {}, "unreadable": f"params are a {type(params).__name__}"}
    return {"params": params}


def _finish_statement(**values: Any) -> Any:
    """Release this sender's lease on a pending row, setting `values` (bind parameters)."""
    return (
        update(Outbox)
        .where(
            col(Outbox.id) == bindparam("p_id"),
            col(Outbox.lease_owner) == bindparam("p_owner"),
            col(Outbox.state) == "pending",
        )
        .values(lease_until=None, **values)
    )


_SENT = _finish_statement(
    state="sent",
    sent_at=_param("p_at", "sent_at"),
    sent_channel=_param("p_channel", "sent_channel"),
    sent_ts=_param("p_ts", "sent_ts"),
)
_RETRY = _finish_statement(
    next_attempt_at=_param("p_at", "next_attempt_at"),
    attempts=_param("p_attempts", "attempts"),
    error=_param("p_error", "error"),
)
# The same, when no attempt so far can have reached Slack: the next one need not look for it.
_RETRY_UNPOSTED = _finish_statement(
    next_attempt_at=_param("p_at", "next_attempt_at"),
    attempts=_param("p_attempts", "attempts"),
    error=_param("p_error", "error"),
    posting_at=None,
)
_FAILED = _finish_statement(state=bindparam("p_state"), error=_param("p_error", "error"))


def _finish(engine: Engine, statement: Any, values: dict[str, Any]) -> bool:
    with engine.begin() as connection:
        return bool(connection.execute(statement, values).rowcount)


_EXTEND = (
    update(Outbox)
    .where(
        col(Outbox.id).in_(bindparam("p_ids", expanding=True)),
        col(Outbox.lease_owner) == bindparam("p_owner"),
        col(Outbox.state) == "pending",
    )
    .values(
        lease_until=_param("p_until", "lease_until"),
        # The row about to be posted keeps the time of its first attempt that may have landed.
        posting_at=case(
            (
                col(Outbox.id) == _param("p_posting", "id"),
                func.coalesce(col(Outbox.posting_at), _param("p_now", "posting_at")),
            ),
            else_=col(Outbox.posting_at),
        ),
    )
    .returning(col(Outbox.id))
)
_RELEASE = (
    update(Outbox)
    .where(
        col(Outbox.id).in_(bindparam("p_ids", expanding=True)),
        col(Outbox.lease_owner) == bindparam("p_owner"),
        col(Outbox.state) == "pending",
    )
    .values(lease_until=None)
)


def extend(
    engine: Engine,
    row_ids: list[int],
    *,
    owner: str,
    until: datetime,
    posting: int | None = None,
    now: datetime | None = None,
) -> set[int]:
    """Extend `owner`'s lease on these rows to `until`; return the ids it still held.

    `posting` names the row about to be posted: unless an earlier attempt already did, it is
    marked as being posted since `now` (`posting_at`), in the same statement.
    """
    if not row_ids:
        return set()
    values = {"p_ids": row_ids, "p_owner": owner, "p_until": until}
    values |= {"p_posting": posting, "p_now": now if posting is not None else None}
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock_shared(CLAIM_LOCK)))
        result = connection.execute(_EXTEND, values)
        return {int(row_id) for row_id in result.scalars() if row_id is not None}


def release(engine: Engine, row_ids: list[int], *, owner: str) -> int:
    """Give back `owner`'s lease on these rows unsent (they are due again at once)."""
    if not row_ids:
        return 0
    with engine.begin() as connection:
        return int(connection.execute(_RELEASE, {"p_ids": row_ids, "p_owner": owner}).rowcount)


def mark_sent(
    connection: Connection, row_id: int, *, owner: str, now: datetime, channel: str, ts: str
) -> bool:
    """Record that Slack accepted the row (in the caller's transaction, beside what else the
    post leaves behind); False when this sender's lease on it had lapsed."""
    values = {"p_id": row_id, "p_owner": owner, "p_at": now, "p_channel": channel, "p_ts": ts}
    return bool(connection.execute(_SENT, values).rowcount)


def mark_retry(
    engine: Engine,
    row_id: int,
    *,
    owner: str,
    at: datetime,
    attempts: int,
    error: str,
    unposted: bool = False,
) -> bool:
    """Keep the row pending and try again at `at`; `unposted`: no attempt so far can have
    reached Slack (it said so), so the next one need not look for an earlier post."""
    values = {"p_at": at, "p_attempts": attempts, "p_error": error[:500]}
    statement = _RETRY_UNPOSTED if unposted else _RETRY
    return _finish(engine, statement, {"p_id": row_id, "p_owner": owner, **values})


def mark_failed(engine: Engine, row_id: int, *, owner: str, error: str) -> bool:
    """Give up on the row for good (a permanent Slack error)."""
    values = {"p_id": row_id, "p_owner": owner, "p_state": "failed", "p_error": error[:500]}
    return _finish(engine, _FAILED, values)


def mark_dropped(engine: Engine, row_id: int, *, owner: str, reason: str) -> bool:
    """Never send the row: what it was about no longer needs saying."""
    values = {"p_id": row_id, "p_owner": owner, "p_state": "dropped", "p_error": reason[:500]}
    return _finish(engine, _FAILED, values)


@dataclass(frozen=True)
class RowState:
    """Where a row stands: its state and, once sent, the message it became."""

    state: str
    channel: str | None
    ts: str | None


def row_state(session: Session, key: str) -> RowState | None:
    """The state of the row with `key` (None if there is none)."""
    written(session)
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
    written(session)
    rows = session.execute(
        select(col(Outbox.state), func.count()).group_by(col(Outbox.state))
    ).all()
    return {str(state): int(n) for state, n in rows}


def row_target(session: Session, key: str) -> str | None:
    """The target of the row with `key`."""
    written(session)
    return session.scalar(select(col(Outbox.target)).where(col(Outbox.key) == key))
