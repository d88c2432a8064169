"""The scheduler: one APScheduler 3 interval job that runs the periodic jobs, then the sender.

The database is the source of truth for what is due, so the job store is in memory and never
shared; every replica may run its own scheduler (the outbox keys and leases keep it to one
post). On start, one round runs at once: what came due while the bot was down goes out first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.app import Runtime
from bot.clock import Clock, ManualClock
from bot.config import Policy
from bot.jobs import JobContext, next_instant, run_due

log = logging.getLogger(__name__)

ROUND_JOB_ID = "frontdesk-round"
MAX_STEPS = 10_000


@dataclass(frozen=True)
class Rounds:
    """One round: every periodic job at the clock's now, then whatever the outbox holds.

    `deliver` also republishes the Home of everyone whose items the jobs changed (a breach,
    a reminder, an absence ending), so it must run on the thread that ran the jobs.
    """

    engine: Engine
    policy: Policy
    clock: Clock
    desk_channel: str
    managers_channel: str
    deliver: Callable[[], object]

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
        """Run the jobs due now, then send."""
        run_due(self.context())
        self.deliver()


def rounds_for(
    runtime: Runtime,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    desk_channel: str | None = None,
    managers_channel: str | None = None,
) -> Rounds:
    """The rounds of a wired Front Desk (its context's policy, clock and channels by default)."""
    ctx = runtime.ctx
    return Rounds(
        engine=ctx.engine,
        policy=policy or ctx.policy,
        clock=clock or ctx.clock,
        desk_channel=desk_channel or ctx.desk_channel,
        managers_channel=managers_channel or ctx.managers_channel,
        deliver=runtime.deliver_now,
    )


def advance_clock(rounds: Rounds, clock: ManualClock, target: datetime) -> int:
    """Move `clock` forward to `target`, stopping at each instant a job has work; return the stops.

    At each stop the jobs run and the outbox is sent, so reminders appear on the way, each at
    its own instant (the console's `/wait`, and the tests).
    """
    stops = 0
    rounds.run_once()
    for _ in range(MAX_STEPS):
        upcoming = next_instant(rounds.context())
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
) -> BackgroundScheduler:
    """Catch up now, then start the interval job (`scheduler.sweep_every`); return the scheduler."""
    rounds = rounds_for(
        runtime,
        policy=policy,
        clock=clock,
        desk_channel=desk_channel,
        managers_channel=managers_channel,
    )
    run_round(rounds)  # catch up on what came due while down, before anything else
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        run_round,
        trigger="interval",
        args=[rounds],
        seconds=policy.scheduler.sweep_every.plain.total_seconds(),
        id=ROUND_JOB_ID,
        name="sweep and send",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    scheduler.start()
    return scheduler


def run_round(rounds: Rounds) -> None:
    """One scheduled round; a failure is logged and the next round tries again."""
    try:
        rounds.run_once()
    except Exception:
        log.exception("scheduled round failed at %s; the next round will retry", rounds.clock.now())
