"""Late visitors: an expected visitor not signed in `[visitors] late_after` after their time is
reported to the host once; at closing they are recorded as a no-show (bot/domain/services/closing.py).

A periodic job on the injected clock; the visit's `late_reported_at` and the outbox row's
unique key (`visit:<id>:late`) make the report happen once, however many processes run it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.jobs import Job, JobContext
from bot.domain.notices import VisitorLateDm, enqueue_notice
from storage import audit, visits
from storage.db import session_scope


def report_late(session: Session, *, now: datetime, late_after: timedelta) -> int:
    """Tell each host whose expected visitor is now late; return how many were told."""
    told = 0
    for visit in visits.late_unreported(session, expected_before=now - late_after):
        assert visit.id is not None and visit.expected_at is not None
        visit.late_reported_at = now
        session.add(visit)
        notice = VisitorLateDm(
            visit_id=visit.id,
            name=visit.name,
            host_id=visit.host_id,
            expected_at=visit.expected_at,
            organisation=visit.organisation,
        )
        if enqueue_notice(
            session, notice, key=f"visit:{visit.id}:late", target=visit.host_id, now=now
        ):
            audit.record(session, visit_id=visit.id, actor_id="frontdesk", action="late", at=now)
            told += 1
    return told


def _run(ctx: JobContext) -> int:
    with session_scope(ctx.engine) as session:
        return report_late(session, now=ctx.now, late_after=ctx.policy.visitors.late_after.plain)


def _next(ctx: JobContext) -> datetime | None:
    late_after = ctx.policy.visitors.late_after.plain
    with session_scope(ctx.engine) as session:
        first = visits.next_unreported_expected(session, expected_after=ctx.now - late_after)
    return None if first is None else first + late_after


JOB = Job(id="visitors.late", run=_run, next_at=_next)
