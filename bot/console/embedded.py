"""Front Desk running in-process against the Slack double: the console and the tests.

Requests are signed and dispatched through the real Bolt app; listeners run on a
tracked thread pool so callers can wait for them to finish instead of sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import Engine

from bot.console import demo
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest, SlackRequests
from bot.domain.clock import ManualClock
from bot.domain.config import Policy
from bot.runtime.app import Runtime, build_runtime

EMBEDDED_ACK_TIMEOUT_S = 30


class TrackingExecutor(ThreadPoolExecutor):
    """A pool that knows when all its work is done."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()
        self.errors: list[BaseException] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        if future.exception() is not None:
            self.errors.append(future.exception())  # type: ignore[arg-type]
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every listener has finished."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout=timeout):
                raise TimeoutError("listeners still running")


def start_double() -> SlackDouble:
    """A Slack double holding the demo directory and channels."""
    double = SlackDouble(bot_token=demo.BOT_TOKEN)
    for user in demo.DEMO_USERS:
        double.add_user(user.id, user.handle, real_name=user.real_name, tz=user.tz)
    double.add_channel(*demo.DESK_CHANNEL)
    double.add_channel(*demo.WEST_DESK_CHANNEL)
    double.add_channel(*demo.MANAGERS_CHANNEL)
    double.start()
    return double


@dataclass
class Embedded:
    """Front Desk, its Slack double and its clock, in this process."""

    runtime: Runtime
    double: SlackDouble
    clock: ManualClock
    requests: SlackRequests
    executor: TrackingExecutor
    responses: list[BoltResponse] = field(default_factory=list)

    @property
    def engine(self) -> Engine:
        return self.runtime.ctx.engine

    def dispatch(self, request: SignedRequest) -> BoltResponse:
        """Hand a signed request to the Bolt app, as its HTTP adapter would."""
        response = self.runtime.app.dispatch(
            BoltRequest(body=request.body, headers=dict(request.headers))
        )
        self.responses.append(response)
        return response

    def command(
        self, user_id: str, command: str, text: str = "", *, channel_id: str = "C0DESK"
    ) -> BoltResponse:
        """Run a slash command as `user_id` and wait for everything it causes."""
        response = self.dispatch(
            self.requests.command(command, text, user_id=user_id, channel_id=channel_id)
        )
        self.settle()
        return response

    def settle(self) -> None:
        """Wait for listeners to finish."""
        self.executor.settle()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.double.stop()


def start_embedded(
    *,
    engine: Engine,
    policy: Policy,
    clock: ManualClock,
    double: SlackDouble | None = None,
) -> Embedded:
    """Start the double (unless given) and wire Front Desk to it."""
    double = double or start_double()
    executor = TrackingExecutor()
    runtime = build_runtime(
        engine=engine,
        clock=clock,
        policy=policy,
        token=demo.BOT_TOKEN,
        signing_secret=demo.SIGNING_SECRET,
        api_url=double.base_url,
        desk_channel=policy.channels.desk or demo.DESK_CHANNEL[0],
        managers_channel=policy.channels.managers or demo.MANAGERS_CHANNEL[0],
        listener_executor=executor,
    )
    # Bolt gives a listener 3 s of real time to ack, then answers as if it never did: Slack's
    # limit, which here (no Slack; a test on a machine busy with other tests) would only turn a
    # slow moment into a lost reply. Front Desk's own deadline before COMMIT still holds, on
    # the injectable clock.
    for listener in runtime.app._listeners:  # Bolt keeps no public handle on them
        listener.ack_timeout = EMBEDDED_ACK_TIMEOUT_S
    requests = SlackRequests(double, demo.SIGNING_SECRET)
    return Embedded(
        runtime=runtime, double=double, clock=clock, requests=requests, executor=executor
    )
