"""Response windows: the rows the sweep reads and the lists people see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage import rows
from storage.models import Item


def add(session: Session, item: Item) -> Item:
    """Store a window built elsewhere and give it its id."""
    session.add(item)
    session.flush()
    return item


def insert(session: Session, **values: Any) -> Item:
    """Store a new window (these fields) and give it its id."""
    return rows.insert_new(session, Item, **values)


def get(session: Session, item_id: int) -> Item | None:
    """The window with this id."""
    return session.get(Item, item_id)


def due_for_sweep(session: Session, *, now: datetime, limit: int) -> list[Item]:
    """Windows with a stage whose instant has passed, locked for this sweep.

    Reads the `next_stage_at` index only; on PostgreSQL, rows another sweeper holds are
    skipped, so two processes never handle the same stage at once.
    """
    statement = (
        select(Item)
        .where(col(Item.next_stage_at) <= now)
        .order_by(col(Item.next_stage_at), col(Item.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def _open_statement(owner_id: str | None, channel: str | None) -> Any:
    statement = select(Item).where(col(Item.state) != "done")
    if owner_id is not None:
        statement = statement.where(col(Item.owner_id) == owner_id)
    if channel is not None:
        statement = statement.where(col(Item.owner_channel) == channel)
    return statement


def open_for(
    session: Session,
    *,
    owner_id: str | None = None,
    channel: str | None = None,
    limit: int | None = None,
) -> list[Item]:
    """Open windows owned by a person (or a channel), soonest due first (the first `limit`)."""
    statement = _open_statement(owner_id, channel).order_by(col(Item.due_at), col(Item.id))
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def count_open_for(session: Session, *, owner_id: str) -> int:
    """How many windows a person has open."""
    statement = select(func.count()).select_from(_open_statement(owner_id, None).subquery())
    return int(session.scalar(statement) or 0)


def for_subject(
    session: Session,
    *,
    message_id: int | None = None,
    visit_id: int | None = None,
    enquiry_id: int | None = None,
) -> list[Item]:
    """The windows of one message, visit or enquiry."""
    statement = select(Item)
    if message_id is not None:
        statement = statement.where(col(Item.message_id) == message_id)
    if visit_id is not None:
        statement = statement.where(col(Item.visit_id) == visit_id)
    if enquiry_id is not None:
        statement = statement.where(col(Item.enquiry_id) == enquiry_id)
    return list(session.scalars(statement.order_by(col(Item.id))))


def states(session: Session, item_ids: Sequence[int]) -> dict[int, str]:
    """The state of each of these windows."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(col(Item.id), col(Item.state)).where(col(Item.id).in_(list(item_ids)))
    ).all()
    return {int(row[0]): str(row[1]) for row in rows}


def open_counts_by_owner(session: Session) -> dict[str, tuple[int, int]]:
    """(open, breached) per owner, for the managers' view."""
    rows = session.execute(
        select(col(Item.owner_id), col(Item.owner_channel), col(Item.state), func.count())
        .where(col(Item.state) != "done")
        .group_by(col(Item.owner_id), col(Item.owner_channel), col(Item.state))
    ).all()
    counts: dict[str, tuple[int, int]] = {}
    for owner_id, owner_channel, state, n in rows:
        key = owner_id or owner_channel or "?"
        open_n, breached_n = counts.get(key, (0, 0))
        counts[key] = (open_n + int(n), breached_n + (int(n) if state == "breached" else 0))
    return counts


def open_with_deadlines(session: Session) -> list[Item]:
    """Every window not yet done (for recomputing deadlines after a calendar change)."""
    return list(session.scalars(select(Item).where(col(Item.state) != "done")))
