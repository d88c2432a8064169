"""The console replays a piped session: it prints what the bot did and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_console(
    script: str, tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    settings = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FRONTDESK_CONFIG"))
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.runtime.cli",
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
        env=settings | {"PYTHONPATH": str(ROOT)} | (env or {}),
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


def report_csv(tmp_path: Path, first: str, last: str) -> list[dict[str, str]]:
    """`frontdesk report` on the console's database: the CSV's rows."""
    import csv

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FRONTDESK_CONFIG"))
    }
    out = tmp_path / "report"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.runtime.cli",
            "report",
            "--from",
            first,
            "--to",
            last,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"},
    )
    assert result.returncode == 0, result.stderr
    others = ("-calls.csv", "-incidents.csv")
    (found,) = [p for p in out.glob("frontdesk-report-*.csv") if not p.name.endswith(others)]
    with found.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_complaint_by_letter_acknowledged_in_writing_and_resolved(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/enquiry complaint via letter from Jane Doe for @alice [contact 12 High St, Toronto]"
            " [prefers letter]: parking refund refused",
            "/as @alice",
            "/click 1",  # Acknowledged: the form, pre-filled
            "/submit medium=letter",  # the template's text, as it was filled, is what was said
            "/click 6",  # Resolved
            "/submit medium=letter; outcome=Refund agreed, cheque posted",
            "/click 10",  # History
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    # The template filled: the reference, the owner and the date the answer is due by.
    filled = (
        "Dear Jane Doe, thank you for your complaint (our reference E-0001). Alice Adams is"
        " looking after it and you will hear from us by Tuesday 15 December 2026."
    )
    assert filled in out
    assert "Contact: 12 High St, Toronto; prefers letter" in out  # in Alice's DM
    history = out[out.rindex("*History* of") :]
    assert "@alice acknowledged it\n    ↳ customer told by letter" in history
    assert filled in history
    assert "customer told by letter; outcome: *Refund agreed, cheque posted*" in history
    rows = [r for r in report_csv(tmp_path, "2026-11-23", "2026-11-29") if r["enquiry_ref"]]
    assert {
        (r["enquiry_ref"], r["kind"], r["enquiry_channel"], r["customer_told_by"], r["outcome"])
        for r in rows
    } == {
        ("E-0001", "enquiry_ack", "letter", "letter", "acknowledged"),
        ("E-0001", "enquiry_resolve", "letter", "letter", "resolved"),
    }
    assert {r["customer_outcome"] for r in rows} == {"", "Refund agreed, cheque posted"}


def test_a_one_stage_compliment_reminds_once_and_alerts_once(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/enquiry compliment via teams from Sam Roe for @bob: lovely service",
            "/wait 4 business days",
        ]
    )
    out = run_console(script, tmp_path).stdout
    assert "[1] Acknowledged   [2] Reassign…" in out  # one stage: no "Resolved"
    assert out.count("Due soon:") == 1
    assert out.count(":red_circle: *Overdue*") == 1  # the managers' channel, once


def test_via_teams_works_when_the_policy_lists_it_and_an_unknown_channel_is_named(
    tmp_path: Path,
) -> None:
    out = run_console(
        "/enquiry suggestion via teams from Lee Park: more chairs\n"
        "/enquiry suggestion via fax from Lee Park: more chairs\n",
        tmp_path,
    ).stdout
    assert "E-0001 Suggestion* via teams from *Lee Park*" in out
    assert (
        "`fax` is not a channel here: use phone, email, letter, in person, social, survey or teams"
        in out
    )
    policy = tmp_path / "no-teams.toml"
    policy.write_text(
        '[channels]\ndesk = "C0DESK"\nmanagers = "C0MGRS"\n'
        '[enquiry]\nchannels = ["phone", "email", "letter"]\n'
    )
    out = run_console(
        "/enquiry suggestion via teams from Lee Park: more chairs\n",
        tmp_path / "second",
        env={"FRONTDESK_CONFIG": str(policy)},
    ).stdout
    assert "`teams` is not a channel here: use phone, email or letter" in out


def test_an_interim_call_back_on_a_phone_message(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/message @alice Jane Doe 416-555-0199: about the invoice",
            "/as @alice",
            "/click 3",  # Interim call back…: the form, pre-filled
            "/submit expect_by=2026-11-27; medium=phone",
            "/click 5",  # History
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    assert "Dear Jane Doe, thank you for your call. Alice Adams is looking into it" in out
    assert "full answer promised by" in out
    history = out[out.rindex("*History* of") :]
    assert "moved the deadline" in history
    assert "customer told by phone; told to expect a full answer by Fri 27 Nov 2026" in history
    assert "full answer by Friday 27 November 2026" in history
