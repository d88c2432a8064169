"""Response windows: open, close, reassign, revise, and the order of their stages.

A window has three stages, each at its own instant: "warn" (due soon, `warn_at`),
"breach" (`due_at`) and "escalate" (`escalate_at`). `next_stage`/`next_stage_at` point at
the one still to come, so the sweep reads one indexed column. "remind" is an extra stage
after a "Tried — no answer", at the next opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar, warn_instant
from bot.domain.config import DEFAULT_SITE, WindowSpec
from storage import audit, items
from storage.models import Item

STAGE_ORDER = ("warn", "breach", "escalate")


@dataclass(frozen=True)
class Owner:
    """Who has a window: a person, or a channel (the desk) when nobody does."""

    user_id: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.channel is None):
            raise ValueError("an owner is a person or a channel")


class WindowClosed(Exception):
    """The window was already done; `outcome` says how it ended (None: just done)."""

    def __init__(self, outcome: str | None = None) -> None:
        self.outcome = outcome
        super().__init__(f"already {(outcome or 'done').replace('_', ' ')}")


def open_window(
    session: Session,
    *,
    kind: str,
    now: datetime,
    calendar: BusinessCalendar,
    spec: WindowSpec,
    owner: Owner,
    actor_id: str,
    intended_id: str | None = None,
    message_id: int | None = None,
    visit_id: int | None = None,
    enquiry_id: int | None = None,
    warn: bool = True,
    team: str | None = None,
    site: str = DEFAULT_SITE,
) -> Item:
    """Start a window now; its instants come from the policy's durations in business time.

    `team`: the team it opens with, kept for the reports whoever has it later."""
    due = calendar.add(now, spec.respond)
    warn_at = warn_instant(calendar, now, due, spec.warn_before) if warn else None
    escalate_at = calendar.add(due, spec.escalate_after)
    stage, stage_at = _first_stage(
        "warn" if warn else "breach", warn_at=warn_at, due_at=due, escalate_at=escalate_at
    )
    item = items.insert(
        session,
        kind=kind,
        site=site,
        message_id=message_id,
        visit_id=visit_id,
        enquiry_id=enquiry_id,
        intended_id=intended_id,
        owner_id=owner.user_id,
        owner_channel=owner.channel,
        started_at=now,
        due_at=due,
        warn_at=warn_at,
        escalate_at=escalate_at,
        window=str(spec.respond),
        team=team,
        created_at=now,
        next_stage=stage,
        next_stage_at=stage_at,
    )
    audit.record(
        session,
        item_id=item.id,
        actor_id=actor_id,
        action="created",
        at=now,
        detail=_owner_text(owner),
    )
    return item


def advance(item: Item) -> None:
    """Move past the stage just handled to the next one (or none)."""
    stage = item.next_stage
    if stage == "breach":
        item.state = "breached"
    if stage == "remind":
        _schedule_from(item, "warn" if item.state == "open" else "escalate")
        return
    if stage is None or stage not in STAGE_ORDER:
        item.next_stage, item.next_stage_at = None, None
        return
    following = STAGE_ORDER.index(stage) + 1
    if following >= len(STAGE_ORDER):
        item.next_stage, item.next_stage_at = None, None
        return
    _schedule_from(item, STAGE_ORDER[following])


def close(session: Session, *, item: Item, now: datetime, by: str, outcome: str) -> Item:
    """Mark the window done (answered); no reminder or alert follows."""
    _require_open(item)
    item.state = "done"
    item.done_at, item.done_by, item.outcome = now, by, outcome
    item.next_stage, item.next_stage_at = None, None
    session.add(item)
    audit.record(session, item_id=item.id, actor_id=by, action=outcome, at=now)
    return item


def reassign(session: Session, *, item: Item, owner: Owner, now: datetime, by: str) -> Item:
    """Give the window to someone else; the customer's clock does not restart."""
    _require_open(item)
    item.owner_id, item.owner_channel = owner.user_id, owner.channel
    session.add(item)
    audit.record(
        session,
        item_id=item.id,
        actor_id=by,
        action="reassigned",
        at=now,
        detail=_owner_text(owner),
    )
    return item


def revise(
    session: Session,
    *,
    item: Item,
    due: datetime,
    now: datetime,
    calendar: BusinessCalendar,
    spec: WindowSpec,
    by: str,
    reason: str,
) -> Item:
    """Move the deadline ("Running late…", a closure): it gets its own reminders."""
    _require_open(item)
    item.due_at = due
    item.warn_at = warn_instant(calendar, now, due, spec.warn_before) if item.warn_at else None
    item.escalate_at = calendar.add(due, spec.escalate_after)
    item.deadline_version += 1
    item.revised_reason = reason
    if due > now:
        item.state = "open"
    _schedule_from(item, "warn" if item.warn_at else "breach")
    session.add(item)
    audit.record(
        session,
        item_id=item.id,
        actor_id=by,
        action="revised",
        at=now,
        detail=f"{due.isoformat()}: {reason}",
    )
    return item


