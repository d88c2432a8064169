"""The bot's own posts, found by where they are (channel and ts), to rewrite them from the data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Outbox


@dataclass(frozen=True)
class Posted:
    key: str
    params: dict[str, Any]
    channel: str
    ts: str


def locked(session: Session, *, channel: str, ts: str, template: str) -> Posted | None:
    """The sent row of `template` that became the post at (`channel`, `ts`), locked for this
    transaction so its rewrites take turns; None if the bot posted no such thing there."""
    row = session.execute(
        select(col(Outbox.key), col(Outbox.params))
        .where(
            col(Outbox.sent_channel) == channel,
            col(Outbox.sent_ts) == ts,
            col(Outbox.template) == template,
            col(Outbox.state) == "sent",
        )
        .with_for_update()
    ).first()
    if row is None:
        return None
    return Posted(key=row[0], params=json.loads(row[1]), channel=channel, ts=ts)
