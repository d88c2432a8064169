"""`frontdesk due` and start-up errors: one clear line, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def example_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no frontdesk.toml here: the built-in example policy applies
    monkeypatch.delenv("FRONTDESK_CONFIG", raising=False)


@pytest.mark.parametrize(
    ("start", "window", "due"),
    [
        ("2026-11-24 15:00", "1 business day", "2026-11-25T15:00:00-05:00"),
        ("2026-11-27 16:30", "1 business day", "2026-11-30T16:30:00-05:00"),
        ("2026-11-28 10:00", "1 business day", "2026-11-30T17:00:00-05:00"),
        ("2026-11-24 15:00", "end of 1 business day", "2026-11-25T17:00:00-05:00"),
        ("2026-11-24 18:00", "end of 1 business day", "2026-11-26T17:00:00-05:00"),
    ],
)
def test_due_answers_designs_examples(
    capsys: pytest.CaptureFixture[str], start: str, window: str, due: str
) -> None:
    assert main(["due", start, window]) == 0
    assert capsys.readouterr().out.strip() == due


def test_due_batch_marks_bad_lines_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("2026-11-24 15:00\t1 business day\nnonsense\t1 day\n")
    )
    assert main(["due", "--batch"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026-11-25T15:00:00-05:00"
    assert lines[1].startswith("error: ")


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FRONTDESK_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=base | {"PYTHONPATH": str(ROOT)} | env,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("env", "policy", "names"),
    [
        ({}, "", "SLACK_BOT_TOKEN"),  # an empty policy file: every default
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, None, "FRONTDESK_CONFIG"),  # serve needs a policy file
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, '[site]\ntimezone = "Mars/Base"\n', "site.timezone"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, '[site]\nholidays = "XX-YY"\n', "site.holidays"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            '[sla.phone_message]\nrespond = "1 bizness day"\n',
            "sla.phone_message.respond",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, '[sla.visitor]\ncolour = "red"\n', "sla.visitor.colour"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, '[channels]\nmanagers = "C1"\n', "channels.desk"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(
    tmp_path: Path, env: dict[str, str], policy: str | None, names: str
) -> None:
    if policy is not None:
        (tmp_path / "frontdesk.toml").write_text(policy)
    result = run(["serve", "--http", "--port", "0"], env | {"SLACK_SIGNING_SECRET": "s"}, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and names in lines[0], result.stderr


def test_db_upgrade_works_from_any_directory(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


def test_report_writes_a_png_and_a_csv_and_says_where(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert run(["db", "upgrade"], {"DATABASE_URL": db}, tmp_path).returncode == 0
    result = run(
        ["report", "--from", "2026-11-23", "--to", "2026-11-29", "--out", "out"],
        {"DATABASE_URL": db},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.split()]
    assert {p.suffix for p in written} == {".png", ".csv"}
    for path in written:
        full = path if path.is_absolute() else tmp_path / path
        assert full.exists() and full.stat().st_size > 0
    assert (tmp_path / "out").is_dir()


def test_report_refuses_dates_it_cannot_read(tmp_path: Path) -> None:
    result = run(["report", "--from", "last tuesday", "--to", "2026-11-29"], {}, tmp_path)
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr
