"""A Front Desk worker for the process-level tests: sweep and send until nothing is left.

    python -m tests.process.sweeper_process DB_URL SCHEMA API_URL NOW [--slow-sweep SECONDS]

NOW is ISO 8601 (the worker's clock stands still there); SCHEMA is "-" for none. With
--slow-sweep each item's stage takes that long to handle, so a test can kill it mid-sweep;
it prints "sweeping" when the first item is handled.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from bot.console import demo
from bot.domain import sweep as sweep_module
from bot.domain.clock import ManualClock
from bot.domain.config import parse_policy
from bot.domain.sweep import outbox_moot, sweep
from bot.runtime.app import make_client
from bot.runtime.outbox_sender import OutboxSender
from storage import outbox
from storage.db import make_engine, session_scope
from tests.conftest import example_policy_text

DESK, MANAGERS = "C0DESK", "C0MGRS"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("schema")
    parser.add_argument("api_url")
    parser.add_argument("now")
    parser.add_argument("--slow-sweep", type=float, default=0.0)
    args = parser.parse_args()
    engine = make_engine(args.db_url, schema=None if args.schema == "-" else args.schema)
    policy = parse_policy(example_policy_text())
    clock = ManualClock(datetime.fromisoformat(args.now))
    if args.slow_sweep:
        _slow_down(args.slow_sweep)
    sender = OutboxSender(
        engine,
        make_client(demo.BOT_TOKEN, args.api_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=DESK,
        moot=outbox_moot(engine),
    )
    print("ready", flush=True)  # noqa: T201
    for _ in range(200):
        sweep(engine, policy=policy, now=clock.now(), desk_channel=DESK, managers_channel=MANAGERS)
        sender.deliver_due()
        with session_scope(engine) as session:
            if outbox.counts(session).get("pending", 0) == 0:
                break
    print("done", flush=True)  # noqa: T201
    return 0


def _slow_down(seconds: float) -> None:
    original = sweep_module._notices
    announced = []

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not announced:
            announced.append(True)
            print("sweeping", flush=True)  # noqa: T201
        time.sleep(seconds)
        return original(*args, **kwargs)

    sweep_module._notices = slow  # type: ignore[assignment]


if __name__ == "__main__":
    sys.exit(main())
