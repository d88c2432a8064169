"""Exactly once under faults: 1,000 windows, two `frontdesk serve --http` processes on one
PostgreSQL database, a Slack double that fails on a schedule, and each process SIGKILLed once.

- A new PostgreSQL database (migrated with `frontdesk db upgrade`'s code) holds 1,000 phone
  messages, each with a window owned by @alice, @bob or @carol: warnings due over 30 s starting
  15 s after the start, each breach 45 s after its warning (escalations a day later: out of scope).
- Two serve processes (A and B) run their schedulers (`sweep_every = "2 seconds"`) on it.
- The double, in this process, fails `chat.postMessage` on a schedule — 429 with Retry-After,
  HTTP 500, `ok: false` (`internal_error`, `ratelimited`) — and refuses connections for two
  4-second stretches; A is SIGKILLed while the warnings go out and B while the breaches do,
  each restarted 3 s later.
- Then it waits for the outbox to drain, and counts what reached the double (accepted calls only):
  per window, the owner's "Due soon" DM, the owner's "Overdue" DM, and the managers' alert (alone
  or in a digest) must each arrive exactly once.

    python -m bench.faults [--items 1000]      (PostgreSQL: FRONTDESK_TEST_POSTGRES_URL)
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, make_url, select, text
from sqlmodel import Session, col

from bench.harness import ServerProcess, emit, frontdesk_serve, phone_message, start_double
from bot.console.double import SlackDouble
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Item, Outbox

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OWNERS = ("U0ALICE", "U0BOB", "U0CAROL")
CALLER = re.compile(r"Caller (\d{4})")


def make_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new database beside the one `url` names; its URL and how to drop it."""
    name = f"fd_faults_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    new_url = make_url(url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return new_url, drop


def add_windows(engine: Engine, n: int, start: datetime) -> None:
    with Session(engine) as session:
        for i in range(n):
            warn = start + timedelta(seconds=30 * i / n)
            message = phone_message(
                recipient_id=OWNERS[i % 3],
                caller=f"Caller {i:04d}",
                taken_at=start - timedelta(minutes=5),
            )
            session.add(message)
            session.flush()
            session.add(
                Item(
                    kind="phone_message",
                    message_id=message.id,
                    intended_id=OWNERS[i % 3],
                    owner_id=OWNERS[i % 3],
                    started_at=start - timedelta(minutes=5),
                    warn_at=warn,
                    due_at=warn + timedelta(seconds=45),
                    escalate_at=warn + timedelta(days=1),
                    next_stage="warn",
                    next_stage_at=warn,
                    window="45 seconds",
                    created_at=start - timedelta(minutes=5),
                )
            )
        session.commit()


def policy_file(directory: Path) -> Path:
    policy = resources.files("bot").joinpath("frontdesk.example.toml").read_text()
    policy = policy.replace('sweep_every = "30 seconds"', 'sweep_every = "2 seconds"')
    assert 'sweep_every = "2 seconds"' in policy
    path = directory / "faults.toml"
    path.write_text(policy)
    return path


class Processes:
    """Serve processes A and B; each can be SIGKILLed and started again."""

    def __init__(self, double: SlackDouble, work: Path, url: str, policy: Path) -> None:
        self.double, self.work, self.url, self.policy = double, work, url, policy
        self.running: dict[str, ServerProcess] = {}
        self.starts = Counter[str]()
        self.outputs: list[str] = []

    def start(self, name: str) -> None:
        self.starts[name] += 1
        directory = self.work / f"{name}{self.starts[name]}"
        directory.mkdir()
        server = frontdesk_serve(
            self.double,
            directory,
            database_url=self.url,
            extra_env={"FRONTDESK_CONFIG": str(self.policy)},
        )
        self.running[name] = server.start(wait=60)

    def kill(self, name: str) -> None:
        server = self.running.pop(name)
        assert server.process is not None
        server.process.kill()  # SIGKILL: no clean-up of any kind
        server.process.wait()
        self.outputs.append(server.output())
        server.stop()

    def stop_all(self) -> None:
        for name in list(self.running):
            server = self.running.pop(name)
            server.stop()
            self.outputs.append(server.output())


def leased_rows(engine: Engine) -> int:
    with Session(engine) as session:
        statement = (
            select(func.count())
            .select_from(Outbox)
            .where(col(Outbox.state) == "pending", col(Outbox.lease_owner).is_not(None))
        )
        return int(session.scalar(statement) or 0)


