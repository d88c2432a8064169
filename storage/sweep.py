"""What the sweep reads and writes beyond single windows and rows: the next instant, digests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from storage.models import Item, Outbox

DIGESTED = "digested"  # an outbox state: said in the digest row named in `error`


def earliest_stage_at(session: Session) -> datetime | None:
    """The earliest `next_stage_at` of any window (a MIN over the index)."""
    # min() keeps the column's type, so the value comes back aware UTC.
    value: datetime | None = session.scalar(select(func.min(col(Item.next_stage_at))))
    return value


def fold_into_digest(session: Session, *, keys: Sequence[str], digest_key: str) -> None:
    """Mark rows as said in the digest `digest_key` rather than sent on their own."""
    if not keys:
        return
    session.execute(
        update(Outbox)
        .where(col(Outbox.key).in_(list(keys)), col(Outbox.state) == "pending")
        .values(state=DIGESTED, error=f"in {digest_key}")
    )
