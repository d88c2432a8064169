"""The scheduler: one APScheduler 3 job per periodic job; delivery apart from them.

Each periodic job (bot/domain/job_list.py) has its own interval job with its own id, so one that
fails, or runs long, holds up no other. A job only hands on what it wrote (`ctx.deliver`: under
`frontdesk worker` a wake of the worker's own delivery loop, bot/runtime/worker.py), so a slow Slack
never makes the sweep wait or skip a round. Without such a loop, `deliver_every` adds a
delivery job of its own that looks for due outbox rows that often.

The database is the source of truth for what is due, so the job store is in memory and never
shared; every replica may run its own scheduler (the outbox keys and leases keep it to one
post). On start, one round runs at once: what came due while the bot was down goes out first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.domain.clock import Clock, ManualClock
from bot.domain.config import Policy
from bot.domain.job_list import JOBS
from bot.domain.jobs import Job, JobContext, next_instant, run_due, run_job
from bot.runtime.app import Runtime

log = logging.getLogger(__name__)

DELIVER_JOB_ID = "deliver"
DELIVER_EVERY_S = 0.5  # with deliver_every: a row written by any process is sent this soon
MAX_STEPS = 10_000


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Rounds:
    """The periodic jobs at the clock's now, and the sender.

    `deliver` sends what the outbox holds (and what else the jobs left to do, such as Home
    tabs to republish), on the thread that ran the jobs: `run_once`, the console and the
    tests. Under the scheduler a job ends with `after_job` (which only wakes the sender where
    one runs apart) and a delivery job of its own sends (`send`).
    """

    engine: Engine
    policy: Policy
    clock: Clock
    desk_channel: str
    managers_channel: str
    deliver: Callable[[], object]
    jobs: tuple[Job, ...] = JOBS
    after_job: Callable[[], object] = field(default=_nothing)
    send: Callable[[], object] = field(default=_nothing)

    def context(self) -> JobContext:
        """The jobs' view of now."""
        return JobContext(
            engine=self.engine,
            policy=self.policy,
            now=self.clock.now(),
            desk_channel=self.desk_channel,
            managers_channel=self.managers_channel,
        )

    def run_once(self) -> None:
        """Run the jobs due now, each on its own, then send (whatever the jobs did)."""
        try:
            run_due(self.context(), self.jobs)
        finally:
            self.deliver()


def rounds_for(
    runtime: Runtime,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    desk_channel: str | None = None,
    managers_channel: str | None = None,
    jobs: tuple[Job, ...] = JOBS,
) -> Rounds:
    """The rounds of a wired Front Desk (its context's policy, clock and channels by default)."""
    ctx = runtime.ctx

    def send() -> None:
        runtime.sender.deliver_due(wait=False)  # already sending: it looks again, we go

    return Rounds(
        engine=ctx.engine,
        policy=policy or ctx.policy,
        clock=clock or ctx.clock,
        desk_channel=desk_channel or ctx.desk_channel,
        managers_channel=managers_channel or ctx.managers_channel,
        deliver=runtime.deliver_now,
        jobs=jobs,
        # What the job wrote is sent as a listener's work is: at once in the console and
        # the tests, by waking the sender under serve (never waiting for it).
        after_job=lambda: ctx.deliver(),
        send=send,
    )


def advance_clock(rounds: Rounds, clock: ManualClock, target: datetime) -> int:
    """Move `clock` forward to `target`, stopping at each instant a job has work; return the stops.

    At each stop the jobs run and the outbox is sent, so reminders appear on the way, each at
    its own instant (the console's `/wait`, and the tests).
    """
    stops = 0
    rounds.run_once()
    for _ in range(MAX_STEPS):
        upcoming = next_instant(rounds.context(), rounds.jobs)
        if upcoming is None or upcoming > target or upcoming <= clock.now():
            break
        clock.set(upcoming)
        rounds.run_once()
        stops += 1
    if target > clock.now():
        clock.set(target)
        rounds.run_once()
    return stops


def start_scheduler(
    runtime: Runtime,
    policy: Policy,
    clock: Clock,
    desk_channel: str,
    managers_channel: str,
    *,
    jobs: tuple[Job, ...] = JOBS,
    deliver_every: float | None = None,
) -> BackgroundScheduler:
    """Catch up now, then start one interval job per periodic job (`scheduler.sweep_every`),
    and a delivery job every `deliver_every` seconds if asked; return the scheduler."""
    rounds = rounds_for(
        runtime,
        policy=policy,
        clock=clock,
        desk_channel=desk_channel,
        managers_channel=managers_channel,
        jobs=jobs,
    )
    run_round(rounds)  # catch up on what came due while down, before anything else
    scheduler = BackgroundScheduler(timezone=UTC)
    every = policy.scheduler.sweep_every.plain.total_seconds()
    for job in rounds.jobs:
        scheduler.add_job(
            run_scheduled_job,
            trigger="interval",
            args=[rounds, job],
            seconds=every,
            id=job.id,
            name=job.id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # late is better than never
            replace_existing=True,
        )
    if deliver_every is not None:
        scheduler.add_job(
            send_scheduled,
            trigger="interval",
            args=[rounds],
            seconds=deliver_every,
            id=DELIVER_JOB_ID,
            name="send the outbox",
            # A second instance finds the first still sending, tells it to look again and
            # returns at once: no "maximum number of running instances" skips while Slack is slow.
            max_instances=2,
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )
    scheduler.start()
    return scheduler


def run_scheduled_job(rounds: Rounds, job: Job) -> None:
    """One periodic job at the clock's now; its failure is logged and it runs next time."""
    try:
        run_job(job, rounds.context())
    finally:
        try:
            rounds.after_job()
        except Exception:
            log.exception("handing on what job %s wrote failed", job.id)


def send_scheduled(rounds: Rounds) -> None:
    """One look at the outbox; a failure is logged and the next look tries again."""
    try:
        rounds.send()
    except Exception:
        log.exception("sending the outbox failed at %s; the next look retries", rounds.clock.now())


def run_round(rounds: Rounds) -> None:
    """Every job, then the sender, once; a failure is logged and the next round tries again."""
    try:
        rounds.run_once()
    except Exception:
        log.exception("scheduled round failed at %s; the next round will retry", rounds.clock.now())
