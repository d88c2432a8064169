"""Delivery against a Slack as slow as the real one (issue 14): how long after the last command
every host has been told, with the Slack double answering each call after 200 ms and enforcing
chat.postMessage's pace (a burst of 3 a channel, then one a second; 429 with Retry-After).

- In this process: a Slack double (latency and rate limits on, the demo people plus `--hosts`
  hosts), a SQLite file migrated to head, and the Bolt app built by `bot.runtime.app.build_runtime` with
  its listeners on a pool of 8 threads. The sender is woken as under `serve`: a listener's
  `ctx.deliver()` only wakes a delivery thread, which also looks every half second.
- `--commands` signed `/visitor arrived Visitor N from Acme for @hNN` (two visitors a host) are
  dispatched through the real app open loop, `--rate` a second, each on its own thread: command
  *i* at start + i/rate whatever happened to the earlier ones; its ack time runs from that
  scheduled instant to the ack.
- Then it waits until every host's arrival DMs and every sign-in post in the desk channel have
  reached the double (accepted calls only).

Figures: `slack200_last_host_told_s` — the last host DM after the last command's scheduled
instant (goal ≤ 5 s); `slack200_desk_last_post_s` — the desk channel's last sign-in post, on the
same scale (the desk channel gets one post per visitor, so Slack's pace of a post a second
bounds it, not the sender); `slack200_ack_p99_ms` meanwhile (goal < 250 ms); and the 429s.

    python -m bench.delivery [--latency 0.2] [--commands 100] [--rate 10] [--hosts 50]
                             [--db sqlite|postgresql]   (PostgreSQL: FRONTDESK_TEST_POSTGRES_URL,
                                                         in a schema of its own, dropped after)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slack_bolt.request import BoltRequest
from sqlalchemy import Engine, text

from bench.harness import SECRET, emit, requests_for, start_double
from bench.stats import percentile
from bot.console import demo
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest
from bot.domain.clock import SystemClock
from bot.domain.config import parse_policy
from bot.runtime.app import build_runtime
from bot.runtime.outbox_sender import OutboxSender
from storage.db import make_engine
from storage.migrate import upgrade

DESK, MANAGERS = "C0DESK", "C0MGRS"
POLL_S = 0.5  # the sender also looks this often, as under serve
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A new database migrated to head: a SQLite file, or a PostgreSQL schema of its own."""
    if kind == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="fd-delivery-"))
        engine = make_engine(f"sqlite:///{workdir / 'frontdesk.db'}")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL") or PG_DEFAULT
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, schema=schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class WokenDelivery:
    """The sender on a thread of its own, woken by listeners (wakes coalesce) and every POLL_S."""

    def __init__(self, sender: OutboxSender) -> None:
        self._sender = sender
        self._wake = threading.Event()
        self._stop = False
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self._thread.start()

    def __call__(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(POLL_S)
            self._wake.clear()
            try:
                self._sender.deliver_due()
            except Exception as error:  # reported in the figures
                self.errors.append(repr(error))

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=30)


def host_ids(hosts: int) -> list[str]:
    return [f"U0H{n:03d}" for n in range(1, hosts + 1)]


def arrivals(double: SlackDouble, commands: int, hosts: list[str]) -> list[SignedRequest]:
    requests = requests_for(double)
    return [
        requests.command(
            "/visitor",
            f"arrived Visitor {n} from Acme for <@{hosts[n % len(hosts)]}|h{n % len(hosts)}>",
            user_id="U0RECEPTION",
        )
        for n in range(commands)
    ]


