"""Console scenarios with the demo's two sites: Toronto (#front-desk, CA-ON) and Vancouver
(#front-desk-west, CA-BC). Wed 11 Nov 2026 is Remembrance Day: a holiday in BC, not in Ontario."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.process.console.test_console import ROOT, run_console

SCRIPT = """\
/as @reception
/message @alice Jane Doe (Acme): call back about the invoice
/in #front-desk-west
/message @bob Sam Lee: call back about the lease
/visitor arrived Pat Quinn from Globex for @bob
/visitor list
/in #front-desk
/visitor arrived Ann Ray for @alice
/visitor list
/desk roll-call
/wait 2h
/wait 3h
"""


def _due(*args: str) -> datetime:
    answer = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "due", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return datetime.fromisoformat(answer.stdout.strip())


def _sections(out: str) -> list[tuple[str, str]]:
    """The console's output as (header, text under it), e.g. ("[#front-desk]", "…")."""
    found: list[tuple[str, str]] = []
    for line in out.splitlines():
        if re.match(r"^(\[|> )", line):
            found.append((line, ""))
        elif found:
            header, text = found[-1]
            found[-1] = (header, text + line + "\n")
    return found


def _messages_due(db: Path) -> dict[str, datetime]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT phonemessage.caller, item.site, item.due_at FROM item"
            " JOIN phonemessage ON phonemessage.id = item.message_id"
        ).fetchall()
    return {
        f"{caller}@{site}": datetime.fromisoformat(due).replace(tzinfo=UTC)
        if datetime.fromisoformat(due).tzinfo is None
        else datetime.fromisoformat(due)
        for caller, site, due in rows
    }


def test_a_message_at_each_site_is_due_on_its_own_site_s_calendar(tmp_path: Path) -> None:
    result = run_console(SCRIPT, tmp_path, "--at", "2026-11-10 15:00")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    due = _messages_due(tmp_path / "c.db")
    # Taken at 15:00 Toronto = 12:00 Vancouver, on Tue 10 Nov.
    assert due["Jane Doe@default"] == _due("2026-11-10 15:00", "1 business day")
    assert due["Sam Lee@west"] == _due("--site", "west", "2026-11-10 12:00", "1 business day")
    # Toronto works on Wed 11 Nov; Vancouver does not.
    assert due["Jane Doe@default"].isoformat() == "2026-11-11T20:00:00+00:00"
    assert due["Sam Lee@west"].isoformat() == "2026-11-12T20:00:00+00:00"


def test_a_visitor_at_site_b_never_appears_on_site_a_s_lists(tmp_path: Path) -> None:
    result = run_console(SCRIPT, tmp_path, "--at", "2026-11-10 15:00")
    assert result.returncode == 0, result.stderr
    sections = _sections(result.stdout)
    toronto = "".join(text for header, text in sections if header == "[#front-desk]")
    west = "".join(text for header, text in sections if header == "[#front-desk-west]")
    # Sign-ins, the roll call, the unanswered arrivals and each closing list: each at its desk.
    assert "Ann Ray" in toronto and "Pat Quinn" not in toronto
    assert "Pat Quinn" in west and "Ann Ray" not in west
    assert "Closing time (17:00)" in toronto  # 17:00 in Toronto
    assert "Closing time (20:00)" in west  # 17:00 in Vancouver, shown in Toronto time
    # Each /visitor list answers for the desk it was typed at.
    lists = [text for header, text in sections if header.startswith("> /visitor list")]
    replies = [
        text
        for (header, _), (_, text) in zip(sections, sections[1:], strict=False)
        if header.startswith("> /visitor list")
    ]
    assert len(lists) == 2
    assert "Pat Quinn" in replies[0] and "Ann Ray" not in replies[0]
    assert "Ann Ray" in replies[1] and "Pat Quinn" not in replies[1]
