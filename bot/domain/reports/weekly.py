"""The weekly report: posted to the managers' channel at the first opening of each week,
covering the previous Monday to Sunday.

One outbox row per week (key `report:weekly:<monday>`), so however many processes run the
job, the week is posted once. A week with nothing in it at all is not posted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.jobs import Job, JobContext
from bot.domain.notices import enqueue_notice
from bot.domain.reports.periods import Period, week_of
from storage import outbox
from storage import reports as data
from storage.db import session_scope

JOB_ID = "weekly_report"


def weekly_key(period: Period, site: str | None = None) -> str:
    """The outbox key of the report of the week starting `period.first` (of one site's, where
    several sites share the deployment)."""
    where = f"{site}:" if site else ""
    return f"report:weekly:{where}{period.first.isoformat()}"


def first_opening(ctx: JobContext, monday: date, site: str | None = None) -> datetime | None:
    """The first opening of the week starting `monday` (None if the site never opens)."""
    calendar = ctx.policy.calendar(site)
    opening = calendar.next_opening(datetime.combine(monday, time(0), tzinfo=calendar.tz))
    if opening.astimezone(calendar.tz).date() > monday + timedelta(days=6):
        return None
    return opening


def _sites(ctx: JobContext) -> tuple[str | None, ...]:
    """One report per site where there are several; one for the whole desk otherwise."""
    return ctx.policy.site_ids() if ctx.policy.multi_site else (None,)


def run(ctx: JobContext) -> bool:
    """Post last week's report(s) once this week has opened; return whether a row was written."""
    written = False
    for site in _sites(ctx):
        written |= _run_for(ctx, site)
    return written


def _run_for(ctx: JobContext, site: str | None) -> bool:
    from bot.domain.reports.export import render_report  # matplotlib: only when a report is drawn

    tz = ctx.policy.site_config(site).tz
    this_week = week_of(ctx.now.astimezone(tz).date())
    opening = first_opening(ctx, this_week.first, site)
    if opening is None or ctx.now < opening:
        return False
    period = week_of(this_week.first - timedelta(days=7))
    key = weekly_key(period, site)
    start, end = period.bounds(tz)
    with session_scope(ctx.engine) as session:
        if outbox.row_state(session, key) is not None:
            return False
        if not data.anything_in(session, start, end, site):
            return False
    rendered = render_report(ctx.engine, ctx.policy, period, ctx.now, site)
    with session_scope(ctx.engine) as session:
        return enqueue_notice(
            session, rendered.notice(), key=key, target=ctx.channels(site).managers, now=ctx.now
        )


def next_at(ctx: JobContext) -> datetime | None:
    """This week's first opening if still ahead, else next week's (the earliest site's)."""
    instants = [_next_for(ctx, site) for site in _sites(ctx)]
    return min((at for at in instants if at is not None), default=None)


def _next_for(ctx: JobContext, site: str | None) -> datetime | None:
    monday = week_of(ctx.now.astimezone(ctx.policy.site_config(site).tz).date()).first
    for offset in (0, 7, 14):
        opening = first_opening(ctx, monday + timedelta(days=offset), site)
        if opening is not None and opening > ctx.now:
            return opening
    return None


JOB = Job(id=JOB_ID, run=run, next_at=next_at)
