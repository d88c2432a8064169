"""A closure decided today (a snow day): the calendar learns it and open deadlines move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.config import DEFAULT_SITE, Policy, WindowSpec, window_spec
from bot.domain.durations import parse_duration
from bot.domain.jobs import Job, JobContext
from bot.domain.notices import ClosureNotice, enqueue_notice
from bot.domain.services import windows
from storage import closures, enquiries, items, messages
from storage.db import session_scope
from storage.models import Item

CALENDAR_REASON = "calendar"


class AlreadyClosed(ValueError):
    """The day was closed already."""


@dataclass(frozen=True)
class ClosureResult:
    day: date
    moved: int


def close_day(
    session: Session,
    *,
    policy: Policy,
    day: date,
    reason: str | None,
    by: str,
    now: datetime,
    desk_channel: str,
    site: str = DEFAULT_SITE,
) -> ClosureResult:
    """Close `day` at `site`, move every open deadline there the closure affects, and tell the
    desk."""
    if not closures.add(session, day=day, reason=reason, added_by=by, now=now, site=site):
        raise AlreadyClosed(f"{day.isoformat()} is already closed")
    calendar = policy.calendar(site)
    calendar.add_closure(day)
    moved = 0
    for item in items.open_with_deadlines(session):
        if policy.known_site(item.site) != site:
            continue  # another site's calendar
        if item.revised_reason and not item.revised_reason.startswith(CALENDAR_REASON):
            continue  # someone set this deadline by hand ("Running late…"): it stands
        due = calendar.add(item.started_at, parse_duration(item.window))
        if due == item.due_at:
            continue
        windows.revise(
            session,
            item=item,
            due=due,
            now=now,
            calendar=calendar,
            spec=spec_for(session, policy, item),
            by=by,
            reason=f"{CALENDAR_REASON}: closed {day.isoformat()}",
        )
        moved += 1
    enqueue_notice(
        session,
        ClosureNotice(day=day, reason=reason, by=by, moved=moved),
        key=f"closure:{day.isoformat()}" if site == DEFAULT_SITE else f"closure:{site}:{day}",
        target=desk_channel,
        now=now,
    )
    return ClosureResult(day=day, moved=moved)


def spec_for(session: Session, policy: Policy, item: Item) -> WindowSpec:
    """The policy's window for this item's kind."""
    sla = policy.sla
    if item.kind == "phone_message" and item.message_id is not None:
        message = messages.get(session, item.message_id)
        return sla.phone_message_window(bool(message and message.urgent))
    if item.kind in ("enquiry_ack", "enquiry_resolve") and item.enquiry_id is not None:
        enquiry = enquiries.get(session, item.enquiry_id)
        ack, resolve = sla.enquiry_windows(
            enquiry.channel if enquiry else "phone", enquiry.kind if enquiry else ""
        )
        spec = ack if item.kind == "enquiry_ack" else resolve
        # A stage the policy has switched off since the window opened keeps its own length.
        return spec or window_spec(parse_duration(item.window or "1 business day"), None, None)
    if item.kind == "visitor_arrival":
        return sla.visitor_window()
    return sla.phone_message_window(False)


def load_closures(ctx: JobContext) -> None:
    """Teach this process's calendar the closures other processes recorded."""
    with session_scope(ctx.engine) as session:
        days = closures.all_days(session)
    for site, day in days:
        calendar = ctx.policy.calendar(site)
        if day not in calendar.closures:
            calendar.add_closure(day)


JOB = Job(id="closures", run=load_closures, next_at=lambda _ctx: None)
