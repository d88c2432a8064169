"""Correcting a wrong entry: a visitor's name or host, a phone message's caller or recipient.

Reception and managers may correct. The audit trail keeps the old and the new value
(`corrected`, "name: Old → New"); retention and `/desk forget` clear that detail with the rest of
the person's data. The bot's earlier posts about the visit or message are drawn again with the
value put right (`CorrectedPost`, a `chat.update` of each); rows not sent yet are put right
before they go. A new host or recipient takes the open window over as a reassignment does: they
are told, and the channel's posts say who has it now.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain.notices import CorrectedPost, enqueue_notice
from bot.domain.roles import Roles, require_desk
from bot.domain.services import item_actions, visitors, windows
from bot.domain.services.cover import Cover, cover_for
from bot.domain.services.visitors import Ambiguous
from bot.domain.teams import NO_TEAMS, TeamBook
from storage import audit, item_posts, items, posts, visits
from storage import messages as stored
from storage.models import Item, PhoneMessage, Visit
from storage.names import name_key

RECENT = timedelta(days=7)  # how far back a name finds a visit or message to correct
ACTION = "corrected"
# Templates whose posts are answers of their own (a correction of one would say nothing new).
NOT_REDRAWN = ("redacted_post", "delivery_failed", "task_failed", "report")


class NothingToCorrect(LookupError):
    """No visit or message matches, or the new value is the old one."""


@dataclass(frozen=True)
class Corrected:
    """What changed, and how many earlier posts are being redrawn."""

    field: str  # name | host | caller | recipient
    old: str
    new: str
    posts: int


# --- finding what to correct -------------------------------------------------------------------


def find_visit(session: Session, *, now: datetime, query: str) -> Visit | Ambiguous:
    """The visit named (or holding the pass) in `query`: on site, expected, or arrived in the
    last week."""
    recent, _ = visits.arrivals(session, start=now - RECENT, end=None, key="", limit=None)
    candidates = {v.id: v for v in [*visits.on_site(session), *visits.expected(session), *recent]}
    live = [v for v in candidates.values() if not v.anonymised]
    found = visitors.find(live, query)
    if isinstance(found, Ambiguous):
        on_site = [v for v in found.matches if v.state in ("on_site", "expected")]
        if len(on_site) == 1:
            return on_site[0]
    return found


def find_message(session: Session, *, now: datetime, caller: str) -> tuple[Item, PhoneMessage]:
    """The latest phone message of the last week from `caller` (case, accents, titles aside),
    and its window; an open one before one already answered."""
    wanted = name_key(caller)
    found = [
        m
        for m in stored.taken_between(session, now - RECENT, now + timedelta(seconds=1))
        if not m.anonymised and name_key(m.caller) == wanted
    ]
    pairs = []
    for message in found:
        window = next(iter(items.for_subject(session, message_id=message.id)), None)
        if window is not None:
            pairs.append((window, message))
    if not pairs:
        raise NothingToCorrect(f'no message of the last week is from "{caller}"')
    pairs.sort(key=lambda pair: (pair[0].state != "done", pair[1].taken_at))
    return pairs[-1]


# --- corrections -------------------------------------------------------------------------------


def correct_visit_name(
    session: Session, *, now: datetime, visit: Visit, name: str, by: str, roles: Roles
) -> Corrected:
    """Put the visitor's name right, in the record and in the posts that showed it."""
    require_desk(roles, by, "correct a visitor's entry")
    old = visit.name
    if old == name:
        raise NothingToCorrect(f"the name is {name} already")
    visit.name = name
    session.add(visit)
    session.flush()
    _record(session, now=now, by=by, visit_id=visit.id, field="name", old=old, new=name)
    redrawn = _redraw(
        session,
        now=now,
        key_prefixes=[f"visit:{visit.id}:"],
        item_ids=_window_ids(session, visit_id=visit.id),
        change=_renamer(old, name, ("name", "who")),
        tag=f"visit:{visit.id}:corrected",
    )
    return Corrected("name", old, name, redrawn)


