"""Acting on any item: take it over, or reassign it; the new owner gets its DM."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.domain.notices import AlertDigest, ItemAssigned, ItemMoved, enqueue_notice
from bot.domain.roles import Roles
from bot.domain.services import windows
from bot.domain.services.cover import Cover, cover_for
from bot.domain.services.item_access import require_may_act, require_may_take
from bot.domain.services.item_summary import summarise
from bot.domain.services.messages import ItemNotFound, enqueue_owner_dm
from bot.domain.services.windows import Owner
from bot.domain.teams import NO_TEAMS, TeamBook
from storage import absences, item_posts, items, outbox, posts
from storage import messages as stored
from storage.models import Item


class AlreadyYours(Exception):
    """The person taking the item has it already."""


@dataclass(frozen=True)
class Moved:
    item: Item
    cover: Cover | None  # how the new owner was found (reassign), None for "Take it"


def take(session: Session, *, now: datetime, item_id: int, by: str, roles: Roles) -> Moved:
    """ "Take it": the clicker becomes the owner (the desk's items, or anyone's for managers)."""
    item = _open_item(session, item_id)
    if item.owner_id == by:
        raise AlreadyYours("It is yours already.")
    require_may_take(roles, item, by)
    windows.reassign(session, item=item, owner=Owner(user_id=by), now=now, by=by)
    enqueue_assigned(session, item=item, now=now)
    rewrite_channel_posts(session, item=item, now=now, by=by, taken=True)
    return Moved(item=item, cover=None)


def reassign(
    session: Session,
    *,
    now: datetime,
    item_id: int,
    to: str,
    by: str,
    roles: Roles,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
) -> Moved:
    """Give the item (and its original deadline) to `to`, or whoever covers for them."""
    item = _open_item(session, item_id)
    require_may_act(roles, item, by, "reassign this item")
    cover = cover_for(session, intended_id=to, now=now, desk_channel=desk_channel, teams=teams)
    if cover.owner.user_id is not None and cover.owner.user_id == item.owner_id:
        raise AlreadyYours(f"<@{cover.owner.user_id}> has it already.")
    windows.reassign(session, item=item, owner=cover.owner, now=now, by=by)
    item.intended_id = to
    session.add(item)
    enqueue_assigned(session, item=item, now=now)
    rewrite_channel_posts(session, item=item, now=now, by=by, taken=False)
    return Moved(item=item, cover=cover)


def enqueue_assigned(session: Session, *, item: Item, now: datetime) -> None:
    """Tell the new owner: the message's own DM for a phone message, else a summary."""
    key = f"item:{item.id}:to:{item.owner_id or item.owner_channel}:{int(now.timestamp())}"
    if item.kind == "phone_message" and item.message_id is not None:
        message = stored.get(session, item.message_id)
        if message is not None:
            # "meant for @alice, who is away" only while she is: a manager's "Take it" is not
            # cover.
            enqueue_owner_dm(
                session,
                item=item,
                message=message,
                now=now,
                key=key,
                intended_away=_away(session, item.intended_id, now),
            )
            return
    enqueue_notice(
        session,
        ItemAssigned.about(summarise(session, item)),
        key=key,
        target=item.owner_id or item.owner_channel or "",
        now=now,
        item_id=item.id,
    )


def _away(session: Session, user_id: str | None, now: datetime) -> bool:
    return user_id is not None and absences.current(session, user_id, now=now) is not None


# Posts with buttons that act on the item: once it has moved on, the channel's copies say so
# and lose their buttons (a DM's buttons are refused to anyone who may no longer act).
REWRITTEN_ON_MOVE = (
    "message_dm",
    "item_assigned",
    "item_due_soon",
    "item_overdue",
    "item_remind",
    "item_alert",
)


def rewrite_channel_posts(
    session: Session, *, item: Item, now: datetime, by: str, taken: bool
) -> int:
    """Rewrite the item's sent channel posts (the desk's post, the managers' alert) to say who
    has it now, with no buttons; return how many rewrites were written."""
    assert item.id is not None
    found = item_posts.sent_channel_posts(session, item_id=item.id, templates=REWRITTEN_ON_MOVE)
    written = rewrite_posts(session, item=item, found=found, now=now, by=by, taken=taken)
    for digest_key in item_posts.digests_holding(session, item_id=item.id):
        written += _rewrite_digest(session, digest_key=digest_key, now=now)
    return written


def rewrite_posts(
    session: Session,
    *,
    item: Item,
    found: list[item_posts.SentPost],
    now: datetime,
    by: str,
    taken: bool,
) -> int:
    """Rewrite these channel posts about `item` to say who has it now, with no buttons."""
    summary = summarise(session, item)
    written = 0
    for post in found:
        moved = ItemMoved.of(
            summary,
            stage="escalate" if ":escalate:" in post.key else None,
            was=post.template,
            moved_by=by,
            taken=taken,
            moved_at=now,
            update_ts=post.ts,
        )
        written += enqueue_notice(
            session,
            moved,
            key=f"{post.key}:moved:{int(now.timestamp() * 1_000_000)}",
            target=post.channel,
            now=now,
            item_id=item.id,  # retention and /desk forget find (and empty) it with the item
        )
    return written


def _rewrite_digest(session: Session, *, digest_key: str, now: datetime) -> bool:
    """Rewrite a sent digest so each item in it that has moved on says who has it now, with
    no buttons (worked out from the items, so several takes in one digest all show)."""
    posted = outbox.row_state(session, digest_key)
    if posted is None or posted.state != "sent" or not posted.channel or not posted.ts:
        return False
    found = posts.locked(session, channel=posted.channel, ts=posted.ts, template="alert_digest")
    if found is None:
        return False
    entries = []
    for entry in AlertDigest.from_params(found.params).items:
        current = items.get(session, entry.item_id)
        moved = current is not None and (current.owner_id, current.owner_channel) != (
            entry.owner_id,
            entry.owner_channel,
        )
        entries.append(
            replace(entry, now_with=current.owner_id or "") if moved and current else entry
        )
    return enqueue_notice(
        session,
        AlertDigest(items=tuple(entries), update_ts=posted.ts),
        key=f"{digest_key}:moved:{int(now.timestamp() * 1_000_000)}",
        target=posted.channel,
        now=now,
    )


def _open_item(session: Session, item_id: int) -> Item:
    item = items.get(session, item_id)
    if item is None:
        raise ItemNotFound("that item is no longer on record")
    if item.state == "done":
        raise windows.WindowClosed(item.outcome)
    return item
