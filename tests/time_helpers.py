"""Moving the clock of an embedded Front Desk, running the jobs and the sender on the way."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.console.double import Call
from bot.console.embedded import Embedded
from bot.domain.durations import parse_duration
from bot.runtime.scheduler import advance_clock, rounds_for
from tests.helpers import block_text, posts_to

ALERT_WORDS = ("Overdue", "Escalated", "need attention", "needs attention")


def advance_to(fd: Embedded, target: datetime) -> None:
    """Move to `target`, stopping at each instant a job has work (reminders appear on the way)."""
    advance_clock(rounds_for(fd.runtime), fd.clock, target)
    fd.settle()


def advance(fd: Embedded, by: str | timedelta) -> datetime:
    """Advance by a plain timedelta or a policy duration ("6 business hours"); return the new now."""
    if isinstance(by, timedelta):
        target = fd.clock.now() + by
    else:
        target = fd.runtime.ctx.policy.calendar().add(fd.clock.now(), parse_duration(by))
    advance_to(fd, target)
    return fd.clock.now()


def run_round(fd: Embedded) -> None:
    """Run the jobs and the sender once, at the clock's now."""
    rounds_for(fd.runtime).run_once()
    fd.settle()


def alerts(fd: Embedded, channel: str = "C0MGRS") -> list[Call]:
    """Breach and escalation alerts (and digests) in the managers' channel, not its other posts."""
    return [c for c in posts_to(fd, channel) if any(w in block_text(c) for w in ALERT_WORDS)]
