"""Delivery that keeps up with a Slack as slow as the real one, and never fails silently.

Rows for different targets go out side by side, one target's rows in the order written; a
sender whose lease ran out posts nothing more; one bad row fails alone and the desk is told
once; one failing job holds up neither the others nor delivery; a late stage is sent while it
means something, and dropped aloud when it does not. Time comes from the clock (a ManualClock,
or one that runs fast); only the Slack double's small latency is real.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.console import demo
from bot.console.double import Call, SlackDouble
from bot.console.embedded import Embedded, start_double
from bot.domain.clock import Clock
from bot.domain.config import Policy
from bot.domain.jobs import Job, JobContext
from bot.domain.sweep import JOB as SWEEP_JOB
from bot.runtime.app import make_client
from bot.runtime.outbox_sender import OutboxSender
from bot.runtime.scheduler import rounds_for, run_scheduled_job
from storage import outbox
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers import block_text, dms_to, posts_to
from tests.time_helpers import alerts, run_round

RECEPTION, ALICE = "U0RECEPTION", "U0ALICE"
DESK, MANAGERS = "C0DESK", "C0MGRS"
WARN = datetime.fromisoformat("2026-11-25T13:00:00-05:00")  # Jane Doe's message: due soon
WED_4PM = datetime.fromisoformat("2026-11-25T16:00:00-05:00")  # past its deadline
START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


class FastClock(Clock):
    """Time that runs `speed` times faster than the wall clock: leases run out within a test."""

    def __init__(self, start: datetime, speed: float) -> None:
        self._start, self._speed, self._t0 = start, speed, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self._speed)


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    started = start_double()
    for n in range(1, 7):
        started.add_user(f"U0T{n}", f"t{n}")
    try:
        yield started
    finally:
        started.stop()


def sender_for(
    engine: Engine, double: SlackDouble, clock: Clock, policy: Policy, **extra: object
) -> OutboxSender:
    return OutboxSender(
        engine,
        make_client(demo.BOT_TOKEN, double.base_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=DESK,
        **extra,  # type: ignore[arg-type]
    )


def write(
    engine: Engine, rows: list[tuple[str, str]], *, template: str = "delivery_failed"
) -> None:
    """Outbox rows (key, target) in this order; each says its key in its text."""
    with session_scope(engine) as session:
        for key, target in rows:
            params = {"template": key, "target": target, "error": "x"}
            outbox.enqueue(
                session, key=key, template=template, target=target, params=params, now=START
            )


def said(call: Call) -> str:
    """The key a row of `write` says."""
    return str(call.args["text"]).split("*")[1]


def states(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {row.key: row.state for row in session.exec(select(Outbox))}


# ---- order and concurrency ----------------------------------------------------------------


def test_two_senders_with_slack_slow_and_leases_shorter_than_a_batch_send_every_row_once(
    engine: Engine, double: SlackDouble, policy: Policy
) -> None:
    targets = [DESK, MANAGERS, ALICE, "U0T1"]
    rows = [(f"r{n:03d}", targets[n % len(targets)]) for n in range(48)]
    write(engine, rows)
    double.set_latency(0.03)
    # 5 clock seconds pass each real second: a 1 s lease runs out long before a target's dozen
    # rows are sent (1.8 s of clock); each post extends it first, to 15 s of clock (3 s real:
    # room for a loaded machine, since the client's own timeout is not sped up).
    clock = FastClock(START, speed=5)
    senders = [
        sender_for(engine, double, clock, policy, lease=timedelta(seconds=1), owner=f"s{i}")
        for i in range(2)
    ]
    start = threading.Barrier(2)

    def run(sender: OutboxSender) -> None:
        start.wait()
        for _ in range(20):
            sender.deliver_due()

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    posted = [said(c) for c in double.calls_to("chat.postMessage")]
    assert Counter(posted) == Counter(key for key, _ in rows)  # every row, once
    for target in targets:  # and each target's rows in the order written
        channel = double.dm_channel(target) if target.startswith("U") else target
        mine = [
            said(c)
            for c in double.calls_to("chat.postMessage")
            if c.args["channel"] in (channel, target)
        ]
        assert mine == sorted(mine)
    assert set(states(engine).values()) == {"sent"}


def test_rows_for_different_targets_overlap_and_one_targets_rows_go_in_order(
    engine: Engine, double: SlackDouble, policy: Policy, clock: Clock
) -> None:
    latency = 0.1
    users = [f"U0T{n}" for n in range(1, 7)]
    rows = [(f"d{n}", DESK) for n in range(3)] + [(f"u{n}", u) for n, u in enumerate(users)]
    write(engine, rows)
    double.set_latency(latency)
    sender = sender_for(engine, double, clock, policy)
    started = time.monotonic()
    stats = sender.deliver_due()
    took = time.monotonic() - started
    assert stats.sent == len(rows)
    # Each DM is two calls (open, post) and the desk's three posts are three in a row: one
    # after another that is 15 latencies; side by side, little more than the desk's three.
    assert took < 8 * latency
    desk = [c for c in double.calls_to("chat.postMessage") if c.args["channel"] == DESK]
    assert [said(c) for c in desk] == ["d0", "d1", "d2"]
    gaps = [b.at - a.at for a, b in zip(desk, desk[1:], strict=False)]
    assert all(gap >= latency * 0.9 for gap in gaps)  # one at a time in one channel


def test_a_rate_limited_channel_waits_out_retry_after_and_holds_back_only_itself(
    engine: Engine, double: SlackDouble, policy: Policy, clock: Clock
) -> None:
    double.rate_limit_posts(per_second=1.0, burst=2)
    write(engine, [(f"d{n}", DESK) for n in range(4)] + [("m0", MANAGERS), ("m1", MANAGERS)])
    sender = sender_for(engine, double, clock, policy)  # clock: a ManualClock, standing still
    sender.deliver_due()
    assert [said(c) for c in double.calls_to("chat.postMessage")] in (
        ["d0", "d1", "m0", "m1"],
        ["m0", "m1", "d0", "d1"],
        ["d0", "m0", "d1", "m1"],
        ["m0", "d0", "m1", "d1"],
        ["d0", "m0", "m1", "d1"],
        ["m0", "d0", "d1", "m1"],
    )
    with Session(engine) as session:
        held = session.exec(select(Outbox).where(Outbox.key == "d2")).one()
        assert (held.state, held.attempts) == ("pending", 1)
        assert held.next_attempt_at == clock.now() + timedelta(seconds=1)  # its Retry-After
        waiting = session.exec(select(Outbox).where(Outbox.key == "d3")).one()
        assert waiting.state == "pending" and waiting.lease_until is None  # held back behind d2
    time.sleep(1.0)  # the double's pace is real time
    clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    sender.deliver_due()
    desk = [said(c) for c in double.calls_to("chat.postMessage") if c.args["channel"] == DESK]
    assert desk == ["d0", "d1", "d2"] or desk == ["d0", "d1", "d2", "d3"]
    assert "d3" not in desk[:3]


def test_a_channel_slack_rate_limited_is_then_paced_at_about_a_post_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from bot.runtime import outbox_sender

    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 2))
        now[0] += seconds

    monkeypatch.setattr(
        outbox_sender, "time", SimpleNamespace(monotonic=lambda: now[0], sleep=sleep)
    )
    pace = outbox_sender._Pace()
    pace.wait_turn(DESK)
    pace.wait_turn(DESK)
    assert slept == []  # never refused: as fast as it goes
    pace.refused(DESK)
    for _ in range(3):
        pace.wait_turn(DESK)
    pace.wait_turn(MANAGERS)
    assert slept == [outbox_sender.PACE_S, outbox_sender.PACE_S]  # the desk only
    now[0] += outbox_sender.PACED_FOR_S
    pace.wait_turn(DESK)
    assert len(slept) == 2 and not pace.pacing(DESK)  # a while after the last 429: full speed


# ---- one bad row --------------------------------------------------------------------------


def test_a_poison_row_fails_alone_and_the_desk_is_told_once(
    engine: Engine,
    double: SlackDouble,
    policy: Policy,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    write(engine, [("good-1", DESK), ("good-2", ALICE)])
    with session_scope(engine) as session:  # a key missing, and a template nobody knows
        outbox.enqueue(
            session, key="poison", template="closure_notice", target=ALICE, params={}, now=START
        )
        outbox.enqueue(
            session, key="gone", template="retired_template", target=DESK, params={}, now=START
        )
    write(engine, [("good-3", DESK), ("good-4", ALICE)])
    sender = sender_for(engine, double, clock, policy)
    with caplog.at_level(logging.ERROR, logger="bot.runtime.outbox_sender"):
        for _ in range(3):
            sender.deliver_due()
            clock.advance(timedelta(minutes=15))  # type: ignore[attr-defined]
    got = states(engine)
    assert {k: got[k] for k in ("good-1", "good-2", "good-3", "good-4")} == dict.fromkeys(
        ("good-1", "good-2", "good-3", "good-4"), "sent"
    )
    assert (got["poison"], got["gone"]) == ("failed", "failed")
    desk = [
        c.args["text"] for c in double.calls_to("chat.postMessage") if c.args["channel"] == DESK
    ]
    assert sum("*closure_notice*" in text for text in desk) == 1  # told once, not each round
    assert sum("*retired_template*" in text for text in desk) == 1
    failures = [r.getMessage() for r in caplog.records if "failed for good" in r.getMessage()]
    assert any("poison" in m and "cannot render: KeyError" in m for m in failures)
    assert any("gone" in m for m in failures)


def test_a_row_the_old_version_wrote_is_still_sent(
    engine: Engine, double: SlackDouble, policy: Policy, clock: Clock
) -> None:
    with session_scope(engine) as session:  # leased by a sender of the old version that died
        outbox.enqueue(
            session,
            key="old",
            template="delivery_failed",
            target=DESK,
            params={"template": "old", "target": DESK, "error": "x"},
            now=START,
        )
        row = session.exec(select(Outbox).where(Outbox.key == "old")).one()
        row.lease_owner, row.lease_until = "sender-old", START - timedelta(minutes=1)
        session.add(row)
    sender_for(engine, double, clock, policy).deliver_due()
    assert states(engine) == {"old": "sent"}


def test_a_row_whose_params_cannot_be_read_fails_alone_and_aloud(
    engine: Engine, double: SlackDouble, policy: Policy, clock: Clock
) -> None:
    write(engine, [("before", DESK)])
    with session_scope(engine) as session:  # written by something that was not this version
        session.add(
            Outbox(
                key="garbled",
                template="delivery_failed",
                target=DESK,
                params="{not json",
                next_attempt_at=START,
                created_at=START,
            )
        )
    write(engine, [("after", DESK)])
    sender_for(engine, double, clock, policy).deliver_due()
    got = states(engine)
    assert (got["before"], got["garbled"], got["after"]) == ("sent", "failed", "sent")
    with Session(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.key == "garbled")).one()
        assert row.error == "unreadable params"


# ---- jobs ----------------------------------------------------------------------------------


def test_a_job_that_raises_every_round_holds_up_neither_the_sweep_nor_the_others(
    fd: Embedded, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[datetime] = []

    def boom(_ctx: JobContext) -> None:
        raise RuntimeError("closing list broke")

    jobs = (
        Job(id="boom", run=boom, next_at=lambda _ctx: None),
        SWEEP_JOB,
        Job(id="after", run=lambda ctx: ran.append(ctx.now), next_at=lambda _ctx: None),
    )
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    rounds = rounds_for(fd.runtime, jobs=jobs)
    with caplog.at_level(logging.ERROR, logger="bot.domain.jobs"):
        fd.clock.set(WARN)
        rounds.run_once()
        fd.clock.set(WED_4PM)
        rounds.run_once()
    assert [block_text(d).split(":")[0] for d in dms_to(fd, ALICE)[1:]] == ["Due soon", "Overdue"]
    (alert,) = alerts(fd)
    assert "Jane Doe" in block_text(alert)
    assert ran == [WARN, WED_4PM]  # the job after the broken one ran every round
    logged = [r for r in caplog.records if "periodic job boom failed" in r.getMessage()]
    assert len(logged) == 2 and all(r.exc_info for r in logged)  # each round, with its trace


def test_delivery_runs_even_when_the_round_itself_fails(fd: Embedded) -> None:
    def worse(_ctx: JobContext) -> None:
        raise KeyboardInterrupt  # not even an Exception: delivery still runs (finally)

    write(fd.engine, [("k", DESK)])
    rounds = rounds_for(fd.runtime, jobs=(Job(id="worse", run=worse, next_at=lambda _c: None),))
    with pytest.raises(KeyboardInterrupt):
        rounds.run_once()
    assert [said(c) for c in posts_to(fd, DESK)] == ["k"]


def test_the_sweep_never_waits_behind_a_slow_sender(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    fd.runtime.ctx.deliver = lambda: None  # as under `frontdesk worker`: a job only wakes it
    write(fd.engine, [(f"d{n}", DESK) for n in range(6)])
    fd.double.set_latency(0.2)  # six posts in one channel: 1.2 s at least
    sending = threading.Thread(target=fd.runtime.sender.deliver_due)
    sending.start()
    fd.double.wait_for("chat.postMessage", lambda c: c.args["channel"] == DESK, timeout=5)
    fd.clock.set(WED_4PM)
    started = time.monotonic()
    run_scheduled_job(rounds_for(fd.runtime), SWEEP_JOB)
    assert time.monotonic() - started < 0.5 and sending.is_alive()  # it did not wait
    assert {"item:1:breach:v1", "item:1:breach:v1:owner"} <= set(states(fd.engine))
    sending.join(timeout=10)
    fd.runtime.sender.deliver_due()
    assert len(alerts(fd)) == 1


# ---- late stages ---------------------------------------------------------------------------


def test_a_sweep_late_for_the_warning_but_before_the_deadline_still_warns(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    fd.clock.set(WARN + timedelta(hours=1))  # the sweep was held up an hour
    run_round(fd)
    assert [block_text(d).split(":")[0] for d in dms_to(fd, ALICE)[1:]] == ["Due soon"]


def test_a_sweep_past_the_deadline_drops_the_warning_aloud_and_alerts(
    fd: Embedded, caplog: pytest.LogCaptureFixture
) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    fd.clock.set(WED_4PM)  # no sweep between the warning and the deadline
    with caplog.at_level(logging.WARNING, logger="bot.domain.sweep"):
        run_round(fd)
    assert [block_text(d).split(":")[0] for d in dms_to(fd, ALICE)[1:]] == ["Overdue"]
    assert len(alerts(fd)) == 1
    assert any(
        "item:1:warn" in r.getMessage() and "after its due instant" in r.getMessage()
        for r in caplog.records
    )


def test_a_warning_written_in_time_but_not_sent_by_the_deadline_is_dropped_aloud(
    fd: Embedded, caplog: pytest.LogCaptureFixture
) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe")
    fd.double.refuse_connections()  # Slack unreachable from the warning to past the deadline
    try:
        fd.clock.set(WARN)
        run_round(fd)
    finally:
        fd.double.accept_connections()
    fd.clock.set(WED_4PM)
    with caplog.at_level(logging.WARNING, logger="bot.domain.sweep"):
        run_round(fd)
    assert [block_text(d).split(":")[0] for d in dms_to(fd, ALICE)[1:]] == ["Overdue"]
    assert states(fd.engine)["item:1:warn:v1"] == "dropped"
    assert any("item:1:warn:v1 dropped" in r.getMessage() for r in caplog.records)


def test_every_template_the_code_writes_has_a_builder_in_the_table() -> None:
    import re
    from pathlib import Path

    from handlers.blocks.templates import TEMPLATES

    root = Path(__file__).resolve().parents[3]
    written: set[str] = set()
    for package in ("bot", "handlers"):
        for path in (root / package).rglob("*.py"):
            source = path.read_text()
            assert "templates.register(" not in source, f"{path} registers a template at import"
            written |= set(re.findall(r'\btemplate="([a-z_]+)"', source))
            written |= set(re.findall(r'^[A-Z_]*TEMPLATE = "([a-z_]+)"', source, re.M))
    assert written, "found no templates written"
    assert written <= set(TEMPLATES), written - set(TEMPLATES)
