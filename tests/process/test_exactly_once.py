"""Exactly once: several sweepers and senders on one database, and a process killed and restarted.

Every (item, stage) reaches Slack once. The one exception DESIGN.md allows: a process killed
between Slack accepting a post and the row being marked sent may send that row again. A sender
posts to several targets at once, one row at a time for each; the posts a kill leaves unmarked
are looked for at Slack before they are posted again (bot/runtime/outbox_recall.py), so it
stays within that one row.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.console import demo
from bot.console.double import SlackDouble
from bot.console.embedded import start_double
from bot.domain.clock import ManualClock
from bot.domain.config import Policy
from bot.domain.services.messages import NewMessage, take_message
from bot.domain.sweep import outbox_moot, sweep
from bot.runtime.app import make_client
from bot.runtime.outbox_sender import OutboxSender
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import Item, Outbox
from tests.conftest import TUESDAY_3PM

ROOT = Path(__file__).resolve().parents[2]
DESK, MANAGERS = "C0DESK", "C0MGRS"
OWNERS = ("U0ALICE", "U0BOB", "U0CAROL")
WED_2PM = datetime.fromisoformat("2026-11-25T14:00:00-05:00")  # past every warning
WED_4PM = datetime.fromisoformat("2026-11-25T16:00:00-05:00")  # past every deadline
THU_4PM = datetime.fromisoformat("2026-11-26T16:00:00-05:00")  # past every escalation
SINGLE = re.compile(r"^(Message from|Due soon:|Overdue:|Escalated:) (Caller \d+)$")
IN_DIGEST = re.compile(r"\*(Overdue|Escalated)\*: \S+ phone message from \*(Caller \d+)\*")


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    started = start_double()
    try:
        yield started
    finally:
        started.stop()


def take_messages(engine: Engine, policy: Policy, count: int) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            take_message(
                session,
                now=TUESDAY_3PM,
                policy=policy,
                taken_by="U0RECEPTION",
                new=NewMessage(recipient_id=OWNERS[n % len(OWNERS)], caller=f"Caller {n:04d}"),
                desk_channel=DESK,
            )


def delivered(double: SlackDouble) -> Counter[tuple[str, str, str]]:
    """(where, what, caller) of every post Slack accepted: `where` is "dm" or "managers"."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for call in double.calls_to("chat.postMessage"):
        channel, fallback = call.args["channel"], call.args.get("text") or ""
        where = "managers" if channel == MANAGERS else "dm" if channel.startswith("D") else channel
        found = IN_DIGEST.findall(fallback)
        if found:
            seen.update((where, f"{word}:", caller) for word, caller in found)
            continue
        single = SINGLE.match(fallback)
        assert single, f"unexpected post {fallback!r}"
        seen[(where, single.group(1), single.group(2))] += 1
    return seen


def expected(count: int, stages: tuple[tuple[str, str], ...]) -> Counter[tuple[str, str, str]]:
    return Counter((where, what, f"Caller {n:04d}") for n in range(count) for where, what in stages)


def own_engine(engine: Engine) -> Engine:
    """Another engine on the same database (and the same PostgreSQL schema)."""
    url = engine.url.render_as_string(hide_password=False)
    return make_engine(url, schema=schema_of(engine))


def schema_of(engine: Engine) -> str | None:
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return str(connection.execute(text("SHOW search_path")).scalar()).strip('"')


def pending(engine: Engine) -> int:
    with Session(engine) as session:
        return outbox.counts(session).get("pending", 0)


def run_workers(engine: Engine, policy: Policy, api_url: str, now: datetime, workers: int) -> None:
    """`workers` threads, each with its own engine, client and sender, sweep and send at `now`."""
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work() -> None:
        mine = own_engine(engine)
        try:
            sender = OutboxSender(
                mine,
                make_client(demo.BOT_TOKEN, api_url, retries=False),
                ManualClock(now),
                site_tz=policy.site.tz,
                desk_channel=DESK,
                moot=outbox_moot(mine),
                lease=timedelta(minutes=5),
            )
            start.wait()
            for _ in range(100):
                sweep(
                    mine,
                    policy=policy,
                    now=now,
                    desk_channel=DESK,
                    managers_channel=MANAGERS,
                    batch=25,
                )
                sender.deliver_due()
                if pending(mine) == 0:
                    break
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=work, name=f"worker-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert pending(engine) == 0


