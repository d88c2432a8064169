"""The daily retention job: anonymise personal data past `retention.visitors`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain.jobs import Job, JobContext
from bot.domain.services.privacy import run_retention
from storage.db import session_scope

JOB_ID = "retention"


def run(ctx: JobContext) -> int:
    """Anonymise what has passed the retention period; return how many records it touched.

    The cutoff moves once a day (at site midnight), so after the first run of a day the
    others find nothing new.
    """
    with session_scope(ctx.engine) as session:
        return run_retention(session, now=ctx.now, policy=ctx.policy).records


def next_at(ctx: JobContext) -> datetime | None:
    """The next site midnight, when the cutoff moves on."""
    tz = ctx.policy.site.tz
    tomorrow = ctx.now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=tz).astimezone(UTC)


JOB = Job(id=JOB_ID, run=run, next_at=next_at)
