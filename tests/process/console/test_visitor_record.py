"""Console scenarios of the visitor record: the log read back and exported, a name signed in
twice only after the confirming button, titles and accents set aside, a correction."""

from __future__ import annotations

from pathlib import Path

from tests.process.console.test_console import run_console


def session(tmp_path: Path, *lines: str) -> str:
    result = run_console("\n".join(lines) + "\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def after(out: str, prompt: str) -> str:
    """What the bot did in answer to the last `prompt` line, up to the next prompt."""
    return out.rsplit(f"> {prompt}\n", 1)[1].split("\n> ", 1)[0]


def test_a_days_log_is_read_back_and_exported(tmp_path: Path) -> None:
    out = session(
        tmp_path,
        "/as @reception",
        "/visitor arrived Dr Helen Ward from Acme for @alice",
        "/visitor arrived Kim Lee for @bob",
        "/wait 40m",
        "/visitor left V-001",
        "/visitor log today",
        "/as @manager",
        "/desk report this week",
    )
    log = after(out, "/visitor log today")
    assert "(2 visits)" in log
    assert "left 10:40 · V-001 · *Dr Helen Ward* (Acme) for @alice" in log
    assert "still signed in · V-002 · *Kim Lee* for @bob" in log
    exported = after(out, "/desk report this week")
    assert "[file → D0MANAGER]" in exported and "Front Desk visitor log" in exported


def test_the_same_name_is_signed_in_twice_only_after_the_button(tmp_path: Path) -> None:
    out = session(
        tmp_path,
        "/as @reception",
        "/visitor arrived Jane Doe for @alice",
        "/visitor arrived Jane Doe for @bob",
        "/visitor list",
        "/click 4",
        "/click 4",
        "/visitor list",
    )
    asked = after(out, "/visitor arrived Jane Doe for @bob")
    assert "is already signed in" in asked and "[4] Sign in another Jane Doe   [5] Cancel" in asked
    assert "[DM → @bob]" not in asked
    lists = out.split("> /visitor list\n")
    assert "On site now (1)" in lists[1] and "On site now (2)" in lists[2]
    assert "pass *V-002*" in out and "[DM → @bob]" in out
    assert "Nothing to do" in out  # the second press
    assert "V-003" not in out


def test_dr_helen_ward_is_found_as_typed_in_lower_case(tmp_path: Path) -> None:
    out = session(
        tmp_path,
        "/as @reception",
        "/visitor arrived Dr Helen Ward for @alice",
        "/visitor arrived Zoë Martin for @bob",
        "/visitor left dr helen ward",
        "/visitor left zoe martin",
        "/visitor log helen ward",
    )
    assert "*Dr Helen Ward* signed out (pass V-001)" in out
    assert "*Zoë Martin* signed out (pass V-002)" in out
    assert "(1 visit)" in after(out, "/visitor log helen ward")


def test_a_correction_shows_in_the_log_the_posts_and_the_trail(tmp_path: Path) -> None:
    out = session(
        tmp_path,
        "/as @reception",
        "/visitor arrived Jane Doh for @alice",
        "/visitor correct V-001 name Jane Doe",
        "/visitor log",
    )
    corrected = after(out, "/visitor correct V-001 name Jane Doe")
    assert "“Jane Doh” → “Jane Doe”" in corrected
    assert "[#front-desk, updated]" in corrected and "*Jane Doe* signed in for @alice" in corrected
    assert "[DM → @alice, updated]" in corrected
    log = after(out, "/visitor log")
    assert "*Jane Doe* for @alice · _corrected_" in log and "Doh" not in log
    # The trail keeps both names.
    import sqlite3

    with sqlite3.connect(tmp_path / "c.db") as db:
        (detail,) = db.execute(
            "SELECT detail FROM auditevent WHERE action = 'corrected'"
        ).fetchone()
    assert detail == "name: Jane Doh → Jane Doe"
