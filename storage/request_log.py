"""Slack requests already handled: each one's work is committed with its id, so it is done once.

Ids are `<kind>:<trigger_id>` for commands, buttons and forms, `event:<event_id>` for events.
A row is written in the same transaction as the request's work: a request rolled back leaves
none and may be retried; a retry, a replay or a second replica finds it and does nothing again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.models import HandledRequest


class AlreadyHandled(Exception):
    """This request's work is already committed (its earlier reply, if any, is `reply`)."""

    def __init__(self, reply: dict[str, Any] | None) -> None:
        super().__init__("already handled")
        self.reply = reply


def claim(session: Session, request_id: str, *, now: datetime) -> None:
    """Mark the request handled in this transaction, or raise AlreadyHandled.

    Call it first in the transaction (a duplicate rolls the transaction back). On PostgreSQL
    a concurrent copy of the request waits here for this transaction and then finds the row,
    instead of doing the work a second time.
    """
    try:
        session.execute(insert(HandledRequest).values(id=request_id, handled_at=now))
    except IntegrityError:
        session.rollback()  # nothing of this request's was done yet
        reply = session.scalar(
            select(col(HandledRequest.reply)).where(col(HandledRequest.id) == request_id)
        )
        raise AlreadyHandled(json.loads(reply) if reply else None) from None


def keep_reply(session: Session, request_id: str, reply: dict[str, Any] | None) -> None:
    """Remember what the request was told, to tell a retry the same."""
    if reply is not None:
        session.execute(
            update(HandledRequest)
            .where(col(HandledRequest.id) == request_id)
            .values(reply=json.dumps(reply, default=str))
        )


def forget_before(session: Session, before: datetime) -> int:
    """Drop the ids older than `before` (Slack refuses a signature older than five minutes)."""
    result = session.execute(delete(HandledRequest).where(col(HandledRequest.handled_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
