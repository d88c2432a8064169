"""Start-up checks of `frontdesk serve` and `frontdesk worker` (DESIGN.md, "Running"): each
mistake stops start-up with one line naming the setting and exit status 2, before any database
file is written or any process started; `db upgrade` run three times at once all succeed."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.harness import clean_env, free_port, write_policy
from bot.console.double import SlackDouble
from storage.db import make_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.process


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(env),
        cwd=cwd,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def settings(double: SlackDouble, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Everything `serve --http` needs, right, against the double."""
    return {
        "SLACK_API_URL": double.base_url,
        "SLACK_BOT_TOKEN": double.bot_token,
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_APP_TOKEN": "xapp-1-A0FRONTDESK-1-abc",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdesk.db'}",
        "FRONTDESK_CONFIG": str(write_policy(conf(tmp_path))),
    } | extra


def conf(tmp_path: Path) -> Path:
    """A directory of its own for the policy file (the tests run in tmp_path, without one)."""
    directory = tmp_path / "conf"
    directory.mkdir(exist_ok=True)
    return directory


def no_database_written(tmp_path: Path) -> bool:
    return not list(tmp_path.glob("*.db*"))


SERVE_HTTP = ["serve", "--http", "--port", "0"]


@pytest.mark.parametrize(
    ("args", "drop", "extra", "names"),
    [
        (["serve"], "SLACK_APP_TOKEN", {}, ["SLACK_APP_TOKEN", "required"]),
        (["serve"], None, {"SLACK_APP_TOKEN": "xoxb-a-bot-token"}, ["SLACK_APP_TOKEN", "xapp-"]),
        (SERVE_HTTP, "SLACK_SIGNING_SECRET", {}, ["SLACK_SIGNING_SECRET"]),
        (SERVE_HTTP, "SLACK_BOT_TOKEN", {}, ["SLACK_BOT_TOKEN"]),
        (["worker"], "SLACK_BOT_TOKEN", {}, ["SLACK_BOT_TOKEN"]),
        (
            SERVE_HTTP,
            None,
            {"SLACK_BOT_TOKEN": "xoxb-revoked"},
            ["SLACK_BOT_TOKEN", "invalid_auth"],
        ),
        (
            ["worker"],
            None,
            {"SLACK_BOT_TOKEN": "xoxb-revoked"},
            ["SLACK_BOT_TOKEN", "invalid_auth"],
        ),
        (["serve"], None, {"SLACK_BOT_TOKEN": "xoxb-revoked"}, ["SLACK_BOT_TOKEN", "invalid_auth"]),
        (SERVE_HTTP, "FRONTDESK_CONFIG", {}, ["FRONTDESK_CONFIG", "console"]),
        (["worker"], "FRONTDESK_CONFIG", {}, ["FRONTDESK_CONFIG"]),
        ([*SERVE_HTTP, "--workers", "2"], None, {}, ["--workers", "SQLite"]),
        (SERVE_HTTP, None, {"DATABASE_URL": "sqlite:////nowhere/at/all/fd.db"}, ["DATABASE_URL"]),
    ],
    ids=[
        "socket-no-app-token",
        "socket-bot-token-as-app-token",
        "http-no-signing-secret",
        "http-no-bot-token",
        "worker-no-bot-token",
        "http-token-refused",
        "worker-token-refused",
        "socket-token-refused",
        "http-no-policy-file",
        "worker-no-policy-file",
        "sqlite-two-web-processes",
        "sqlite-no-such-directory",
    ],
)
def test_a_mistake_is_one_line_and_nothing_is_written(
    double: SlackDouble,
    tmp_path: Path,
    args: list[str],
    drop: str | None,
    extra: dict[str, str],
    names: list[str],
) -> None:
    env = settings(double, tmp_path, **extra)
    if drop:
        env.pop(drop)
    before = len(double.calls)
    assert_one_line(run(args, env, tmp_path), *names)
    assert no_database_written(tmp_path)
    if "invalid_auth" not in names:
        return
    assert [c.method for c in double.calls[before:]] == ["auth.test"]


