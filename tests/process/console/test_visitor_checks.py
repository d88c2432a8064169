"""Console scenarios for the visitor record (part B): ID checks, escorts, late visitors, the
watch list — each a piped console session with `[visitors] check_id` and `escort` on."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from tests.process.console.test_console import run_console as console_session

# The example policy's [visitors] section, switched on.
VISITORS = '[visitors]\ncheck_id = true\nescort = true\nlate_after = "15 minutes"\n'


def run_console(script: str, tmp_path: Path) -> str:
    """The console run on the example policy with [visitors] switched on (as ./frontdesk.toml)."""
    example = resources.files("bot").joinpath("frontdesk.example.toml").read_text()
    (tmp_path / "frontdesk.toml").write_text(example.replace("[visitors]\n", VISITORS))
    result = console_session(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def scan_database(path: Path, needle: str) -> list[str]:
    """Every table.column of the console's SQLite file that holds `needle`."""
    found = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]:
                query = f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?'
                if db.execute(query, (f"%{needle}%",)).fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def sections(out: str) -> list[str]:
    """The output cut at each event header ("[DM → @alice]", "[#managers]", …)."""
    parts, current = [], []
    for line in out.splitlines():
        if line.startswith("[") and current:
            parts.append("\n".join(current))
            current = []
        current.append(line)
    parts.append("\n".join(current))
    return parts


def test_an_id_checked_sign_in_stores_the_type_and_no_number(tmp_path: Path) -> None:
    out = run_console(
        "\n".join(
            [
                "/as @reception",
                "/visitor arrived Kim Lee from Acme for @alice — passport 533380006",
                "/visitor arrived Kim Lee from Acme for @alice",
                "/click 2",
            ]
        ),
        tmp_path,
    )
    assert "looks like it holds an ID number" in out
    assert "Passport" in out and "Not checked" in out  # the buttons
    assert "ID seen for *Kim Lee*: *Passport*" in out
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("SELECT id_type FROM visit").fetchall() == [("passport",)]
    assert scan_database(tmp_path / "c.db", "533380006") == []


def test_an_escort_handed_over_shows_on_the_roll_call(tmp_path: Path) -> None:
    out = run_console(
        "\n".join(
            [
                "/as @reception",
                "/visitor arrived Kim Lee for @alice",
                "/click 5",  # ID: not checked
                "/as @alice",
                "/click 6",  # the arrival DM: On my way
                "/click 9",  # Hand over to…
                "/submit to=@bob",
                "/as @reception",
                "/desk roll-call",
            ]
        ),
        tmp_path,
    )
    assert "You are escorting them" in out
    bob = [s for s in sections(out) if s.startswith("[DM → @bob]")]
    assert bob and "now their escort" in bob[-1]
    roll = [s for s in sections(out) if "Kim Lee" in s and "visitor, pass" in s]
    assert roll and "with *Bob" in roll[-1]


def test_an_expected_visitor_twenty_minutes_late_then_a_no_show_at_closing(
    tmp_path: Path,
) -> None:
    out = run_console(
        "\n".join(
            [
                "/as @reception",
                "/visitor expect Kim Lee for @alice today 10:30am",
                "/wait 50m",  # 11:20: twenty minutes past the quarter-hour grace
                "/wait 2h",
                "/wait 6h",  # past closing (17:00)
            ]
        ),
        tmp_path,
    )
    late = [s for s in sections(out) if s.startswith("[DM → @alice]") and "not signed in" in s]
    assert len(late) == 1
    closing = [s for s in sections(out) if "Closing time" in s]
    assert closing and "Did not come" in closing[-1] and "Kim Lee" in closing[-1]
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("SELECT state FROM visit").fetchall() == [("no_show",)]


def test_a_watched_name_reaches_the_managers_and_not_the_desk(tmp_path: Path) -> None:
    out = run_console(
        "\n".join(
            [
                "/as @manager",
                "/desk watch Zoë Ward : trespass notice served in March",
                "/as @reception",
                "/visitor arrived zoe ward for @alice",
            ]
        ),
        tmp_path,
    )
    managers = [s for s in sections(out) if s.startswith("[#managers")]
    assert managers and "trespass notice" in managers[-1]
    desk = [s for s in sections(out) if s.startswith("[#front-desk")]
    assert desk and all("trespass" not in s and "Watch" not in s for s in desk)
    reply = [s for s in sections(out) if s.startswith("[ephemeral → @reception]")][-1]
    assert "call a manager" in reply and "trespass" not in reply
