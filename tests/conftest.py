"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when configured), the Slack
double with the demo directory, a frozen clock, and Front Desk wired to all three."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text

from bench.harness import ServerProcess, frontdesk_serve, start_double
from bot.console.double import SlackDouble
from bot.console.embedded import Embedded, start_embedded
from bot.domain.clock import ManualClock
from bot.domain.config import Policy, parse_policy
from storage.db import make_engine
from storage.models import SQLModel

# In CI the property tests replay the same examples every run (a new failure shows up on a
# developer's machine, where examples vary, rather than as a flaky landing).
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

POSTGRES_URL = os.environ.get("FRONTDESK_TEST_POSTGRES_URL")
NO_POSTGRES = (
    "FRONTDESK_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped (SQLite covers the rest)"
)
SITE = ZoneInfo("America/Toronto")
# A Tuesday afternoon in November: open, not near a holiday.
TUESDAY_3PM = datetime(2026, 11, 24, 15, 0, tzinfo=SITE)


def _skipped_for_postgres(report: pytest.TestReport) -> bool:
    longrepr = report.longrepr
    return (
        isinstance(longrepr, tuple)
        and len(longrepr) == 3
        and "FRONTDESK_TEST_POSTGRES_URL" in str(longrepr[2])
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the PostgreSQL tests must run: stop at once, in one line, when they cannot."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checked
        return
    if os.environ.get("CI") and not POSTGRES_URL:
        pytest.exit("CI runs the PostgreSQL tests: set FRONTDESK_TEST_POSTGRES_URL", returncode=3)
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # whatever it is: said once, then stop
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            pytest.exit(
                f"FRONTDESK_TEST_POSTGRES_URL is set but unreachable: {first}", returncode=3
            )
        try:
            _vacuum_catalogs(engine)
        finally:
            engine.dispose()


# Each PostgreSQL test creates and drops a schema of its own. On a server with autovacuum off
# the dead catalog rows pile up run after run (pg_attribute reached 180 MB, 870,000 dead rows,
# after a day's runs here) and every later CREATE TABLE slows: the suite took twice as long.
CATALOGS = ("pg_attribute", "pg_class", "pg_depend", "pg_type", "pg_constraint", "pg_index")


def _vacuum_catalogs(engine: Any) -> None:
    """Vacuum the catalogs the schemas churn (a second or two; skipped if not allowed)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for catalog in CATALOGS:
                connection.execute(text(f"VACUUM pg_catalog.{catalog}"))
    except Exception as error:  # a speed-up only: never a reason to stop the run
        print(f"(catalogs not vacuumed: {str(error).strip().splitlines()[0]})")  # noqa: T201


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every Hypothesis property test is `slow`: `make test-fast` leaves them to `make test`."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
    """The PostgreSQL runs skipped without FRONTDESK_TEST_POSTGRES_URL make one line, not one
    line each in `-ra`'s short summary (other skips are still listed there)."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [report for report in skipped if _skipped_for_postgres(report)]
    if postgres:
        terminalreporter.stats["skipped"] = [r for r in skipped if not _skipped_for_postgres(r)]
    try:
        return (yield)
    finally:
        if postgres:
            terminalreporter.stats["skipped"] = skipped  # still counted in the last line
            terminalreporter.write_line(
                f"{len(postgres)} PostgreSQL tests skipped: FRONTDESK_TEST_POSTGRES_URL not set"
            )


def example_policy_text() -> str:
    return resources.files("bot").joinpath("frontdesk.example.toml").read_text()


@pytest.fixture
def policy() -> Policy:
    return parse_policy(example_policy_text(), "frontdesk.example.toml")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TUESDAY_3PM)


def _postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'frontdesk.db'}")
        yield engine
        engine.dispose()
    else:
        yield from _postgres_engine()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A new database with every table (the migrations are checked against these in
    tests/unit/storage/migrations/test_head_matches_models.py)."""
    SQLModel.metadata.create_all(empty_engine)
    return empty_engine


def start_on_test_clock(*, clock: ManualClock, **wiring: Any) -> Embedded:
    """`start_embedded`, with the request deadline (2.5 s before COMMIT) on the test's clock, not
    the machine's: a loaded CI machine must not roll back a command the test never let time
    pass for. Tests of the deadline itself set their own timer."""
    embedded = start_embedded(clock=clock, **wiring)
    embedded.runtime.ctx.monotonic = lambda: clock.now().timestamp()
    return embedded


@pytest.fixture
def fd(engine: Engine, policy: Policy, clock: ManualClock) -> Iterator[Embedded]:
    """Front Desk wired to a fresh database, the Slack double and the frozen clock."""
    embedded = start_on_test_clock(engine=engine, policy=policy, clock=clock)
    try:
        yield embedded
    finally:
        embedded.close()


# `frontdesk serve --http` in a subprocess, against a Slack double in this process
# (tests/process/http/test_serve_http.py, tests/scenarios/security/test_requests.py).
@pytest.fixture
def double() -> Iterator[SlackDouble]:
    double = start_double()
    yield double
    double.stop()


@pytest.fixture
def server(double: SlackDouble, tmp_path: Path) -> Iterator[ServerProcess]:
    with frontdesk_serve(double, tmp_path) as process:
        process.start(wait=30)
        yield process
