"""Open-loop load generator: sends pre-signed requests on a fixed schedule, whatever the answers.

    python -m bench.loadgen --port P --rate 50 < requests.jsonl

Each stdin line is {"body": …, "headers": {…}}. Request i is sent at start + i/rate; its latency
is measured from that scheduled instant (so a server that falls behind is charged for the queue,
not hidden by it) to the end of the answer. Prints JSON: counts, p50/p90/p99/max in ms, statuses,
and with --raw every answered request's latency (`latencies_ms`, in the order sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

from bench.stats import percentile


async def _send(port: int, request: dict[str, Any], timeout: float) -> int:
    body = request["body"].encode()
    head = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in request["headers"].items()),
    ]
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)
        return int(status_line.split()[1])
    finally:
        writer.close()


async def run(
    port: int, rate: float, requests: list[dict[str, Any]], timeout: float, *, raw: bool = False
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    latencies: list[float] = [float("nan")] * len(requests)
    statuses: Counter[str] = Counter()
    start = loop.time() + 0.05

    async def one(i: int, request: dict[str, Any]) -> None:
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        try:
            status = await _send(port, request, timeout)
            statuses[str(status)] += 1
            if status == 200:
                latencies[i] = loop.time() - scheduled
        except (TimeoutError, OSError) as error:
            statuses[type(error).__name__] += 1

    began = time.perf_counter()
    await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    elapsed = time.perf_counter() - began
    ms = [round(x * 1000, 3) for x in latencies if x == x]  # the answered ones (NaN != NaN)
    return {
        "offered_rate": rate,
        "sent": len(requests),
        "statuses": dict(statuses),
        "elapsed_s": round(elapsed, 3),
        **summary(ms),
        **({"latencies_ms": ms} if raw else {}),
    }


def summary(ms: list[float]) -> dict[str, Any]:
    """Answered count and p50/p90/p99/max of latencies in ms."""
    return {
        "ok": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--raw", action="store_true", help="include every latency")
    args = parser.parse_args()
    requests = [json.loads(line) for line in sys.stdin if line.strip()]
    print(json.dumps(asyncio.run(run(args.port, args.rate, requests, args.timeout, raw=args.raw))))


if __name__ == "__main__":
    main()