# The reason a phone message's interim call back gives the deadline it moves to the day the
# caller was promised a full answer (bot/domain/services/message_interim.py).
INTERIM_REASON = "interim call back: a full answer promised"


def full_answer_promised(item: Item) -> bool:
    """Whether the item's deadline is the full answer promised at an interim call back."""
    return item.revised_reason == INTERIM_REASON


class NotAWorkingDay(ValueError):
    """A day promised to a customer on which the site is closed."""


def day_close(calendar: BusinessCalendar, day: date) -> datetime:
    """The close of business on `day`, a date promised to a customer ("Running late…", an
    interim call back): NotAWorkingDay if the site does not open that day."""
    due = calendar.closing_of(day)
    if due is None:
        raise NotAWorkingDay(f"{day:%a %d %b %Y} is not a working day: pick another.")
    return due


REPEAT_WINDOW = timedelta(minutes=5)


class RepeatedAttempt(Exception):
    """ "Tried — no answer" again within minutes of the last: one attempt, already noted."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"attempt {attempts} is already noted")
        self.attempts = attempts


def record_attempt(
    session: Session, *, item: Item, now: datetime, calendar: BusinessCalendar, by: str
) -> Item:
    """ "Tried — no answer": keep the window open and remind again at the next opening.

    Pressed again within REPEAT_WINDOW (twice by mistake, or by two people at once), it is
    the same attempt: RepeatedAttempt says so and nothing changes."""
    _require_open(item)
    last = audit.last_at(session, item_id=int(item.id or 0), action="tried")
    if last is not None and now - last < REPEAT_WINDOW:
        raise RepeatedAttempt(item.attempts)
    item.attempts += 1
    remind_at = calendar.next_opening(_after_this_opening(calendar, now))
    if item.next_stage_at is None or remind_at < item.next_stage_at:
        item.next_stage, item.next_stage_at = "remind", remind_at
    session.add(item)
    audit.record(
        session,
        item_id=item.id,
        actor_id=by,
        action="tried",
        at=now,
        detail=f"attempt {item.attempts}",
    )
    return item


def outbox_key(item: Item, stage: str) -> str:
    """The unique key of one stage of one deadline of a window."""
    if stage == "remind":
        return f"item:{item.id}:remind:{item.attempts}"
    return f"item:{item.id}:{stage}:v{item.deadline_version}"


def is_moot(session: Session, item_id: int) -> str | None:
    """Why a stage of this window need no longer be said (None if it still should)."""
    item = items.get(session, item_id)
    if item is None:
        return "the item is gone"
    if item.state == "done":
        return f"the item is {item.outcome or 'done'}"
    return None


def _require_open(item: Item) -> None:
    """Refuse to change a window that is already done."""
    if item.state == "done":
        raise WindowClosed(item.outcome)


def _schedule_from(item: Item, stage: str) -> None:
    """Point at `stage`, or the first later stage that applies."""
    item.next_stage, item.next_stage_at = _first_stage(
        stage,
        warn_at=item.warn_at,
        due_at=item.due_at,
        escalate_at=item.escalate_at,
        breached=item.state == "breached",
    )


def _first_stage(
    stage: str,
    *,
    warn_at: datetime | None,
    due_at: datetime,
    escalate_at: datetime | None,
    breached: bool = False,
) -> tuple[str | None, datetime | None]:
    """`stage`, or the first later stage that applies, and its instant (None, None: none)."""
    instants = {"warn": warn_at, "breach": due_at, "escalate": escalate_at}
    for candidate in STAGE_ORDER[STAGE_ORDER.index(stage) :]:
        at = instants.get(candidate)
        if at is None:
            continue
        if candidate == "warn" and at >= due_at:
            continue
        if candidate == "breach" and breached:
            continue
        return candidate, at
    return None, None


def _after_this_opening(calendar: BusinessCalendar, now: datetime) -> datetime:
    """An instant after the current working stretch, so "next opening" is a new one."""
    probe = now
    while calendar.is_open(probe):
        probe += timedelta(minutes=15)
    return probe


def _owner_text(owner: Owner) -> str:
    return f"owner {owner.user_id}" if owner.user_id else f"channel {owner.channel}"
