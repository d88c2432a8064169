"""The console replays a piped session: it prints what the bot did and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_console(script: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FRONTDESK_CONFIG"))
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "console",
            "--db",
            f"sqlite:///{tmp_path / 'c.db'}",
            "--at",
            "2026-11-24 10:00",
            *extra,
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
    )


def test_piped_visitor_session_shows_dm_desk_post_pass_and_empty_list(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/visitor arrived Jane Doe from Acme for @alice",
            "/visitor list",
            "/visitor left Jane Doe",
            "/visitor list",
            "/visitor arrived",
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr
    assert "[DM → @alice]" in out and "Jane Doe" in out
    assert "[#front-desk]" in out
    assert "V-001" in out
    assert "Nobody is signed in right now." in out
    assert "/visitor arrived <name> [from <organisation>] for @host" in out  # the usage
    # Only the prompt lines repeat what was typed.
    assert all(
        line.startswith("> ") for line in out.splitlines() if "/visitor arrived Jane" in line
    )


def test_clicking_a_button_in_the_console(tmp_path: Path) -> None:
    script = "/visitor arrived Jane Doe for @alice\n/as @alice\n/click 1\n"
    out = run_console(script, tmp_path).stdout
    assert "You answered: *On my way*" in out
    assert "[#front-desk, in thread]" in out and "on their way" in out


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").glob("*.txt")))
def test_the_shipped_sample_scripts_run_cleanly(tmp_path: Path, name: str) -> None:
    script = (ROOT / "examples" / name).read_text()
    result = run_console(script, tmp_path)
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "[console error]" not in result.stdout
    assert "[slack refused" not in result.stdout


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/click 9", "no button 9"),
        ("/as @nobody", "no one called @nobody"),
        ("/wait forever", "duration"),
        ("hello", "/help"),
    ],
)
def test_console_mistakes_are_explained(tmp_path: Path, line: str, says: str) -> None:
    assert says in run_console(line + "\n", tmp_path).stdout
