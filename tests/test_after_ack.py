"""Work after the ack: on a pool of its own under `serve`, in order, never lost to an error."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.app import AfterAck
from bot.console.embedded import Embedded
from handlers.context import HandlerContext
from tests.helpers import dms_to, last_reply

RECEPTION, ALICE_M = "U0RECEPTION", "<@U0ALICE|alice>"


def test_work_runs_in_order_and_an_error_is_logged_not_fatal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = AfterAck(1)
    done: list[int] = []

    def fail() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        pool(lambda: done.append(1))
        pool(fail)
        pool(lambda: done.append(2))
        pool.drain()
    assert done == [1, 2]
    assert "work after an ack failed" in caplog.text and "boom" in caplog.text


def test_drain_finishes_what_was_queued_before_returning() -> None:
    pool = AfterAck(1)
    release = threading.Event()
    done: list[str] = []
    pool(lambda: (release.wait(5), done.append("first")))
    pool(lambda: done.append("second"))
    release.set()
    pool.drain()
    assert done == ["first", "second"]


def test_deliver_follows_the_work_on_the_same_thread(fd: Embedded) -> None:
    ctx: HandlerContext = fd.runtime.ctx
    pool = AfterAck(1)
    seen: dict[str, object] = {}
    ctx.run_after_ack = pool
    ctx.deliver = lambda: seen.update(deliver=threading.current_thread().name)
    ctx.after_ack(lambda: seen.update(work=threading.current_thread().name))
    pool.drain()
    assert seen["work"] == seen["deliver"]
    assert str(seen["work"]).startswith("after-ack")
    assert threading.current_thread().name not in (seen["work"], seen["deliver"])


def test_a_command_is_acked_before_its_work_and_the_work_lands(fd: Embedded) -> None:
    pool = AfterAck(2)
    hold = threading.Event()
    real = fd.runtime.ctx.run_after_ack

    def held(work: object) -> None:
        pool(lambda: (hold.wait(5), work()))  # type: ignore[operator]

    fd.runtime.ctx.run_after_ack = held
    try:
        response = fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
        assert response.status == 200  # acked while the work is still held
        assert dms_to(fd, "U0ALICE") == []
        hold.set()
        pool.drain()
    finally:
        fd.runtime.ctx.run_after_ack = real
    assert "V-001" in last_reply(fd, RECEPTION)
    assert len(dms_to(fd, "U0ALICE")) == 1


def test_a_full_backlog_holds_the_next_listener_until_there_is_room() -> None:
    pool = AfterAck(1, backlog=2)
    release = threading.Event()
    pool(lambda: release.wait(5))
    pool(lambda: None)
    third = threading.Thread(target=pool, args=(lambda: None,))
    third.start()
    third.join(0.2)
    assert third.is_alive()  # waiting for room, not queued without limit
    release.set()
    third.join(5)
    assert not third.is_alive()
    pool.drain()
