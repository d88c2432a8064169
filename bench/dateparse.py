"""Latency of the date phrases `/ooo` accepts (bot.domain.when.parse_when): the first call in a fresh
process (which loads dateparser, lazily) and the steady state over the phrase list.

    python -m bench.dateparse [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import ROOT, clean_env, emit
from bench.stats import percentile

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=TORONTO)
PHRASES = (
    "Friday", "next Friday", "friday next week", "tomorrow", "tomorrow 2pm",
    "tomorrow at 10:30", "Dec 10", "December 10th at 1pm", "10 December", "2026-12-10",
    "2026-12-10 13:30", "12/03", "in two weeks", "in 3 days", "next week", "next month",
    "the 10th", "Saturday", "Jan 1", "Friday at 9", "fri 9am", "in 3 hours", "5pm",
)  # fmt: skip

FIRST_CALL = """
import json, time
t0 = time.perf_counter()
from bot.domain.when import parse_when
t1 = time.perf_counter()
from datetime import datetime
from zoneinfo import ZoneInfo
parse_when("next Friday", now=datetime(2026, 11, 24, 15, tzinfo=ZoneInfo("America/Toronto")),
           tz=ZoneInfo("America/Toronto"))
t2 = time.perf_counter()
import sys
print(json.dumps({"import_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                  "dateparser_loaded_by_import": False}))
"""


def first_call() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CALL],
        capture_output=True,
        text=True,
        env=clean_env({}),
        cwd=ROOT,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def import_is_lazy() -> bool:
    """Importing bot.domain.when does not import dateparser."""
    code = "import sys, bot.domain.when; print('dateparser' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env({}), cwd=ROOT
    )
    return done.stdout.strip() == "False"


def steady(rounds: int) -> list[float]:
    from bot.domain.when import WhenError, parse_when

    for phrase in PHRASES:  # warm
        parse_when(phrase, now=NOW, tz=TORONTO)
    times = []
    for _ in range(rounds):
        for phrase in PHRASES:
            start = time.perf_counter()
            with contextlib.suppress(WhenError):
                parse_when(phrase, now=NOW, tz=TORONTO)
            times.append((time.perf_counter() - start) * 1000)
    return times


def run(quick: bool) -> dict[str, Any]:
    firsts = [first_call() for _ in range(1 if quick else 3)]
    times = steady(10 if quick else 50)
    return {
        "phrases": len(PHRASES),
        "calls": len(times),
        "import_is_lazy": import_is_lazy(),
        "dateparse_first_ms": round(min(f["first_ms"] for f in firsts), 1),
        "dateparse_p50_ms": round(percentile(times, 50), 2),
        "dateparse_p99_ms": round(percentile(times, 99), 2),
        "dateparse_max_ms": round(max(times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    emit(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
