"""Periodic work: the sweep, the end of absences, the closing-time list, reports, retention.

Each job is a top-level function of a `JobContext` that does whatever has come due at
`ctx.now` and writes what must be said to the outbox under unique keys, so running it twice,
or in two processes, says nothing twice. The jobs are listed in bot/domain/job_list.py. Each runs
on its own: one that raises is logged and runs again next time, and the others still run.
The scheduler runs each every `sweep_every`; the console runs them at each instant `next_at`
names as it moves its clock forward.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.domain.channels import Channels
from bot.domain.config import Policy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    policy: Policy
    now: datetime
    desk_channel: str
    managers_channel: str

    def channels(self, site: str | None = None) -> Channels:
        """The channels of `site` (its own where its table names them, else these)."""
        return self.policy.channels_at(site, Channels(self.desk_channel, self.managers_channel))


@dataclass(frozen=True)
class Job:
    """A periodic piece of work, with a stable id for the scheduler."""

    id: str
    run: Callable[[JobContext], object]
    # The next instant after ctx.now at which it will have work (None: nothing pending).
    next_at: Callable[[JobContext], datetime | None]


def load_jobs() -> dict[str, Job]:
    """Every job by id, from the list in bot/domain/job_list.py."""
    # Imported here: the feature modules the list names import this module for `Job`.
    from bot.domain.job_list import JOBS

    return {job.id: job for job in JOBS}


def run_job(job: Job, ctx: JobContext) -> bool:
    """Run one job; a failure is logged (with its id and instant) and not raised."""
    try:
        job.run(ctx)
    except Exception:
        log.exception("periodic job %s failed at %s; it runs again next round", job.id, ctx.now)
        return False
    return True


def run_due(ctx: JobContext, jobs: Iterable[Job] | None = None) -> list[str]:
    """Run every job for `ctx.now`, each on its own; return the ids of those that failed."""
    chosen = load_jobs().values() if jobs is None else jobs
    return [job.id for job in chosen if not run_job(job, ctx)]


def next_instant(ctx: JobContext, jobs: Iterable[Job] | None = None) -> datetime | None:
    """The earliest instant after `ctx.now` at which some job has work."""
    instants = []
    for job in load_jobs().values() if jobs is None else jobs:
        try:
            at = job.next_at(ctx)
        except Exception:
            log.exception("periodic job %s could not say when it next has work", job.id)
            continue
        if at is not None:
            instants.append(at)
    return min(instants) if instants else None