def pending_or_unswept(engine: Engine) -> int:
    """Rows not yet sent, plus windows whose warning or breach has not been swept yet."""
    with Session(engine) as session:
        pending = session.scalar(
            select(func.count()).select_from(Outbox).where(col(Outbox.state) == "pending")
        )
        unswept = session.scalar(
            select(func.count())
            .select_from(Item)
            .where(col(Item.next_stage).in_(["warn", "breach"]))
        )
        return int(pending or 0) + int(unswept or 0)


def outbox_states(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(col(Outbox.state), func.count()).group_by(col(Outbox.state))
        ).all()
    return {str(state): int(n) for state, n in rows}


def count_deliveries(double: SlackDouble, n: int) -> dict[str, Any]:
    due_soon: Counter[int] = Counter()
    overdue_dm: Counter[int] = Counter()
    managers: Counter[int] = Counter()
    for call in double.calls_to("chat.postMessage"):
        channel = str(call.args.get("channel", ""))
        fallback = str(call.args.get("text", ""))
        found = [int(x) for x in CALLER.findall(fallback)]
        if channel == "C0MGRS":
            managers.update(found)
        elif channel.startswith("D") and fallback.startswith("Due soon:"):
            due_soon.update(found)
        elif channel.startswith("D") and fallback.startswith("Overdue:"):
            overdue_dm.update(found)

    def tally(counter: Counter[int]) -> dict[str, int]:
        return {
            "exactly_once": sum(1 for i in range(n) if counter[i] == 1),
            "missing": sum(1 for i in range(n) if counter[i] == 0),
            "duplicated": sum(1 for i in range(n) if counter[i] > 1),
        }

    return {
        "due_soon_dm": tally(due_soon),
        "overdue_dm": tally(overdue_dm),
        "managers_alert": tally(managers),
    }


def run(n: int) -> dict[str, Any]:
    base_url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL") or PG_DEFAULT
    url, drop = make_database(base_url)
    double = start_double()
    events: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    engine = make_engine(url)
    processes = Processes(double, work, url, policy_file(work))
    try:
        upgrade(engine)
        t0 = datetime.now(UTC) + timedelta(seconds=15)
        add_windows(engine, n, t0)
        processes.start("A")
        processes.start("B")
        clock0 = time.monotonic() + (t0 - datetime.now(UTC)).total_seconds()

        def at(offset: float) -> None:
            time.sleep(max(0.0, clock0 + offset - time.monotonic()))

        def note(what: str, **extra: Any) -> None:
            events.append({"t": round(time.monotonic() - clock0, 1), "what": what, **extra})

        def refuse(seconds: float) -> None:
            double.refuse_connections()
            note("refusing connections", seconds=seconds)
            time.sleep(seconds)
            double.accept_connections()

        def kill_and_restart(name: str) -> None:
            leased = leased_rows(engine)
            processes.kill(name)
            note(f"SIGKILL {name}", leased_rows_at_kill=leased)
            time.sleep(3)
            processes.start(name)
            note(f"restarted {name}")

        def fail(**how: Any) -> Callable[[], None]:
            def queue() -> None:
                double.fail("chat.postMessage", times=20, **how)
                note("the next 20 chat.postMessage fail", **how)

            return queue

        schedule: list[tuple[float, Callable[[], None]]] = [
            (3, fail(status=429, retry_after=1)),
            (8, fail(status=500, error="internal_error")),
            (12, fail(error="internal_error")),
            (16, lambda: refuse(4)),
            (22, lambda: kill_and_restart("A")),
            (50, fail(status=429, retry_after=2)),
            (55, lambda: refuse(4)),
            (62, lambda: kill_and_restart("B")),
            (70, fail(error="ratelimited")),
        ]
        for offset, action in schedule:
            at(offset)
            action()
        deadline = time.monotonic() + 300
        while pending_or_unswept(engine) and time.monotonic() < deadline:
            time.sleep(1)
        drained_s = round(time.monotonic() - clock0, 1)
        time.sleep(3)  # anything still in flight lands
        failed_calls = Counter(
            f"{c.error}" for c in double.calls if c.method == "chat.postMessage" and not c.ok
        )
        figures: dict[str, Any] = {
            "items": n,
            "processes": 2,
            "database": "postgresql",
            "events": events,
            "refused_or_failed_posts": dict(failed_calls),
            "all_sent_after_s": drained_s,
            "outbox_states": outbox_states(engine),
            "left_pending_or_unswept": pending_or_unswept(engine),
        }
        figures |= count_deliveries(double, n)
        return figures
    finally:
        processes.stop_all()
        double.stop()
        engine.dispose()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    emit(run(parser.parse_args().items))


if __name__ == "__main__":
    main()