def test_concurrent_sweepers_and_senders_deliver_each_stage_once(
    engine: Engine, policy: Policy, double: SlackDouble
) -> None:
    count = 200
    take_messages(engine, policy, count)
    run_workers(engine, policy, double.base_url, TUESDAY_3PM, workers=4)  # the messages
    run_workers(engine, policy, double.base_url, WED_2PM, workers=4)  # due soon
    run_workers(engine, policy, double.base_url, WED_4PM, workers=4)  # breached
    run_workers(engine, policy, double.base_url, THU_4PM, workers=4)  # escalated

    stages = (
        ("dm", "Message from"),
        ("dm", "Due soon:"),
        ("dm", "Overdue:"),
        ("managers", "Overdue:"),
        ("managers", "Escalated:"),
    )
    assert delivered(double) == expected(count, stages)
    digests = [c for c in double.calls_to("chat.postMessage") if c.args["channel"] == MANAGERS]
    assert len(digests) < count  # folded into digests, not one post each
    with Session(engine) as session:
        states = Counter(r.state for r in session.exec(select(Outbox)))
        assert set(states) <= {"sent", "digested"}
        # A sender leases each claim under its own name plus "/<claim>".
        senders = {
            (r.lease_owner or "").split("/")[0]
            for r in session.exec(select(Outbox))
            if r.state == "sent"
        }
        assert len(senders) > 1  # the work really was shared
        assert all(
            i.state == "breached" and i.next_stage is None for i in session.exec(select(Item))
        )


# ---- processes ----------------------------------------------------------------------------


def start_worker(
    engine: Engine, double: SlackDouble, now: datetime, *extra: str
) -> subprocess.Popen[str]:
    url = engine.url.render_as_string(hide_password=False)
    command = [
        sys.executable,
        "-m",
        "tests.process.sweeper_process",
        url,
        schema_of(engine) or "-",
        double.base_url,
        now.isoformat(),
        *extra,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def finish(process: subprocess.Popen[str]) -> None:
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and "done" in out


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


BREACH_STAGES = (("dm", "Message from"), ("dm", "Overdue:"), ("managers", "Overdue:"))


@pytest.mark.process
def test_a_worker_killed_mid_send_loses_nothing_and_doubles_at_most_one_row(
    engine: Engine, policy: Policy, double: SlackDouble
) -> None:
    count = 120
    take_messages(engine, policy, count)
    first = start_worker(engine, double, WED_4PM)
    double.wait_for("chat.postMessage", count=60, timeout=15)
    kill(first)
    sent_before = len(double.calls_to("chat.postMessage"))
    assert pending(engine) > 0, "the worker finished before it was killed"
    # A minute later than the killed worker's leases allow: they have run out.
    restarted = start_worker(engine, double, THU_4PM.replace(hour=10))
    finish(restarted)

    got = delivered(double)
    want = expected(count, BREACH_STAGES)
    assert set(got) == set(want)  # nothing lost
    doubled = {key: n for key, n in got.items() if n > 1}
    assert _at_most_one_row(doubled), doubled
    assert sent_before < len(double.calls_to("chat.postMessage"))
    assert pending(engine) == 0


def _at_most_one_row(doubled: dict[tuple[str, str, str], int]) -> bool:
    """At most one row posted twice: one DM, or one digest."""
    return not doubled or (len(doubled) == 1 and 2 in doubled.values()) or _one_digest(doubled)


def _one_digest(doubled: dict[tuple[str, str, str], int]) -> bool:
    """A digest post resent after a kill doubles each item in it: still one row."""
    return all(where == "managers" and n == 2 for (where, _, _), n in doubled.items())


@pytest.mark.process
def test_a_worker_killed_mid_sweep_leaves_nothing_half_written(
    engine: Engine, policy: Policy, double: SlackDouble
) -> None:
    count = 60
    take_messages(engine, policy, count)
    with session_scope(engine) as session:  # the messages themselves went out long ago
        for row in session.exec(select(Outbox)):
            row.state = "sent"
            session.add(row)
    first = start_worker(engine, double, WED_4PM, "--slow-sweep", "0.02")
    assert first.stdout is not None and first.stdout.readline().strip() == "sweeping"
    time.sleep(0.3)
    kill(first)
    with Session(engine) as session:
        assert [r.key for r in session.exec(select(Outbox)) if ":breach:" in r.key] == []
        assert all(i.next_stage == "warn" for i in session.exec(select(Item)))
    assert double.calls_to("chat.postMessage") == []

    finish(start_worker(engine, double, WED_4PM))
    assert delivered(double) == expected(count, BREACH_STAGES[1:])
