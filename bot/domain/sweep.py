"""The sweep: turn the stages whose instant has passed into outbox rows.

Each round locks a batch of due windows (SKIP LOCKED on PostgreSQL; SQLite has one writer),
writes one row per (item, stage, deadline) under its unique key, and moves each window on to
its next stage, all in one transaction: a crash loses nothing and doubles nothing. Alerts for
the managers' channel from one round are folded into one digest post.

Who hears what (DESIGN.md, "Windows, reminders, alerts"):
  phone message, enquiry: warn → owner; breach → managers + owner; escalate → managers, loud
  (an owner out of office who kept the item: whoever covers for them, told so)
  visitor arrival: breach → desk channel + the host's backup; escalate → managers
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.channels import Channels
from bot.domain.clock import Clock
from bot.domain.config import Policy
from bot.domain.jobs import Job, JobContext
from bot.domain.notices import (
    AlertDigest,
    ItemAlert,
    ItemDueSoon,
    ItemOverdue,
    ItemRemind,
    Notice,
    OwnerReminder,
    VisitorBackupDm,
    VisitorUnanswered,
    enqueue_notice,
)
from bot.domain.services import windows
from bot.domain.services.cover import Cover, cover_for
from bot.domain.services.item_summary import summarise
from bot.domain.teams import NO_TEAMS, TeamBook
from storage import items
from storage import sweep as stored
from storage.db import session_scope
from storage.models import Item
from storage.outbox import Pending

log = logging.getLogger(__name__)

BATCH = 200
DIGEST_SIZE = 20  # items per digest post (two blocks each, under Slack's 50)
MAX_STAGES_PER_ITEM = 8
JUST_AFTER = timedelta(
    seconds=1
)  # the breach is said this long after the due instant  # a window has at most warn, breach, escalate and a remind


Reminder = TypeVar("Reminder", bound=OwnerReminder)


@dataclass(frozen=True)
class Planned:
    """One outbox row to write: a notice, where it goes and under which key."""

    key: str
    notice: Notice
    target: str
    item_id: int

    @property
    def alert(self) -> ItemAlert | None:
        """The managers' alert this row is, if it is one (alerts of one round share a digest)."""
        return self.notice if isinstance(self.notice, ItemAlert) else None


@dataclass
class SweepResult:
    stages: int = 0
    rows: int = 0
    digests: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Audience:
    """Where alerts go: each site's channels (the deployment's where a site names none)."""

    channels: Channels
    manager_ids: tuple[str, ...]
    teams: TeamBook = NO_TEAMS
    site_channels: tuple[tuple[str, Channels], ...] = ()  # (site, its channels)

    def at(self, site: str) -> Channels:
        """The channels of the site that received an item."""
        return dict(self.site_channels).get(site, self.channels)


def sweep(
    engine: Engine,
    *,
    policy: Policy,
    now: datetime,
    desk_channel: str,
    managers_channel: str,
    batch: int = BATCH,
) -> SweepResult:
    """Handle every stage due at `now`, a batch per transaction."""
    shared = Channels(desk_channel, managers_channel)
    audience = Audience(
        shared,
        tuple(policy.roles.managers),
        policy.team_book(),
        tuple((site, policy.channels_at(site, shared)) for site in policy.site_ids()),
    )
    result = SweepResult()
    while True:
        with session_scope(engine) as session:
            due = items.due_for_sweep(session, now=now, limit=batch)
            planned: list[Planned] = []
            for item in due:
                planned += _handle_due_stages(session, item, now, audience, result)
            _write(session, planned, now, audience, result)
        if len(due) < batch:
            return result


def earliest_stage_at(engine: Engine) -> datetime | None:
    """When the sweep next has work (the earliest stage of any window)."""
    with Session(engine) as session:
        return stored.earliest_stage_at(session)


