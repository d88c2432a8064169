"""Who is on site at closing (policy 000, fire safety), and the desk's answers to that list.

At each closing the desk channel is sent the visitors still signed in, with a button each to
sign them out or confirm they stay. One post per closing (its outbox key names the day); a
process that was down posts only the latest closing, and only until the site opens again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from bot.domain.config import DEFAULT_SITE
from bot.domain.jobs import Job, JobContext
from bot.domain.notices import ClosingOnSite, ClosingVisitor, enqueue_notice
from bot.domain.roles import Refusal, Roles
from bot.domain.services import visitors
from storage import audit, posts, visits
from storage.db import session_scope
from storage.models import Visit

LOOK_BACK_DAYS = 7
LIST_LIMIT = 23  # two blocks a visitor; Slack takes at most 50 blocks in a message
NO_SHOW_LIMIT = 20  # one line each, in one section (3000 characters)


def last_closing(calendar: BusinessCalendar, now: datetime) -> datetime | None:
    """The latest closing at or before `now` after which the site has not yet reopened."""
    if calendar.hours.always_open:
        return None
    today = now.astimezone(calendar.tz).date()
    for back in range(LOOK_BACK_DAYS + 1):
        closing = calendar.closing_of(today - timedelta(days=back))
        if closing is not None and closing <= now:
            return closing if calendar.next_opening(closing) > now else None
    return None


def next_closing(calendar: BusinessCalendar, now: datetime) -> datetime | None:
    """The first closing after `now`."""
    if calendar.hours.always_open:
        return None
    today = now.astimezone(calendar.tz).date()
    for ahead in range(LOOK_BACK_DAYS * 3):
        closing = calendar.closing_of(today + timedelta(days=ahead))
        if closing is not None and closing > now:
            return closing
    return None


def post_closing_list(
    session: Session,
    *,
    now: datetime,
    calendar: BusinessCalendar,
    desk_channel: str,
    site: str | None = None,
) -> bool:
    """Write the closing-time list of visitors still signed in (at `site`, else anywhere);
    False if there is none to send."""
    closing = last_closing(calendar, now)
    if closing is None:
        return False
    on_site = visits.on_site(session, site)
    no_shows = record_no_shows(session, closing=closing, now=now, site=site)
    if not on_site and not no_shows:
        return False
    notice = ClosingOnSite(
        closing_at=closing,
        visitors=tuple(_visitor(v) for v in on_site[:LIST_LIMIT]),
        more=max(0, len(on_site) - LIST_LIMIT),
        no_shows=tuple(_visitor(v) for v in no_shows[:NO_SHOW_LIMIT]),
    )
    return enqueue_notice(
        session,
        notice,
        key=f"closing:{_site_key(site)}{closing.astimezone(calendar.tz).date().isoformat()}",
        target=desk_channel,
        now=now,
    )


def record_no_shows(
    session: Session, *, closing: datetime, now: datetime, site: str | None = None
) -> list[Visit]:
    """Expected visitors (at `site`, or anywhere) whose time passed before `closing` and who
    never signed in: recorded as no-shows (state `no_show`, and a line in their audit)."""
    missed = visits.expected_before(session, closing, site)
    for visit in missed:
        visit.state = "no_show"
        session.add(visit)
        audit.record(session, visit_id=visit.id, actor_id="frontdesk", action="no_show", at=now)
    return missed


def confirm_stays(
    session: Session, *, visit_id: int, by: str, now: datetime, roles: Roles
) -> Visit:
    """Record that a visitor still signed in at closing is staying on."""
    if not roles.is_desk(by):
        raise Refusal("Only reception and managers may answer the closing-time list.")
    visit = visits.get(session, visit_id)
    if visit is None or visit.state != "on_site":
        raise visitors.VisitorNotFound("that visitor is no longer signed in")
    audit.record(session, visit_id=visit.id, actor_id=by, action="stays_after_closing", at=now)
    return visit


def sign_out_at_closing(
    session: Session, *, visit_id: int, by: str, now: datetime, roles: Roles
) -> Visit:
    """Sign out a visitor from the closing-time list."""
    if not roles.is_desk(by):
        raise Refusal("Only reception and managers may answer the closing-time list.")
    visit = visits.get(session, visit_id)
    if visit is None:
        raise visitors.VisitorNotFound("that visit is no longer on record")
    return visitors.sign_out_visit(session, now=now, visit=visit, by=by)


@dataclass(frozen=True)
class Answer:
    """What was decided for a visitor on the closing-time list."""

    signed_out: bool
    by: str
    at: datetime


def answers(session: Session, visit_ids: list[int]) -> dict[int, Answer]:
    """For each listed visitor who has been answered for: signed out (by whom, when), or
    staying after closing — from the visits and their audit, not from any message."""
    found: dict[int, Answer] = {}
    if not visit_ids:
        return found
    events = audit.for_visits(session, visit_ids, actions=("signed_out", "stays_after_closing"))
    for event in events:  # the latest answer wins
        found[int(event.visit_id or 0)] = Answer(
            event.action == "signed_out", event.actor_id, event.at
        )
    return found


def _visitor(visit: Visit) -> ClosingVisitor:
    assert visit.id is not None
    return ClosingVisitor(
        visit_id=visit.id,
        name=visit.name,
        organisation=visit.organisation,
        pass_number=visit.pass_number,
        host_id=visit.host_id,
        arrived_at=visit.arrived_at,
        expected_at=visit.expected_at,
    )


def _site_key(site: str | None) -> str:
    # The default site keeps the key it always had, so an upgrade does not post a list twice.
    return f"{site}:" if site and site != DEFAULT_SITE else ""


def _run(ctx: JobContext) -> bool:
    """Each site's list at its own closing, to its own desk channel."""
    policy = ctx.policy
    posted = False
    for site in policy.site_ids():
        with session_scope(ctx.engine) as session:
            posted |= post_closing_list(
                session,
                now=ctx.now,
                calendar=policy.calendar(site),
                desk_channel=ctx.channels(site).desk,
                site=site if policy.multi_site else None,
            )
    return posted


def _next(ctx: JobContext) -> datetime | None:
    closings = [next_closing(ctx.policy.calendar(site), ctx.now) for site in ctx.policy.site_ids()]
    return min((at for at in closings if at is not None), default=None)


JOB = Job(id="closing.on_site", run=_run, next_at=_next)


def locked_list(session: Session, *, channel: str, ts: str) -> posts.Posted | None:
    """The closing-time list posted at (`channel`, `ts`), locked so its rewrites take turns;
    None if the bot posted no such list there."""
    return posts.locked(session, channel=channel, ts=ts, template="closing_on_site")
