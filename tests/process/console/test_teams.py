"""Console scenarios for teams, routing and planned absences, on the demo's two teams
(`front`: @alice, lead, and @bob; `care`: @carol) and its routing rules."""

from __future__ import annotations

from pathlib import Path

from tests.process.console.test_console import run_console


def section(out: str, after: str, before: str | None = None) -> str:
    """The console's output after the prompt line `> {after}` (up to `> {before}`)."""
    start = out.index(f"> {after}")
    end = out.index(f"> {before}", start) if before else len(out)
    return out[start:end]


def test_a_message_for_someone_away_with_no_backup_goes_to_a_teammate_then_the_desk(
    tmp_path: Path,
) -> None:
    script = "\n".join(
        [
            "/as @alice",
            "/ooo until next Monday",
            "/as @reception",
            "/message @alice Jane Doe: please call back",
            "/as @bob",
            "/ooo until next Monday",
            "/as @reception",
            "/message @alice Sam Roe: second call",
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    first = section(out, "/message @alice Jane Doe", "/as @bob")
    assert "@bob (their teammate in front, who is in: no backup was named) has it" in first
    assert "[DM → @bob]" in first and "Jane Doe" in first
    second = section(out, "/message @alice Sam Roe")
    assert "the desk channel has it instead" in second
    assert "[#front-desk]" in second and "Sam Roe" in second
    assert "[DM → @bob]" not in second


def test_complaints_go_where_the_rules_say(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/enquiry complaint via phone from Pat Lee: long wait at the desk",
            "/enquiry complaint via email from Kim Ode: rude staff member",
            "/enquiry complaint via phone from Ann Fry for @alice: the lift",
            "/message Dana Fox 416-555-0100: call back",
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    to_care = section(
        out, "/enquiry complaint via phone from Pat Lee", "/enquiry complaint via email"
    )
    assert "@carol has it (routing rule 2 (complaint))" in to_care
    assert "[DM → @carol]" in to_care
    to_managers = section(
        out, "/enquiry complaint via email", "/enquiry complaint via phone from Ann"
    )
    assert "the managers' channel has it (routing rule 1" in to_managers
    assert "[#managers]" in to_managers and "Kim Ode" in to_managers
    explicit = section(out, "/enquiry complaint via phone from Ann", "/message Dana")
    assert "routing rule" not in explicit and "[DM → @alice]" in explicit
    unrouted = section(out, "/message Dana")
    assert "the desk channel has it (no routing rule matched)" in unrouted
    assert "[#front-desk]" in unrouted and "555-0100" not in unrouted.split("[#front-desk]")[1]


def test_a_planned_absence_starts_at_its_instant_in_the_console_clock_and_ends_at_its_return(
    tmp_path: Path,
) -> None:
    script = "\n".join(
        [
            "/as @alice",
            "/ooo from Nov 26 until Nov 30",
            "/as @reception",
            "/desk board",
            "/wait 1d",
            "/message @alice Kim Ode: still Wednesday",
            "/wait 1d",
            "/message @alice Lee Tam: Thursday",
            "/wait 5d",
            "/message @alice Ann Fry: back now",
        ]
    )
    result = run_console(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    planned = section(out, "/ooo from", "/as @reception")
    assert "Planned: out of office from Thursday 26 November 2026 at 00:00" in planned
    assert "until Monday 30 November 2026 at 09:00" in planned
    assert "away from Thursday 26 November 2026" in section(out, "/desk board", "/wait 1d")
    wednesday = section(out, "/message @alice Kim Ode", "/wait 1d")
    assert "@alice has it" in wednesday and "[DM → @alice]" in wednesday
    # Thursday 00:00 came on the way: the absence began and Kim Ode's message went to @bob.
    crossing = out.split("> /message @alice Kim Ode")[1].split("> /message @alice Lee Tam")[0]
    assert "[DM → @bob]" in crossing and "Kim Ode" in crossing.split("[DM → @bob]")[1]
    thursday = section(out, "/message @alice Lee Tam", "/wait 5d")
    assert "who is out of office until Mon 30 Nov at 09:00: @bob" in thursday
    back = out.split("> /message @alice Lee Tam")[1].split("> /message @alice Ann Fry")[0]
    assert "Welcome back" in back
    assert "@alice has it" in section(out, "/message @alice Ann Fry")
