"""Slash-command ack latency over HTTP: Front Desk beside a bare Bolt app, same server, same run.

Both run as subprocesses with Bolt's WSGI adapter (8 threads; Front Desk on gunicorn through
`frontdesk serve --http`, the bare app on waitress until bench/bare_app.py moves), against a Slack double
in this process; a separate load-generator process (bench/loadgen.py) sends pre-signed requests
open-loop at a fixed rate. Reported: p50/p99 at 50 requests/s for `/visitor arrived` and
`/message` (when registered), the bare app's p99 for the same requests, their ratio, and the
highest rate each sustains with p99 under 1 s (stepping the offered rate up).

    python -m bench.ack [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import (
    ROOT,
    ServerProcess,
    as_json,
    bare_serve,
    clean_env,
    emit,
    frontdesk_serve,
    message_for,
    requests_for,
    start_double,
    visitor_arrived,
)
from bench.loadgen import summary
from bot.slack_double import SlackDouble
from bot.slack_double.requests import SignedRequest, SlackRequests

RATE = 50.0
STEPS = (50, 100, 150, 200, 300, 400, 600, 800)
QUICK_STEPS = (50, 100, 200, 400)
Make = Callable[[SlackRequests, int], SignedRequest]


def has_message_command() -> bool:
    from handlers.registry import COMMANDS

    return "/message" in COMMANDS


def load(
    port: int, rate: float, requests: list[SignedRequest], *, raw: bool = False
) -> dict[str, Any]:
    """Send `requests` at `rate` from a separate process; its JSON summary."""
    args = ["--port", str(port), "--rate", str(rate), *(["--raw"] if raw else [])]
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", *args],
        input="\n".join(as_json(r) for r in requests),
        capture_output=True,
        text=True,
        env=clean_env({}),
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def settle(double: SlackDouble, *, quiet: float = 0.5, limit: float = 120.0) -> float:
    """Wait until the server's work after the acks has stopped reaching the double; return
    roughly how many seconds it went on after the load ended (to within `quiet`)."""
    started = time.monotonic()
    deadline = started + limit
    seen, last_change = -1, started
    while time.monotonic() < deadline:
        now = len(double.calls)
        if now == seen:
            return round(last_change - started, 1)
        seen, last_change = now, time.monotonic()
        time.sleep(quiet)
    return round(limit, 1)


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def batch(self, double: SlackDouble, make: Make, count: int) -> list[SignedRequest]:
        requests = requests_for(double)
        out = [make(requests, self.n + i) for i in range(count)]
        self.n += count
        return out


def at_rate(
    server: ServerProcess,
    double: SlackDouble,
    make: Make,
    ids: Counter,
    rate: float,
    seconds: float,
    *,
    raw: bool = False,
) -> dict[str, Any]:
    result = load(server.port, rate, ids.batch(double, make, int(rate * seconds)), raw=raw)
    # Acks come first; the work they promise may queue behind them at high rates.
    result["work_done_after_s"] = settle(double)
    return result


def side_by_side(
    servers: dict[str, ServerProcess],
    double: SlackDouble,
    make: Make,
    ids: Counter,
    *,
    rounds: int,
    seconds: float,
) -> dict[str, dict[str, Any]]:
    """Each server at RATE for `rounds` turns of `seconds`, taking turns; latencies pooled.

    Taking turns spreads whatever else the machine is doing over both; pooling gives each p99
    hundreds of samples above it rather than ten.
    """
    pooled: dict[str, list[float]] = {name: [] for name in servers}
    sent = dict.fromkeys(servers, 0)
    for _ in range(rounds):
        for name, server in servers.items():
            result = at_rate(server, double, make, ids, RATE, seconds, raw=True)
            pooled[name] += result["latencies_ms"]
            sent[name] += result["sent"]
    return {
        name: {"offered_rate": RATE, "rounds": rounds, "sent": sent[name], **summary(ms)}
        for name, ms in pooled.items()
    }


def highest_rate(
    server: ServerProcess,
    double: SlackDouble,
    make: Make,
    ids: Counter,
    seconds: float,
    rates: tuple[int, ...] = STEPS,
) -> tuple[int, list[dict[str, Any]]]:
    """The highest offered rate of `rates` with p99 under 1 s and every request answered 200."""
    best = 0
    steps: list[dict[str, Any]] = []
    for rate in rates:
        result = at_rate(server, double, make, ids, rate, seconds)
        steps.append(result)
        if result["ok"] < result["sent"] or not result["p99_ms"] < 1000:
            break
        best = rate
    return best, steps


def run(quick: bool) -> dict[str, Any]:
    rounds, seconds = (1, 6.0) if quick else (3, 15.0)
    step_seconds = 3.0 if quick else 5.0
    rates = QUICK_STEPS if quick else STEPS
    commands: dict[str, Make] = {"visitor": visitor_arrived}
    if has_message_command():
        commands["message"] = message_for
    figures: dict[str, Any] = {"offered_rate": RATE, "seconds_at_rate": rounds * seconds}
    double = start_double()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with frontdesk_serve(double, work) as fd, bare_serve(double, work) as bare:
                fd.start()
                bare.start()
                ids = Counter()
                for server in (fd, bare):  # warm up: first auth.test, lazy imports, pools
                    for make in commands.values():
                        at_rate(server, double, make, ids, 20, 1)
                for name, make in commands.items():
                    both = side_by_side(
                        {"fd": fd, "bare": bare}, double, make, ids, rounds=rounds, seconds=seconds
                    )
                    result, bare_result = both["fd"], both["bare"]
                    figures[f"{name}_at_50"] = result
                    figures[f"bare_{name}_at_50"] = bare_result
                    figures[f"{name}_ack_p50_ms"] = result["p50_ms"]
                    figures[f"{name}_ack_p99_ms"] = result["p99_ms"]
                    figures[f"bare_{name}_ack_p99_ms"] = bare_result["p99_ms"]
                    figures[f"{name}_ack_p99_ratio"] = round(
                        result["p99_ms"] / bare_result["p99_ms"], 2
                    )
                for name, make in commands.items():
                    best, steps = highest_rate(fd, double, make, ids, step_seconds, rates)
                    figures[f"{name}_max_rate"] = best
                    figures[f"{name}_rate_steps"] = steps
                best, steps = highest_rate(bare, double, visitor_arrived, ids, step_seconds, rates)
                figures["bare_max_rate"] = best
                figures["bare_rate_steps"] = steps
                figures["server_rss_mb_after"] = round(fd.rss_mb(), 1)
        finally:
            double.stop()
    figures["ack_p50_ms"] = figures["visitor_ack_p50_ms"]
    figures["ack_p99_ms"] = max(
        figures[f"{name}_ack_p99_ms"] for name in commands
    )  # the worse of the two commands
    figures["bare_ack_p99_ms"] = figures["bare_visitor_ack_p99_ms"]
    figures["ack_p99_ratio"] = max(figures[f"{name}_ack_p99_ratio"] for name in commands)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    emit(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
