"""The worker (bot.runtime.worker): delivery when woken, a poll every half second otherwise, the rounds
started and stopped with it, and a stop that lets the current delivery finish."""

from __future__ import annotations

import logging
import threading
from typing import Any, cast

import pytest

from bot.domain.config import Policy
from bot.runtime.app import Runtime
from bot.runtime.worker import POLL_SECONDS, Worker

WAIT = 10.0  # the most any test waits for something that should happen at once


class FakeRounds:
    def __init__(self) -> None:
        self.stopped_with: bool | None = None

    def shutdown(self, wait: bool = True) -> None:
        self.stopped_with = wait


class FakeRuntime:
    """Just the `deliver_now` a worker calls; counts the calls and can hold one."""

    def __init__(self) -> None:
        self.deliveries = 0
        self.delivered = threading.Event()
        self.hold: threading.Event | None = None
        self.inside = threading.Event()
        self.fail_next = False
        self._counted = threading.Condition()

    def deliver_now(self) -> None:
        self.inside.set()
        if self.hold is not None:
            self.hold.wait(WAIT)
        with self._counted:
            self.deliveries += 1
            self._counted.notify_all()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("Slack is down")
        self.delivered.set()

    def wait_for(self, deliveries: int) -> bool:
        with self._counted:
            return self._counted.wait_for(lambda: self.deliveries >= deliveries, WAIT)


def make_worker(
    runtime: FakeRuntime, policy: Policy, *, poll_seconds: float = 3600.0
) -> tuple[Worker, FakeRounds]:
    rounds = FakeRounds()
    started: list[Any] = []

    def start_rounds(rt: Runtime, pol: Policy) -> FakeRounds:
        started.append((rt, pol))
        return rounds

    worker = Worker(
        cast(Runtime, runtime), policy, poll_seconds=poll_seconds, rounds=start_rounds
    ).start()
    assert started == [(runtime, policy)]
    return worker, rounds


def test_it_polls_every_half_second_by_default() -> None:
    assert POLL_SECONDS == 0.5


def test_a_wake_delivers_at_once(policy: Policy) -> None:
    runtime = FakeRuntime()
    worker, _ = make_worker(runtime, policy)  # polls hourly: only the wake can deliver
    try:
        worker.wake()
        assert runtime.delivered.wait(WAIT)
    finally:
        worker.stop()


def test_without_a_wake_it_polls(policy: Policy) -> None:
    runtime = FakeRuntime()
    worker, _ = make_worker(runtime, policy, poll_seconds=0.01)
    try:
        for _ in range(3):
            runtime.delivered.clear()
            assert runtime.delivered.wait(WAIT)
    finally:
        worker.stop()


def test_a_wake_during_a_delivery_asks_for_another(policy: Policy) -> None:
    runtime = FakeRuntime()
    runtime.hold = threading.Event()
    worker, _ = make_worker(runtime, policy)
    try:
        worker.wake()
        assert runtime.inside.wait(WAIT)
        worker.wake()  # a row committed while the first pass is sending
        runtime.hold.set()
        assert runtime.wait_for(2)
    finally:
        worker.stop()


def test_stop_lets_the_current_delivery_finish_and_starts_no_other(policy: Policy) -> None:
    runtime = FakeRuntime()
    runtime.hold = threading.Event()
    worker, rounds = make_worker(runtime, policy)
    worker.wake()
    assert runtime.inside.wait(WAIT)
    order: list[str] = []
    runtime.delivered = OrderedEvent(order)
    stopper = threading.Thread(target=lambda: (worker.stop(), order.append("stopped")))
    stopper.start()
    runtime.hold.set()
    stopper.join(WAIT)
    assert order == ["delivered", "stopped"]  # stop returned only once the pass had finished
    assert runtime.deliveries == 1
    assert rounds.stopped_with is True  # the rounds' current job finishes too
    worker.wake()  # after stop: nothing runs
    assert runtime.deliveries == 1


class OrderedEvent(threading.Event):
    """An Event that notes in `order` when it is set."""

    def __init__(self, order: list[str]) -> None:
        super().__init__()
        self.order = order

    def set(self) -> None:
        self.order.append("delivered")
        super().set()


def test_a_failed_delivery_is_logged_and_the_next_goes_ahead(
    policy: Policy, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = FakeRuntime()
    runtime.fail_next = True
    worker, _ = make_worker(runtime, policy)
    try:
        with caplog.at_level(logging.ERROR):
            worker.wake()
            assert runtime.inside.wait(WAIT)
            runtime.delivered.clear()
            worker.wake()
            assert runtime.delivered.wait(WAIT)
    finally:
        worker.stop()
    assert "delivery failed" in caplog.text
