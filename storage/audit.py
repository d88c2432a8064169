"""The audit trail: who did what to each item or visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from storage.models import AuditEvent

MAX_DETAIL = 1000  # AuditEvent.detail's column
_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]


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
    # A Core insert, at once: no unit of work for a row nothing reads back in this transaction.
    session.connection().execute(_INSERT, values)


def for_item(session: Session, item_id: int) -> list[AuditEvent]:
    """The history of one item, oldest first."""
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.item_id) == item_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.scalars(statement))


def last_at(session: Session, *, item_id: int, action: str) -> datetime | None:
    """When `action` was last recorded on the item (None: never)."""
    return session.scalar(
        select(func.max(col(AuditEvent.at))).where(
            col(AuditEvent.item_id) == item_id, col(AuditEvent.action) == action
        )
    )


def for_visits(
    session: Session, visit_ids: list[int], *, actions: tuple[str, ...]
) -> list[AuditEvent]:
    """The `actions` recorded on these visits, oldest first."""
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.visit_id).in_(visit_ids), col(AuditEvent.action).in_(actions))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.scalars(statement))
