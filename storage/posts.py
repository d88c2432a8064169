"""The bot's own posts, found by where they are (channel and ts), to rewrite them from the data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from storage.models import Outbox


@dataclass(frozen=True)
class Posted:
    key: str
    params: dict[str, Any]
    channel: str
    ts: str
    template: str = ""


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


def _about(key_prefixes: Sequence[str], item_ids: Sequence[int]) -> Any:
    conditions = [col(Outbox.key).startswith(prefix) for prefix in key_prefixes]
    if item_ids:
        conditions.append(col(Outbox.item_id).in_(list(item_ids)))
    return or_(*conditions)


def latest_about(
    session: Session, *, key_prefixes: Sequence[str] = (), item_ids: Sequence[int] = ()
) -> list[Posted]:
    """Each post the bot made about these keys or windows, as it was last drawn, oldest post
    first: the newest sent row that became or rewrote it, whatever that row was about (a
    button's answer that replaced the post counts; one that only answered the clicker does
    not)."""
    if not key_prefixes and not item_ids:
        return []
    about = session.execute(
        select(col(Outbox.sent_channel), col(Outbox.sent_ts))
        .where(_about(key_prefixes, item_ids), col(Outbox.state) == "sent")
        .order_by(col(Outbox.id))
    ).all()
    wanted = list(dict.fromkeys((c, t) for c, t in about if c and t))
    if not wanted:
        return []
    rows = session.execute(
        select(
            col(Outbox.key),
            col(Outbox.template),
            col(Outbox.params),
            col(Outbox.sent_channel),
            col(Outbox.sent_ts),
        )
        .where(col(Outbox.state) == "sent", col(Outbox.sent_ts).in_([t for _, t in wanted]))
        .order_by(col(Outbox.id))
    ).all()
    latest: dict[tuple[str, str], Posted] = {}
    for key, template, params, channel, ts in rows:
        shown = json.loads(params)
        if (channel, ts) not in wanted or not _drew_the_post(shown):
            continue
        latest[(channel, ts)] = Posted(
            key=key, params=shown, channel=channel, ts=ts, template=template
        )
    return [latest[pair] for pair in wanted if pair in latest]


def _drew_the_post(params: dict[str, Any]) -> bool:
    """Whether a sent row drew the post at its channel and ts (not an answer beside it)."""
    if params.get("ephemeral_user"):
        return False
    return not params.get("response_url") or bool(params.get("replace_original"))


def pending_about(
    session: Session, *, key_prefixes: Sequence[str] = (), item_ids: Sequence[int] = ()
) -> list[Outbox]:
    """Rows about these keys or windows not sent yet, locked for this transaction."""
    if not key_prefixes and not item_ids:
        return []
    statement = (
        select(Outbox)
        .where(_about(key_prefixes, item_ids), col(Outbox.state) == "pending")
        .order_by(col(Outbox.id))
        .with_for_update()
    )
    return list(session.scalars(statement))
