"""The worker: the periodic rounds and outbox delivery, with no web front (`frontdesk worker`).

Listeners commit their work, outbox and task rows included, before they ack; everything after
the ack is carried out from the database by a worker, in any process. `serve` runs one in-process
(unless `--no-worker`), where a listener's commit wakes delivery at once (`wake`); otherwise the
delivery loop polls, so a row written by any process is sent within `POLL_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from bot.domain.config import Policy
from bot.runtime.app import Runtime

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class Rounds(Protocol):
    """What runs the periodic rounds (APScheduler's BackgroundScheduler)."""

    def shutdown(self, wait: bool = True) -> None: ...


def start_rounds(runtime: Runtime, policy: Policy) -> Rounds:
    """Start the periodic rounds on APScheduler (bot.runtime.scheduler), after one catch-up round."""
    from bot.runtime.scheduler import start_scheduler

    ctx = runtime.ctx
    return start_scheduler(runtime, policy, ctx.clock, ctx.desk_channel, ctx.managers_channel)


class Worker:
    """The periodic rounds, and a delivery loop that sends what the outbox and tasks hold."""

    def __init__(
        self,
        runtime: Runtime,
        policy: Policy,
        *,
        poll_seconds: float = POLL_SECONDS,
        rounds: Callable[[Runtime, Policy], Rounds] = start_rounds,
    ) -> None:
        self._runtime = runtime
        self._policy = policy
        self._poll_seconds = poll_seconds
        self._start_rounds = rounds
        self._rounds: Rounds | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Worker:
        """Start delivery, then the rounds (whose first round catches up at once)."""
        self._thread = threading.Thread(target=self._deliver_loop, name="delivery", daemon=True)
        self._thread.start()
        self._rounds = self._start_rounds(self._runtime, self._policy)
        return self

    def wake(self) -> None:
        """Deliver now (a listener committed rows to send); wakes coalesce."""
        self._wake.set()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Let the current delivery and round finish, start no other, and return."""
        self._stopping.set()
        self._wake.set()
        if self._rounds is not None:
            self._rounds.shutdown(wait=True)
            self._rounds = None
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("delivery did not finish within %.0f s; leaving it", timeout or 0)
            self._thread = None

    def _deliver_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._poll_seconds)
            if self._stopping.is_set():
                return
            self._wake.clear()  # a wake from here on asks for another pass
            try:
                self._runtime.deliver_now()
            except Exception:
                log.exception("delivery failed; trying again in %.1f s", self._poll_seconds)