def test_slack_unreachable_at_start_is_one_line(double: SlackDouble, tmp_path: Path) -> None:
    env = settings(double, tmp_path, SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    assert_one_line(run(SERVE_HTTP, env, tmp_path), "SLACK_API_URL", "unreachable")
    assert no_database_written(tmp_path)


def test_a_port_in_use_is_one_line(double: SlackDouble, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        args = ["serve", "--http", "--host", "127.0.0.1", "--port", port]
        assert_one_line(run(args, settings(double, tmp_path), tmp_path), "--port", port)
    assert no_database_written(tmp_path)


def test_without_a_policy_file_the_example_policy_is_not_used(
    double: SlackDouble, tmp_path: Path
) -> None:
    env = settings(double, tmp_path)
    env.pop("FRONTDESK_CONFIG")
    (tmp_path / "elsewhere").mkdir()
    line = assert_one_line(run(["serve"], env, tmp_path / "elsewhere"), "FRONTDESK_CONFIG")
    assert "frontdesk.toml" in line


def test_frontdesk_toml_in_the_working_directory_is_found(
    double: SlackDouble, tmp_path: Path
) -> None:
    env = settings(double, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
    env.pop("FRONTDESK_CONFIG")  # ./frontdesk.toml (written by settings()) is used instead
    assert_one_line(run(["worker"], env, conf(tmp_path)), "SLACK_BOT_TOKEN")


# ---- PostgreSQL: a database that does not exist, or is not migrated ------------------------


@pytest.fixture
def new_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of its own."""
    if not POSTGRES_URL:
        pytest.skip("FRONTDESK_TEST_POSTGRES_URL is not set")
    name = f"fd_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_engine(POSTGRES_URL).url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_an_unmigrated_postgres_database_is_one_line(
    double: SlackDouble, tmp_path: Path, new_postgres_database: str
) -> None:
    env = settings(double, tmp_path, DATABASE_URL=new_postgres_database)
    line = assert_one_line(run(SERVE_HTTP, env, tmp_path), "DATABASE_URL", "db upgrade")
    assert "newest schema" in line
    assert_one_line(run(["worker"], env, tmp_path), "DATABASE_URL", "db upgrade")


@pytest.mark.postgres
def test_a_postgres_database_that_does_not_exist_is_one_line(
    double: SlackDouble, tmp_path: Path, new_postgres_database: str
) -> None:
    missing = new_postgres_database.rsplit("/", 1)[0] + "/fd_no_such_database"
    env = settings(double, tmp_path, DATABASE_URL=missing)
    line = assert_one_line(run(SERVE_HTTP, env, tmp_path), "DATABASE_URL")
    assert "does not exist" in line


# ---- db upgrade under a lock ---------------------------------------------------------------


def upgrade_three_at_once(url: str, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.runtime.cli", "db", "upgrade"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env({"DATABASE_URL": url}),
            cwd=cwd,
        )
        for _ in range(3)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def assert_one_version(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
    finally:
        engine.dispose()


def test_three_db_upgrades_at_once_on_a_new_sqlite_file_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for result in upgrade_three_at_once(url, tmp_path):
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    assert_one_version(url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]  # no lock file left behind


@pytest.mark.postgres
def test_three_db_upgrades_at_once_on_a_new_postgres_database_all_succeed(
    tmp_path: Path, new_postgres_database: str
) -> None:
    for result in upgrade_three_at_once(new_postgres_database, tmp_path):
        assert result.returncode == 0, result.stderr
    assert_one_version(new_postgres_database)


def test_db_upgrade_into_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], {"DATABASE_URL": "sqlite:////nowhere/at/all/x.db"}, tmp_path)
    assert_one_line(result, "DATABASE_URL", "no such directory")