def correct_visit_host(
    session: Session,
    *,
    now: datetime,
    visit: Visit,
    host_id: str,
    by: str,
    roles: Roles,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
) -> Corrected:
    """Give the visit to the right host: they are told, the open arrival window moves to them,
    and the desk channel's posts show them."""
    require_desk(roles, by, "correct a visitor's entry")
    old = visit.host_id
    if old == host_id:
        raise NothingToCorrect(f"<@{host_id}> is their host already")
    visit.host_id = host_id
    session.add(visit)
    session.flush()
    _record(
        session,
        now=now,
        by=by,
        visit_id=visit.id,
        field="host",
        old=f"<@{old}>",
        new=f"<@{host_id}>",
    )
    window_ids = _window_ids(session, visit_id=visit.id)
    # The channel's posts show the new host; the old host's DM is theirs to keep.
    redrawn = _redraw(
        session,
        now=now,
        key_prefixes=[f"visit:{visit.id}:"],
        item_ids=window_ids,
        change=_rehost(old, host_id),
        tag=f"visit:{visit.id}:corrected",
        channels_only=True,
    )
    cover = cover_for(session, intended_id=host_id, now=now, desk_channel=desk_channel, teams=teams)
    for item in items.for_subject(session, visit_id=visit.id):
        if item.kind == "visitor_arrival":
            redrawn += _move_window(session, item=item, to=host_id, cover=cover, now=now, by=by)
    visitors.tell_new_host(session, visit=visit, now=now, cover=cover)
    return Corrected("host", old, host_id, redrawn)


def correct_caller(
    session: Session,
    *,
    now: datetime,
    item: Item,
    message: PhoneMessage,
    caller: str,
    by: str,
    roles: Roles,
) -> Corrected:
    """Put the caller's name right, in the record and in the posts that showed it."""
    require_desk(roles, by, "correct a phone message")
    old = message.caller
    if old == caller:
        raise NothingToCorrect(f"the caller is {caller} already")
    message.caller = caller
    session.add(message)
    session.flush()
    _record(session, now=now, by=by, item_id=item.id, field="caller", old=old, new=caller)
    assert item.id is not None
    redrawn = _redraw(
        session,
        now=now,
        key_prefixes=[],
        item_ids=[item.id],
        change=_renamer(old, caller, ("caller", "who")),
        tag=f"item:{item.id}:corrected",
    )
    return Corrected("caller", old, caller, redrawn)


def correct_recipient(
    session: Session,
    *,
    now: datetime,
    item: Item,
    message: PhoneMessage,
    to: str,
    by: str,
    roles: Roles,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
) -> Corrected:
    """The message was for someone else: it moves to them as a reassignment does (the window
    keeps its deadline), and the record says whom it was for (a message taken with no
    recipient, routed, had nobody: "")."""
    require_desk(roles, by, "correct a phone message")
    old = message.recipient_id or ""
    if old == to:
        raise NothingToCorrect(f"it is for <@{to}> already")
    message.recipient_id = to
    session.add(message)
    _record(
        session,
        now=now,
        by=by,
        item_id=item.id,
        field="recipient",
        old=f"<@{old}>" if old else "(none: routed)",
        new=f"<@{to}>",
    )
    cover = cover_for(session, intended_id=to, now=now, desk_channel=desk_channel, teams=teams)
    redrawn = _move_window(session, item=item, to=to, cover=cover, now=now, by=by)
    if item.state != "done":  # the message's own DM, to whoever has it now
        item_actions.enqueue_assigned(session, item=item, now=now)
    return Corrected("recipient", old, to, redrawn)


