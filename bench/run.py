"""Run every benchmark and write bench/results.json.

    python -m bench.run            the full run (SQLite and PostgreSQL, 1M backlog, 10,000 requests)
    python -m bench.run --quick    under three minutes: SQLite only, 100k backlog, 2,000 requests

Each benchmark runs in its own process (`python -m bench.<name>`) and prints JSON; this merges
them, adds the headline keys and the targets met or missed, and records the machine's load
average, since other work on the machine moves the latency figures.
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

BENCHES = ("dateparse", "sweep", "startup", "ack")
RESULTS = Path(__file__).resolve().parent / "results.json"
HEADLINE = (
    "ack_p50_ms",
    "ack_p99_ms",
    "bare_ack_p99_ms",
    "ack_p99_ratio",
    "sweep_10k_ms",
    "sweep_1m_ms",
    "sweep_ratio",
    "startup_s",
    "rss_mb",
    "rss_growth_pct",
    "dateparse_first_ms",
    "dateparse_p99_ms",
)
TARGETS = {
    "ack_p99_ms": 250.0,
    "ack_p99_ratio": 1.5,
    "sweep_ratio": 1.3,
    "startup_s": 2.0,
    "rss_mb": 150.0,
    "rss_growth_pct": 10.0,
}


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
    details = {name: run_one(name, args.quick) for name in (args.only or BENCHES)}
    results: dict[str, Any] = {}
    for figures in details.values():
        results |= {k: figures[k] for k in HEADLINE if k in figures}
    results["quick"] = args.quick
    results["targets"] = {
        key: {"limit": limit, "met": bool(results[key] < limit)}
        for key, limit in TARGETS.items()
        if key in results
    }
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    results["details"] = details
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "details"}, indent=2))


if __name__ == "__main__":
    main()