def _handle_due_stages(
    session: Session, item: Item, now: datetime, audience: Audience, result: SweepResult
) -> list[Planned]:
    planned: list[Planned] = []
    for _ in range(MAX_STAGES_PER_ITEM):
        if item.next_stage is None or item.next_stage_at is None or item.next_stage_at > now:
            break
        stage = item.next_stage
        if stage == "breach" and now <= item.due_at:
            # At the due instant itself the item is still on time (answered no later than
            # `due_at`, DESIGN "Business time"): the breach is said once that instant has passed.
            item.next_stage_at = item.due_at + JUST_AFTER
            break
        if stage == "warn" and now >= item.due_at:
            # Late (the sweep was held up past the due instant): "due soon" would now be
            # wrong, and the breach stage says what is true. Dropped, and said so.
            key = windows.outbox_key(item, stage)
            result.skipped.append(key)
            log.warning(
                "%s not written: the sweep reached the due-soon stage of item %s at %s, after "
                "its due instant %s (the breach stage follows)",
                key,
                item.id,
                now.isoformat(),
                item.due_at.isoformat(),
            )
        else:
            planned += _notices(session, item, stage, audience, now)
        result.stages += 1
        windows.advance(item)
    session.add(item)
    return planned


def _notices(
    session: Session, item: Item, stage: str, audience: Audience, now: datetime
) -> list[Planned]:
    """Who hears about this stage of this window."""
    key = windows.outbox_key(item, stage)
    summary = summarise(session, item)
    channels = audience.at(item.site)  # the channels of the site that received it
    desk, managers = channels.desk, channels.managers
    owner = item.owner_id or item.owner_channel or desk
    # An owner away who did not hand the item over: whoever covers for them hears instead,
    # told whose it is (the item stays the owner's).
    covering: Cover | None = None
    if item.owner_id and item.kind != "visitor_arrival" and stage != "escalate":
        cover = cover_for(
            session,
            intended_id=item.owner_id,
            now=now,
            desk_channel=desk,
            teams=audience.teams,
        )
        if cover.redirected:
            owner = cover.owner.user_id or cover.owner.channel or desk
            covering = cover
    assert item.id is not None
    item_id = item.id
    if stage == "escalate":
        alert = replace(ItemAlert.about(summary, stage=stage), mention_ids=audience.manager_ids)
        return [Planned(key, alert, managers, item_id)]
    if item.kind == "visitor_arrival":
        if stage != "breach":
            return []
        planned = [Planned(key, VisitorUnanswered.about(summary, stage=stage), desk, item_id)]
        # The one who was asked (the host, or whoever covered for them) has not answered:
        # their own backup hears of it, if they have one; the desk channel always does.
        asked = item.owner_id
        if asked:
            cover = cover_for(
                session,
                intended_id=asked,
                now=item.due_at,
                desk_channel=desk,
                teams=audience.teams,
            )
            backup = cover.owner.user_id
            if backup and backup != asked:
                backup_dm = VisitorBackupDm.about(summary, stage=stage)
                planned.append(Planned(f"{key}:backup", backup_dm, backup, item_id))
        return planned
    if stage == "warn":
        due_soon = _covered(ItemDueSoon.about(summary, stage=stage), covering, item.owner_id)
        return [Planned(key, due_soon, owner, item_id)]
    if stage == "breach":
        overdue = _covered(ItemOverdue.about(summary, stage=stage), covering, item.owner_id)
        return [
            Planned(key, ItemAlert.about(summary, stage=stage), managers, item_id),
            Planned(f"{key}:owner", overdue, owner, item_id),
        ]
    if stage == "remind":
        remind = replace(ItemRemind.about(summary, stage=stage), attempts=item.attempts)
        return [Planned(key, _covered(remind, covering, item.owner_id), owner, item_id)]
    log.warning("no notice for stage %r of item %s", stage, item_id)
    return []


def _covered(notice: Reminder, cover: Cover | None, owner_id: str | None) -> Reminder:
    """`notice` as whoever covers for the away `owner_id` gets it (unchanged if nobody does)."""
    if cover is None:
        return notice
    return replace(
        notice,
        covering_for=owner_id,
        away_until=cover.away_until,
        covered_by=cover.owner.user_id,
    )


