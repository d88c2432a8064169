"""The audit trail: who did what to each item or visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage import at_commit
from storage.models import AuditEvent

MAX_DETAIL = 1000  # AuditEvent.detail's column
_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def record(
    session: Session,
    *,
    actor_id: str,
    action: str,
    at: datetime,
    item_id: int | None = None,
    visit_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Add one line to the trail (a detail longer than its column is cut to fit)."""
    values = {
        "item_id": item_id,
        "visit_id": visit_id,
        "actor_id": actor_id,
        "action": action,
        "detail": detail[:MAX_DETAIL] if detail else detail,
        "at": at,
    }
    # No unit of work for a row nothing but this module reads back in its transaction: it is
    # written with the transaction's other last writes, just before COMMIT (storage.at_commit).
    at_commit.insert_row(session, _TABLE, values)


def for_item(session: Session, item_id: int) -> list[AuditEvent]:
    """The history of one item, oldest first."""
    at_commit.send_before_reading(session, _TABLE)  # the lines recorded here too
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.item_id) == item_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.scalars(statement))


def last_at(session: Session, *, item_id: int, action: str) -> datetime | None:
    """When `action` was last recorded on the item (None: never)."""
    at_commit.send_before_reading(session, _TABLE)  # the lines recorded here too
    return session.scalar(
        select(func.max(col(AuditEvent.at))).where(
            col(AuditEvent.item_id) == item_id, col(AuditEvent.action) == action
        )
    )


def for_visits(
    session: Session, visit_ids: list[int], *, actions: tuple[str, ...]
) -> list[AuditEvent]:
    """The `actions` recorded on these visits, oldest first."""
    at_commit.send_before_reading(session, _TABLE)  # the lines recorded here too
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.visit_id).in_(visit_ids), col(AuditEvent.action).in_(actions))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.scalars(statement))