def _move_window(
    session: Session, *, item: Item, to: str, cover: Cover, now: datetime, by: str
) -> int:
    """The window is meant for `to`; an open one moves to them (or whoever covers) as a
    reassignment does, and its channel posts say so. Returns how many posts are rewritten."""
    item.intended_id = to
    session.add(item)
    if item.state == "done":
        return 0
    windows.reassign(session, item=item, owner=cover.owner, now=now, by=by)
    return item_actions.rewrite_channel_posts(session, item=item, now=now, by=by, taken=False)


# --- the trail and the posts -------------------------------------------------------------------


def _record(
    session: Session,
    *,
    now: datetime,
    by: str,
    field: str,
    old: str,
    new: str,
    visit_id: int | None = None,
    item_id: int | None = None,
) -> None:
    audit.record(
        session,
        visit_id=visit_id,
        item_id=item_id,
        actor_id=by,
        action=ACTION,
        at=now,
        detail=f"{field}: {old} → {new}",
    )


def _window_ids(session: Session, *, visit_id: int | None) -> list[int]:
    return [i.id for i in items.for_subject(session, visit_id=visit_id) if i.id is not None]


Change = Callable[[Any], Any]


def _walk(leaf: Callable[[str, str], str]) -> Change:
    """A change of a row's params that puts `leaf(key, text)` for each string in them."""

    def change(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: change(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [change(v, key) for v in value]
        return leaf(key, value) if isinstance(value, str) else value

    return change


def _renamer(old: str, new: str, fields: tuple[str, ...]) -> Change:
    """Put `new` for `old`: in the name fields of a template's params, and in the words of a
    listener's stored blocks (escaped as they were shown)."""
    shown_old, shown_new = html.escape(old, False), html.escape(new, False)
    pattern = re.compile(rf"(?<!\w){re.escape(shown_old)}(?!\w)")

    def leaf(key: str, text: str) -> str:
        if key in fields and text == old:
            return new
        if key == "text":  # Block Kit text a listener built, escaped once
            return pattern.sub(lambda _: shown_new, text)
        return text

    return _walk(leaf)


def _rehost(old: str, new: str) -> Change:
    """Put the new host for the old: in `host_id` fields and in mentions."""

    def leaf(key: str, text: str) -> str:
        if key in ("host_id", "intended_id") and text == old:
            return new
        return text.replace(f"<@{old}>", f"<@{new}>")

    return _walk(leaf)


def _redraw(
    session: Session,
    *,
    now: datetime,
    key_prefixes: list[str],
    item_ids: list[int],
    change: Change,
    tag: str,
    channels_only: bool = False,
) -> int:
    """Draw again each earlier post about these rows with `change` applied, and apply it to the
    rows not sent yet; return how many posts are being redrawn."""
    for row in posts.pending_about(session, key_prefixes=key_prefixes, item_ids=item_ids):
        row.params = json.dumps(change(json.loads(row.params)))
        session.add(row)
    stamp = int(now.timestamp() * 1_000_000)
    written = 0
    # Alerts folded into a digest post show there too (storage.sweep).
    digests = [key for i in item_ids for key in item_posts.digests_holding(session, item_id=i)]
    found = posts.latest_about(session, key_prefixes=[*key_prefixes, *digests], item_ids=item_ids)
    for post in found:
        template, params = post.template, post.params
        if template == CorrectedPost.TEMPLATE:
            template, params = str(params["was"]), dict(params["shown"])
        if template in NOT_REDRAWN or (channels_only and post.channel[:1] == "D"):
            continue
        shown = change(params)
        if shown == params:
            continue
        for transport in ("update_ts", "response_url", "replace_original", "ephemeral_user"):
            shown.pop(transport, None)
        written += enqueue_notice(
            session,
            CorrectedPost(was=template, shown=shown, update_ts=post.ts),
            key=f"{tag}:{post.channel}:{post.ts}:{stamp}",
            target=post.channel,
            now=now,
            item_id=item_ids[0] if item_ids and not key_prefixes else None,
        )
    return written
