"""Slack requests already handled: each one's work is committed with its id, so it is done once.

Ids are `<kind>:<trigger_id>` for commands, buttons and forms, `event:<event_id>` for events.
A row is written in the same transaction as the request's work: a request rolled back leaves
none and may be retried; a retry, a replay or a second replica finds it and does nothing again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage import at_commit
from storage.db import is_postgresql, wait_limits, wait_ms
from storage.models import HandledRequest


class AlreadyHandled(Exception):
    """This request's work is already committed (its earlier reply, if any, is `reply`)."""

    def __init__(self, reply: dict[str, Any] | None) -> None:
        super().__init__("already handled")
        self.reply = reply


_INSTANT = HandledRequest.__table__.c.handled_at.type  # type: ignore[attr-defined]
_CLAIM = insert(HandledRequest).values(
    id=bindparam("p_id", type_=String()), handled_at=bindparam("p_at", type_=_INSTANT)
)


def _claim_with_limits() -> Any:
    """The claim that also sets the transaction's timeouts: one statement, one round trip."""
    limits = wait_limits().subquery("limits")
    chosen = select(
        bindparam("p_id", type_=String()), bindparam("p_at", type_=_INSTANT)
    ).select_from(limits)
    return insert(HandledRequest).from_select(["id", "handled_at"], chosen)


_CLAIM_WITH_LIMITS = _claim_with_limits()


def claim(
    session: Session, request_id: str, *, now: datetime, wait_limit_s: float | None = None
) -> None:
    """Mark the request handled in this transaction, or raise AlreadyHandled.

    Call it first in the transaction (a duplicate rolls the transaction back). On PostgreSQL
    a concurrent copy of the request waits here for this transaction and then finds the row,
    instead of doing the work a second time. With `wait_limit_s`, the transaction's lock and
    statement timeouts are set to it by the same statement (storage.db.limit_waits otherwise).
    """
    values = {"p_id": request_id, "p_at": now}
    statement = _CLAIM
    if wait_limit_s is not None and is_postgresql(session):
        statement = _CLAIM_WITH_LIMITS
        values["p_wait_ms"] = wait_ms(wait_limit_s)
    try:
        session.connection().execute(statement, values)
    except IntegrityError:
        session.rollback()  # nothing of this request's was done yet
        reply = session.scalar(
            select(col(HandledRequest.reply)).where(col(HandledRequest.id) == request_id)
        )
        raise AlreadyHandled(json.loads(reply) if reply else None) from None


_KEEP_REPLY = (
    update(HandledRequest)
    .where(col(HandledRequest.id) == bindparam("p_kept_id"))
    .values(reply=bindparam("p_kept_reply"))
)


def keep_reply(session: Session, request_id: str, reply: dict[str, Any] | None) -> None:
    """Remember what the request was told, to tell a retry the same (written with the
    transaction's other last writes, just before it commits: storage.at_commit)."""
    if reply is not None:
        values = {"p_kept_id": request_id, "p_kept_reply": json.dumps(reply, default=str)}
        at_commit.statement(session, _KEEP_REPLY, values)


def forget_before(session: Session, before: datetime) -> int:
    """Drop the ids older than `before` (Slack refuses a signature older than five minutes)."""
    result = session.execute(delete(HandledRequest).where(col(HandledRequest.handled_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