def run(
    engine: Engine, *, latency: float, commands: int, rate: float, hosts: int, wait_s: float
) -> dict[str, Any]:
    double = start_double()
    ids = host_ids(hosts)
    for user_id in ids:
        double.add_user(
            user_id, user_id.lower(), real_name=f"Host {user_id[3:]}", tz="America/Toronto"
        )
    policy = parse_policy(
        (Path(__file__).resolve().parent.parent / "bot" / "frontdesk.example.toml").read_text()
    )
    listeners = ThreadPoolExecutor(8, thread_name_prefix="bolt")
    runtime = build_runtime(
        engine=engine,
        clock=SystemClock(),
        policy=policy,
        token=demo.BOT_TOKEN,
        signing_secret=SECRET,
        api_url=double.base_url,
        desk_channel=DESK,
        managers_channel=MANAGERS,
        listener_executor=listeners,
    )
    delivery = WokenDelivery(runtime.sender)
    runtime.ctx.deliver = delivery
    signed = arrivals(double, commands, ids)
    # Warm up without Slack's latency: auth.test, the first imports, each host's directory entry.
    warm = requests_for(double).command("/visitor", "list", user_id="U0RECEPTION")
    runtime.app.dispatch(BoltRequest(body=warm.body, headers=dict(warm.headers)))
    # A running install's directory already knows its staff (a job keeps it fresh), so the
    # ack path finds each host without asking Slack.
    for user_id in ids:
        runtime.ctx.directory.get(user_id)
    double.set_latency(latency)
    double.rate_limit_posts()

    acks: list[float] = [0.0] * commands
    statuses: list[int] = [0] * commands
    senders = ThreadPoolExecutor(16, thread_name_prefix="load")
    start = time.monotonic() + 0.2

    def send(i: int) -> None:
        scheduled = start + i / rate
        time.sleep(max(0.0, scheduled - time.monotonic()))
        request = signed[i]
        response = runtime.app.dispatch(
            BoltRequest(body=request.body, headers=dict(request.headers))
        )
        acks[i] = (time.monotonic() - scheduled) * 1000
        statuses[i] = response.status

    for i in range(commands):
        senders.submit(send, i)
    senders.shutdown(wait=True)
    last_command = start + (commands - 1) / rate

    dm_of = {double.dm_channel(h): h for h in ids}

    def host_dms() -> list[Any]:
        return [c for c in double.calls_to("chat.postMessage") if c.args.get("channel") in dm_of]

    def desk_posts() -> list[Any]:
        return [
            c
            for c in double.calls_to("chat.postMessage")
            if c.args.get("channel") == DESK and "Visitor" in str(c.args.get("text"))
        ]

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if len(host_dms()) >= commands and len(desk_posts()) >= commands:
            break
        time.sleep(0.25)
    delivery.stop()
    listeners.shutdown(wait=True)
    told = host_dms()
    desk = desk_posts()
    told_by_host: dict[str, list[float]] = {}
    for call in told:
        told_by_host.setdefault(dm_of[call.args["channel"]], []).append(call.at)
    every_host_told = len(told_by_host) == hosts and all(
        len(v) >= commands // hosts for v in told_by_host.values()
    )
    refused = [
        c
        for c in double.calls_to("chat.postMessage", include_failed=True)
        if c.error == "ratelimited"
    ]
    figures: dict[str, Any] = {
        "latency_s": latency,
        "commands": commands,
        "rate_per_s": rate,
        "hosts": hosts,
        "rate_limits": "chat.postMessage: burst 3 a channel, then 1/s; 429 + Retry-After",
        "host_dms": len(told),
        "every_host_told": every_host_told,
        "desk_posts": len(desk),
        "slack200_last_host_told_s": round(max(c.at for c in told) - last_command, 2)
        if every_host_told
        else None,
        "slack200_desk_last_post_s": round(max(c.at for c in desk) - last_command, 2)
        if len(desk) >= commands
        else None,
        "slack200_ack_p50_ms": round(percentile(acks, 50), 1),
        "slack200_ack_p99_ms": round(percentile(acks, 99), 1),
        "slack200_ack_max_ms": round(max(acks), 1),
        "non_200_acks": sum(1 for s in statuses if s != 200),
        "posts_refused_429": len(refused),
        "delivery_errors": delivery.errors[:5],
        "calls_by_method": dict(Counter(c.method for c in double.calls)),
        "goal_last_host_told_s": 5.0,
        "goal_ack_p99_ms": 250.0,
    }
    double.stop()
    runtime.sender.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--wait", type=float, default=300.0, help="give up after this long")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    started = time.monotonic()
    with database(args.db) as engine:
        figures = run(
            engine,
            latency=args.latency,
            commands=args.commands,
            rate=args.rate,
            hosts=args.hosts,
            wait_s=args.wait,
        )
    figures["db"] = args.db
    figures["bench_seconds"] = round(time.monotonic() - started, 1)
    emit(figures)


if __name__ == "__main__":
    main()
