"""Periodic work: the sweep, the end of absences, the closing-time list, reports, retention.

Each job is a top-level function of a `JobContext` that does whatever has come due at
`ctx.now` and writes what must be said to the outbox under unique keys, so running it twice,
or in two processes, says nothing twice. The scheduler runs every job each `sweep_every`;
the console runs them at each instant `next_at` names as it moves its clock forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.config import Policy


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    policy: Policy
    now: datetime
    desk_channel: str
    managers_channel: str


@dataclass(frozen=True)
class Job:
    """A periodic piece of work, with a stable id for the scheduler."""

    id: str
    run: Callable[[JobContext], object]
    # The next instant after ctx.now at which it will have work (None: nothing pending).
    next_at: Callable[[JobContext], datetime | None]


JOBS: dict[str, Job] = {}


def add_job(job: Job) -> None:
    """Register a job (each feature registers its own at import)."""
    JOBS[job.id] = job


def load_jobs() -> dict[str, Job]:
    """Every job, with each feature module imported so it has registered its own."""
    import bot.job_list  # noqa: F401

    return JOBS


def run_due(ctx: JobContext) -> None:
    """Run every job for `ctx.now`."""
    for job in load_jobs().values():
        job.run(ctx)


def next_instant(ctx: JobContext) -> datetime | None:
    """The earliest instant after `ctx.now` at which some job has work."""
    instants = [at for job in load_jobs().values() if (at := job.next_at(ctx)) is not None]
    return min(instants) if instants else None
