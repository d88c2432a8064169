"""Run every benchmark and record its figures in bench/results.json.

    python -m bench.run            the full run (SQLite and PostgreSQL, 1M backlog, 10,000 requests)
    python -m bench.run --quick    under three minutes: SQLite only, 100k backlog, 2,000 requests

Each benchmark runs in its own process (`python -m bench.<name>`) and prints JSON; this merges
them, adds the headline keys and the targets met or missed, and records the machine's load
average, since other work on the machine moves the latency figures. The file is read again just
before it is written and only the keys of the modules run are replaced: figures other modules
(or other people) recorded there stay.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import ROOT, clean_env

BENCHES = ("dateparse", "sweep", "startup", "ack_cost", "ack", "crash")
RESULTS = Path(__file__).resolve().parent / "results.json"
HEADLINE = (
    "ack_p50_ms",
    "ack_p99_ms",
    "durable_bare_ack_p99_ms",
    "ack_p99_ratio",
    "ack_p99_ratio_1web",
    "ack_p99_ratio_2web",
    "visitor_max_rate_1web",
    "message_max_rate_1web",
    "durable_bare_max_rate_1web",
    "visitor_max_rate_2web",
    "message_max_rate_2web",
    "durable_bare_max_rate_2web",
    "visitor_round_trips_pg",
    "message_round_trips_pg",
    "acked_lost_on_kill",
    "crash_half_done",
    "crash_posts_repeated",
    "crash_kills",
    "crash_kills_of_a_poster",
    "crash_most_repeats_by_one_kill",
    "crash_repeats_after_one_worker_kill_in_flight",
    "crash_refused",
    "sweep_10k_ms",
    "sweep_1m_ms",
    "sweep_ratio",
    "startup_s",
    "rss_mb",
    "rss_growth_pct",
    "dateparse_first_ms",
    "dateparse_p99_ms",
)
# Keys a module used to write and no longer does: dropped when that module runs again.
RETIRED = {"ack": ("bare_ack_p99_ms",)}
TARGETS = {
    "ack_p99_ms": 250.0,
    "ack_p99_ratio": 1.5,
    "sweep_ratio": 1.3,
    "startup_s": 2.0,
    "rss_mb": 150.0,
    "rss_growth_pct": 10.0,
}
AT_MOST = {"acked_lost_on_kill": 0, "crash_half_done": 0}  # met when no more than this


def run_one(name: str, quick: bool) -> dict[str, Any]:
    args = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    pg = os.environ.get("FRONTDESK_TEST_POSTGRES_URL")
    env = clean_env({"FRONTDESK_TEST_POSTGRES_URL": pg} if pg else {})
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench.{name} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout)
    figures["bench_seconds"] = round(time.perf_counter() - start, 1)
    print(f"bench.{name}: {figures['bench_seconds']} s", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=BENCHES, help="run only these")
    args = parser.parse_args()
    started = time.perf_counter()
    load_before = os.getloadavg()
    names = args.only or BENCHES
    details = {name: run_one(name, args.quick) for name in names}
    fresh: dict[str, Any] = {}
    for figures in details.values():
        fresh |= {k: figures[k] for k in HEADLINE if k in figures}
    targets = {
        key: {"limit": limit, "met": bool(fresh[key] < limit)}
        for key, limit in TARGETS.items()
        if key in fresh
    } | {
        key: {"at_most": limit, "met": bool(fresh[key] <= limit)}
        for key, limit in AT_MOST.items()
        if key in fresh
    }
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "modules": list(names),
    }
    # Read again just before writing: others record their own keys here meanwhile.
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names:
        for key in RETIRED.get(name, ()):
            results.pop(key, None)
            results.get("targets", {}).pop(key, None)
    results |= fresh
    results["quick"] = args.quick
    results["targets"] = results.get("targets", {}) | targets
    runs = results.get("runs", {})
    for name in names:
        runs[name] = machine
    results["runs"] = runs  # which run each module's figures come from
    results["machine"] = machine
    results["details"] = results.get("details", {}) | details
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "details"}, indent=2))


if __name__ == "__main__":
    main()