def _write(
    session: Session,
    planned: list[Planned],
    now: datetime,
    audience: Audience,
    result: SweepResult,
) -> None:
    folded: list[Planned] = []
    for row in planned:
        written = enqueue_notice(
            session,
            row.notice,
            key=row.key,
            target=row.target,
            now=now,
            item_id=row.item_id,
        )
        if not written:
            continue  # said before (the unique key): never twice
        result.rows += 1
        if row.alert is not None:
            folded.append(row)
    by_channel: dict[str, list[Planned]] = {}
    for row in folded:  # one digest per managers' channel (a site may have its own)
        by_channel.setdefault(row.target, []).append(row)
    for channel, rows in by_channel.items():
        _digest(session, channel, rows, now, audience, result)


def _digest(
    session: Session,
    channel: str,
    folded: list[Planned],
    now: datetime,
    audience: Audience,
    result: SweepResult,
) -> None:
    """Fold the alerts of one round for `channel` into digest posts (two or more)."""
    if len(folded) < 2:
        return
    for start in range(0, len(folded), DIGEST_SIZE):
        chunk = folded[start : start + DIGEST_SIZE]
        keys = [row.key for row in chunk]
        alerts = tuple(row.alert for row in chunk if row.alert is not None)
        digest_key = "digest:" + hashlib.sha1("\n".join(keys).encode()).hexdigest()
        loud = any(alert.stage == "escalate" for alert in alerts)
        digest = AlertDigest(items=alerts, mention_ids=audience.manager_ids if loud else ())
        enqueue_notice(session, digest, key=digest_key, target=channel, now=now)
        stored.fold_into_digest(session, keys=keys, digest_key=digest_key)
        result.digests += 1


def outbox_moot(
    engine: Engine, clock: Clock | None = None
) -> Callable[[Pending], str | Pending | None]:
    """The sender's check before posting: a reason to drop the row, a trimmed row, or None.

    A stage that comes late is still sent while it means something: a due-soon notice only
    until the due instant (of `clock`, or until the item is breached), then dropped and logged.
    """

    def check(row: Pending) -> str | Pending | None:
        if row.template == "alert_digest":
            listed = row.params.get("items") or []
            with Session(engine) as session:
                states = items.states(session, [int(i["item_id"]) for i in listed])
            still = [i for i in listed if states.get(int(i["item_id"]), "done") != "done"]
            if not still:
                return "every item in the digest is done"
            if len(still) < len(listed):
                return replace(row, params={**row.params, "items": still})
            return None
        if row.item_id is None:
            return None
        with Session(engine) as session:
            reason = windows.is_moot(session, row.item_id)
            if reason is None and row.template == "item_due_soon":
                reason = _due_soon_too_late(session, row, clock)
        return reason

    return check


def _due_soon_too_late(session: Session, row: Pending, clock: Clock | None) -> str | None:
    """A due-soon notice that would arrive after the due instant means nothing: why, if so."""
    item = items.get(session, row.item_id) if row.item_id is not None else None
    if item is None:
        return None
    late = item.state == "breached" or (clock is not None and clock.now() >= item.due_at)
    if not late:
        return None
    log.warning(
        "outbox row %s dropped: a due-soon notice after item %s's due instant %s",
        row.key,
        item.id,
        item.due_at.isoformat(),
    )
    return "a due-soon notice after the due instant"


def run_sweep(ctx: JobContext) -> SweepResult:
    """The sweep as a periodic job."""
    return sweep(
        ctx.engine,
        policy=ctx.policy,
        now=ctx.now,
        desk_channel=ctx.desk_channel,
        managers_channel=ctx.managers_channel,
    )


def next_sweep_at(ctx: JobContext) -> datetime | None:
    """When the sweep next has work."""
    return earliest_stage_at(ctx.engine)


JOB = Job(id="sweep", run=run_sweep, next_at=next_sweep_at)
