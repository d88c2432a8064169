"""Sweep time for 100 due windows behind a backlog of open ones: 10,000 and 1,000,000
(100,000 with --quick), SQLite and PostgreSQL (SQLite only with --quick).

The backlog is bulk-inserted with one SQL statement (open phone-message windows whose next stage
is up to 30 days ahead); the 100 due windows are real phone messages, half at their warning, half
at their breach. One measured sweep handles exactly those 100; the due windows and the outbox are
then reset and the sweep timed again (median of the repeats). If the sweep reads an index of
what is due, the backlog does not matter and the ratio is near 1. The query plan is recorded.

    python -m bench.sweep [--quick]     (PostgreSQL from FRONTDESK_TEST_POSTGRES_URL,
                                         else postgresql+psycopg://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, text, update
from sqlmodel import Session, SQLModel, col

from bench.harness import emit, phone_message
from bot.domain.config import Policy, parse_policy
from storage.db import make_engine
from storage.models import Item, Outbox

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # Tue 15:00 in Toronto
DUE = 100
REPEATS = 5
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKLOG_COLUMNS = (
    "kind, owner_id, started_at, due_at, warn_at, escalate_at, state, next_stage, next_stage_at, "
    'deadline_version, "window", attempts, created_at'
)
SQLITE_BACKLOG = f"""
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT :n)
INSERT INTO item ({BACKLOG_COLUMNS})
SELECT 'phone_message', 'U0ALICE', :started, d, w, e, 'open', 'warn', w, 1, '1 business day', 0,
       :started
FROM (SELECT
        strftime('%Y-%m-%d %H:%M:%S.000000', :base, '+' || (3600 + x % 2592000) || ' seconds') AS w,
        strftime('%Y-%m-%d %H:%M:%S.000000', :base, '+' || (10800 + x % 2592000) || ' seconds') AS d,
        strftime('%Y-%m-%d %H:%M:%S.000000', :base, '+' || (97200 + x % 2592000) || ' seconds') AS e
      FROM c)
"""
PG_BACKLOG = f"""
INSERT INTO item ({BACKLOG_COLUMNS})
SELECT 'phone_message', 'U0ALICE', CAST(:started AS timestamptz),
       CAST(:base AS timestamptz) + make_interval(secs => 10800 + x % 2592000),
       CAST(:base AS timestamptz) + make_interval(secs => 3600 + x % 2592000),
       CAST(:base AS timestamptz) + make_interval(secs => 97200 + x % 2592000),
       'open', 'warn', CAST(:base AS timestamptz) + make_interval(secs => 3600 + x % 2592000),
       1, '1 business day', 0, CAST(:started AS timestamptz)
