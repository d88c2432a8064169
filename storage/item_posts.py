"""The bot's sent channel posts about one item (its desk post, reminders and managers' alerts),
found so they can be rewritten once the item has moved on."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Outbox
from storage.sweep import DIGESTED


@dataclass(frozen=True)
class SentPost:
    key: str
    template: str
    channel: str
    ts: str


def sent_channel_posts(
    session: Session,
    *,
    item_id: int | None = None,
    key_prefix: str | None = None,
    templates: Collection[str],
) -> list[SentPost]:
    """Sent posts of `templates` in a channel (not a DM), oldest first: about `item_id`, or
    with keys starting `key_prefix` (an enquiry's DMs, which name no window)."""
    which = (
        col(Outbox.item_id) == item_id
        if key_prefix is None
        else col(Outbox.key).startswith(key_prefix)
    )
    rows = session.execute(
        select(
            col(Outbox.key),
            col(Outbox.template),
            col(Outbox.target),
            col(Outbox.sent_channel),
            col(Outbox.sent_ts),
        )
        .where(
            which,
            col(Outbox.state) == "sent",
            col(Outbox.template).in_(list(templates)),
            col(Outbox.sent_ts).is_not(None),
        )
        .order_by(col(Outbox.id))
    ).all()
    return [
        SentPost(key=key, template=template, channel=channel, ts=ts)
        for key, template, target, channel, ts in rows
        if channel and ts and target[:1] not in ("U", "W")
    ]


def digests_holding(session: Session, *, item_id: int) -> list[str]:
    """The keys of the digest posts the item's alerts were folded into (storage.sweep)."""
    rows = session.scalars(
        select(col(Outbox.error)).where(
            col(Outbox.item_id) == item_id,
            col(Outbox.state) == DIGESTED,
            col(Outbox.error).is_not(None),
        )
    ).all()
    keys = [str(error).removeprefix("in ") for error in rows if str(error).startswith("in ")]
    return list(dict.fromkeys(keys))
