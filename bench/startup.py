"""Start-up of `frontdesk serve --http` to its first answered request, and its resident memory.

Start-up: from spawning the process to the first 200 on GET /healthz, on a new SQLite file
(migrations run on start) and on one already migrated (a restart); median of the repeats. The
start-up is also run under `python -X importtime` to list what it imports: dateparser and
matplotlib must not be among them.

Memory: requests sent by 4 client threads (closed loop) — `/visitor arrived`, `/message` (when
registered) and `/visitor left` in turn — and the PSS of the server and its work process, summed,
read after the first 1,000 and after 10,000 (2,000 with --quick: 200 and 2,000); each one's VmRSS
as well.

    python -m bench.startup [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import (
    ServerProcess,
    emit,
    frontdesk_serve,
    message_for,
    requests_for,
    start_double,
    visitor_arrived,
)
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest, SlackRequests

HEAVY = ("dateparser", "matplotlib", "pandas", "numpy", "PIL")


def startup_times(double: SlackDouble, work: Path, repeats: int) -> dict[str, Any]:
    fresh: list[float] = []
    restart: list[float] = []
    for i in range(repeats):
        directory = work / f"start-{i}"
        directory.mkdir()
        for bucket in (fresh, restart):  # the first start creates the file, the second reuses it
            with frontdesk_serve(double, directory) as server:
                server.start()
                assert server.ready_after is not None
                bucket.append(server.ready_after)
    return {
        "startup_fresh_db_s": round(statistics.median(fresh), 3),
        "startup_restart_s": round(statistics.median(restart), 3),
    }


def heavy_imports_at_startup(double: SlackDouble, work: Path) -> list[str]:
    """Heavy top-level packages imported before the first request is answered."""
    directory = work / "importtime"
    directory.mkdir()
    with frontdesk_serve(double, directory, python_flags=["-X", "importtime"]) as server:
        server.start()
        output = server.output()
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in output.splitlines()
        if line.startswith("import time:")
    }
    return sorted(name for name in HEAVY if name in imported)


def drive(server: ServerProcess, double: SlackDouble, start: int, count: int) -> int:
    """Send `count` requests with 4 threads; the number answered 200."""
    requests = requests_for(double)
    makers: list[Callable[[SlackRequests, int], SignedRequest]] = [visitor_arrived]
    from handlers.registry import COMMANDS

    if "/message" in COMMANDS:
        makers.append(message_for)
    makers.append(
        lambda r, n: r.command("/visitor", f"left Visitor {n - 2}", user_id="U0RECEPTION")
    )
    lock = threading.Lock()
    next_n = [start]
    ok = [0]

    def worker() -> None:
        while True:
            with lock:
                n = next_n[0]
                if n >= start + count:
                    return
                next_n[0] += 1
                request = makers[n % len(makers)](requests, n)
            if server.post(request, timeout=30).status == 200:
                with lock:
                    ok[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok[0]


def memory(double: SlackDouble, work: Path, total: int, first: int) -> dict[str, Any]:
    """Front Desk's resident memory: the PSS of `serve` and its work process, summed."""
    directory = work / "memory"
    directory.mkdir()
    from bench.ack import settle

    with frontdesk_serve(double, directory) as server:
        server.start()
        idle = server.memory_mb()
        ok = drive(server, double, 0, first)
        settle(double)
        at_first = server.memory_mb()
        ok += drive(server, double, first, total - first)
        settle(double)
        at_total = server.memory_mb()
    return {
        "rss_idle_mb": round(idle["pss_total_mb"], 1),
        f"rss_after_{first}_mb": round(at_first["pss_total_mb"], 1),
        "rss_mb": round(at_total["pss_total_mb"], 1),
        "rss_measure": "PSS of serve and its work process, summed",
        "serve_vmrss_mb": round(at_total["rss_mb"], 1),
        "worker_vmrss_mb": round(at_total.get("child_1_rss_mb", 0.0), 1),
        "rss_requests": total,
        "rss_ok": ok,
        "rss_growth_pct": round(
            (at_total["pss_total_mb"] - at_first["pss_total_mb"]) / at_first["pss_total_mb"] * 100,
            1,
        ),
    }


def run(quick: bool) -> dict[str, Any]:
    double = start_double()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        figures = startup_times(double, work, 1 if quick else 3)
        figures["startup_s"] = max(figures["startup_fresh_db_s"], figures["startup_restart_s"])
        figures["heavy_imports_at_startup"] = heavy_imports_at_startup(double, work)
        total, first = (2_000, 200) if quick else (10_000, 1_000)
        figures |= memory(double, work, total, first)
    finally:
        double.stop()
        shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    emit(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
