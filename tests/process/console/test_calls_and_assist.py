"""Console scenarios (issue 18): a morning of `/call` lines shows in the report's calls by hour;
`/desk assist` reaches both channels at once, is alerted again after two minutes of the
console's clock when nobody answers, and names the first to answer."""

from __future__ import annotations

from pathlib import Path

from tests.process.console.test_console import run_console


def _after(out: str, prompt: str) -> str:
    """What the console printed after the prompt line `prompt` (up to the next prompt)."""
    start = out.index(f"> {prompt}\n") + len(prompt) + 3
    end = out.find("\n> ", start)
    return out[start:] if end < 0 else out[start:end]


def test_a_morning_of_calls_shows_in_the_reports_calls_by_hour(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/call in Jane Doe (Acme) 416-555-0199: opening hours",
            "/wait 20m",
            "/call in Kim Lee: parking",
            "/wait 1h",
            "/call out Sam Roe: returned the call",
            "/message @alice Dana Poe: the parcel",
            "/wait 1h",
            "/call out Pat Moss 416-555-0123",
            "/as @manager",
            "/desk report this week",
        ]
    )
    result = run_console(script, tmp_path, "--at", "2026-11-24 09:05")
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    assert "Logged a call in from *Jane Doe* (Acme)" in out
    report = _after(out, "/desk report this week")
    assert "*Calls:* 5 (3 in, 2 out)" in report
    assert "09:00  2 in, 0 out" in report
    assert "10:00  1 in, 1 out" in report
    assert "11:00  0 in, 1 out" in report
    assert "busiest hour 09:00–10:00" in report
    assert "Front Desk calls" in report  # the calls CSV comes with the chart
    assert "416" not in report and "Jane Doe" not in report


def test_desk_assist_reaches_both_channels_is_alerted_again_and_names_who_answered(
    tmp_path: Path,
) -> None:
    script = "\n".join(
        [
            "/as @reception",
            "/desk assist: visitor shouting, says ring him on 416-555-0142 <!channel>",
            "/wait 1m",
            "/wait 2m",
            "/as @bob",
            "/click 1",
            "/as @manager",
            "/desk incidents",
        ]
    )
    result = run_console(script, tmp_path, "--at", "2026-11-24 10:00")
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr
    called = _after(out, "/desk assist: visitor shouting, says ring him on 416-555-0142 <!channel>")
    assert "[#front-desk]" in called and "[#managers]" in called  # both, in one round
    assert called.count("Help needed at the front desk") == 2 and "@manager" in called
    assert "416-555-0142" not in called and "[number removed]" in called
    assert "STILL NO ONE" not in _after(out, "/wait 1m")  # one minute: not yet
    louder = _after(out, "/wait 2m")
    assert louder.count("STILL NO ONE") == 2 and "@manager: please go" in louder
    answered = _after(out, "/click 1")
    assert "You're on your way" in answered
    assert answered.count("@bob is on the way") >= 2  # the posts are rewritten for everyone
    assert "STILL NO ONE" not in out[out.index("> /click 1") :]
    incidents = _after(out, "/desk incidents")
    assert "*Answered by:* @bob" in incidents and "visitor shouting" in incidents