FROM generate_series(1, :n) AS x
"""


def policy() -> Policy:
    text_ = resources.files("bot").joinpath("frontdesk.example.toml").read_text()
    return parse_policy(text_, "frontdesk.example.toml")


def sweeper(pol: Policy) -> tuple[str, Callable[[Engine], int]]:
    """bot.domain.sweep.sweep when it exists; else the same read (due_for_sweep) and marking."""
    if importlib.util.find_spec("bot.domain.sweep") is not None:
        from bot.domain.sweep import sweep

        def run(engine: Engine) -> int:
            result = sweep(
                engine, policy=pol, now=NOW, desk_channel="C0DESK", managers_channel="C0MGRS"
            )
            return int(result.stages)

        return "bot.domain.sweep.sweep", run

    from bot.domain.services import windows
    from storage import items
    from storage.db import session_scope

    def fallback(engine: Engine) -> int:
        handled = 0
        while True:
            with session_scope(engine) as session:
                due = items.due_for_sweep(session, now=NOW, limit=200)
                for item in due:
                    windows.advance(item)
                    session.add(item)
                handled += len(due)
            if len(due) < 200:
                return handled

    return "storage.items.due_for_sweep + windows.advance", fallback


def add_due(engine: Engine) -> list[int]:
    """100 phone messages whose windows have a stage due at NOW: half warn, half breach."""
    ids: list[int] = []
    with Session(engine) as session:
        for i in range(DUE):
            message = phone_message(
                recipient_id="U0ALICE", caller=f"Caller {i}", taken_at=NOW - timedelta(days=1)
            )
            session.add(message)
            session.flush()
            item = Item(
                kind="phone_message",
                message_id=message.id,
                intended_id="U0ALICE",
                owner_id="U0ALICE",
                started_at=NOW - timedelta(days=1),
                due_at=NOW + timedelta(hours=1) if i % 2 else NOW - timedelta(minutes=1),
                warn_at=NOW - timedelta(minutes=5),
                escalate_at=NOW + timedelta(days=1),
                created_at=NOW - timedelta(days=1),
                window="1 business day",
            )
            session.add(item)
            session.flush()
            assert item.id is not None
            ids.append(item.id)
        session.commit()
    reset_due(engine, ids)
    return ids


def reset_due(engine: Engine, ids: list[int]) -> None:
    """Put the 100 windows back at their due stage and empty the outbox."""
    with Session(engine) as session:
        session.execute(delete(Outbox))
        warn_ids, breach_ids = ids[1::2], ids[0::2]
        session.execute(
            update(Item)
            .where(col(Item.id).in_(warn_ids))
            .values(state="open", next_stage="warn", next_stage_at=NOW - timedelta(minutes=5))
        )
        session.execute(
            update(Item)
            .where(col(Item.id).in_(breach_ids))
            .values(state="open", next_stage="breach", next_stage_at=NOW - timedelta(minutes=1))
        )
        session.commit()


def add_backlog(engine: Engine, n: int) -> float:
    """Bulk-insert `n` open windows not yet due; seconds taken."""
    start = time.perf_counter()
    sql = PG_BACKLOG if engine.dialect.name == "postgresql" else SQLITE_BACKLOG
    with engine.begin() as connection:
        connection.execute(
            text(sql),
            {
                "n": n,
                "base": NOW.strftime("%Y-%m-%d %H:%M:%S")
                + ("+00" if engine.dialect.name == "postgresql" else ""),
                "started": (NOW - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
                + ("+00" if engine.dialect.name == "postgresql" else ".000000"),
            },
        )
    if engine.dialect.name == "postgresql":
        # A real backlog builds up over weeks; a million rows written a moment ago are still
        # being flushed and marked visible, which the timed sweeps would otherwise pay for.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE item"))
            connection.execute(text("VACUUM ANALYZE outbox"))
            connection.execute(text("CHECKPOINT"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - start


def plan(engine: Engine) -> str:
    """How the database reads the due windows."""
    stamp = NOW.strftime("%Y-%m-%d %H:%M:%S")
    query = "SELECT * FROM item WHERE next_stage_at <= :now ORDER BY next_stage_at, id LIMIT 200"
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(text("EXPLAIN " + query), {"now": stamp + "+00"})
            return " | ".join(str(r[0]).strip() for r in rows)
        rows = connection.execute(text("EXPLAIN QUERY PLAN " + query), {"now": stamp})
        return " | ".join(str(r[-1]) for r in rows)


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / f'sweep-{uuid.uuid4().hex[:8]}.db'}")
        SQLModel.metadata.create_all(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL") or PG_DEFAULT
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, schema=schema)
    try:
        SQLModel.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(kind: str, backlog: int, run: Callable[[Engine], int], tmp: Path) -> dict[str, Any]:
    with database(kind, tmp) as engine:
        insert_s = add_backlog(engine, backlog)
        ids = add_due(engine)
        run(engine)  # warm: caches, prepared statements
        times = []
        for _ in range(REPEATS):
            reset_due(engine, ids)
            start = time.perf_counter()
            handled = run(engine)
            times.append((time.perf_counter() - start) * 1000)
            if handled != DUE:
                raise RuntimeError(f"the sweep handled {handled} stages, not {DUE}")
        return {
            "backlog": backlog,
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
            "insert_s": round(insert_s, 1),
            "plan": plan(engine),
        }


def run_all(quick: bool) -> dict[str, Any]:
    name, run = sweeper(policy())
    large = 100_000 if quick else 1_000_000
    kinds = ["sqlite"] if quick else ["sqlite", "postgresql"]
    figures: dict[str, Any] = {"sweeper": name, "due": DUE, "large_backlog": large}
    worst: tuple[float, str] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            small = measure(kind, 10_000, run, Path(tmp))
            big = measure(kind, large, run, Path(tmp))
            ratio = round(big["median_ms"] / small["median_ms"], 2)
            figures[kind] = {"10k": small, "large": big, "ratio": ratio}
            if worst is None or ratio > worst[0]:
                worst = (ratio, kind)
    assert worst is not None
    kind = worst[1]
    figures["sweep_db"] = kind  # the headline figures: the database with the worse ratio
    figures["sweep_10k_ms"] = figures[kind]["10k"]["median_ms"]
    figures["sweep_1m_ms"] = figures[kind]["large"]["median_ms"]
    figures["sweep_ratio"] = figures[kind]["ratio"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    emit(run_all(parser.parse_args().quick))


if __name__ == "__main__":
    main()
