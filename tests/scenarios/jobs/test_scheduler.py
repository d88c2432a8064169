"""The scheduler: a job per periodic job and one for delivery, a catch-up round at start, the
console's clock stepping."""

from __future__ import annotations

from datetime import datetime

from bot.console.embedded import Embedded
from bot.domain.config import parse_policy
from bot.domain.job_list import JOBS
from bot.runtime.scheduler import DELIVER_EVERY_S, DELIVER_JOB_ID, start_scheduler
from tests.conftest import example_policy_text
from tests.helpers import block_text, dms_to
from tests.time_helpers import advance, alerts

RECEPTION, ALICE = "U0RECEPTION", "U0ALICE"
DESK, MANAGERS = "C0DESK", "C0MGRS"
WED_4PM = datetime.fromisoformat("2026-11-25T16:00:00-05:00")


def test_start_up_catches_up_on_what_came_due_while_down(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    fd.clock.set(WED_4PM)  # the bot was down through the deadline
    scheduler = start_scheduler(
        fd.runtime, fd.runtime.ctx.policy, fd.clock, DESK, MANAGERS, deliver_every=DELIVER_EVERY_S
    )
    try:
        (alert,) = alerts(fd)  # already sent when start_scheduler returns
        assert "Jane Doe" in block_text(alert)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {job.id for job in JOBS} | {DELIVER_JOB_ID}
        for job in JOBS:  # each periodic job on its own schedule, never two at once
            scheduled = jobs[job.id]
            assert scheduled.max_instances == 1 and scheduled.coalesce
            assert scheduled.trigger.interval.total_seconds() == 30
        assert jobs[DELIVER_JOB_ID].trigger.interval.total_seconds() <= 0.5
    finally:
        scheduler.shutdown(wait=True)


def test_the_interval_job_sweeps_and_sends(fd: Embedded) -> None:
    quick = parse_policy(
        example_policy_text().replace('sweep_every = "30 seconds"', 'sweep_every = "1 second"')
    )
    scheduler = start_scheduler(fd.runtime, quick, fd.clock, DESK, MANAGERS)
    try:
        fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
        fd.clock.set(WED_4PM)
        fd.double.wait_for("chat.postMessage", lambda c: c.args["channel"] == MANAGERS, timeout=5)
    finally:
        scheduler.shutdown(wait=True)


def test_advancing_the_clock_stops_at_each_reminder_on_the_way(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    advance(fd, "3 business days")
    dms = dms_to(fd, ALICE)
    assert [block_text(d).split(":")[0] for d in dms[1:]] == ["Due soon", "Overdue"]
    assert len(alerts(fd)) == 2  # breached, then escalated, each at its instant


def test_every_feature_job_is_in_the_explicit_list_and_nothing_registers_itself() -> None:
    import importlib
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    defined = []
    for path in sorted((root / "bot").rglob("*.py")):
        source = path.read_text()
        assert "add_job(Job(" not in source, f"{path} registers a job at import"
        if re.search(r"^JOB = Job\(", source, re.M):
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            defined.append(importlib.import_module(module).JOB)
    assert defined and set(defined) <= set(JOBS)
    assert len({job.id for job in JOBS}) == len(JOBS)  # stable, distinct ids
