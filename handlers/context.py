"""What every handler needs, handed over once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Policy
from bot.request_context import CURRENT
from bot.roles import Roles
from handlers.directory import Directory


def _at_once(work: Callable[[], object]) -> None:
    work()


@dataclass
class HandlerContext:
    engine: Engine
    clock: Clock
    policy: Policy
    roles: Roles
    desk_channel: str
    managers_channel: str
    directory: Directory
    # After the work (and the ack): send what the outbox holds, and republish the Home of
    # everyone the work touched (storage.touched). Call it once, at the end of a listener.
    deliver: Callable[[], object]
    # Where a listener's work after its ack runs: here, at once (the console and the tests), or
    # on a small pool of its own under `serve` (bot.app.AfterAck).
    run_after_ack: Callable[[Callable[[], object]], object] = _at_once

    def after_ack(self, work: Callable[[], object], *, replay: bool = True) -> None:
        """Do a listener's work once it has acked, then deliver what it left.

        Under `serve`, Bolt's worker is free at once for the next request's ack, and the work
        queues for a pool of its own (bench/README.md); `work` must answer its user itself
        (handlers.replies.guarded). Under `serve --http` the work process runs the listener
        again to do it (bot.work_process), so what a listener does before this call must bear
        doing twice; a listener that has already changed something says `replay=False`, and
        its work stays in this process.
        """

        def work_then_deliver() -> None:
            work()
            self.deliver()  # on the thread that did the work: storage.touched is per thread

        if replay:
            self.run_after_ack(work_then_deliver)
            return
        held = CURRENT.set(None)
        try:
            self.run_after_ack(work_then_deliver)
        finally:
            CURRENT.reset(held)

    @property
    def site_tz(self) -> ZoneInfo:
        return self.policy.site.tz
