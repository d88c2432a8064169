"""Under `serve --http` the work after each ack runs in a worker process (bot.work_process)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import AfterAck
from bot.console.embedded import Embedded
from bot.request_context import CURRENT, ContextExecutor
from bot.work_process import WorkerProcess, fork_worker

ARRIVAL = "arrived Visitor {n} from Acme for <@U0ALICE|alice>"

# A stand-in worker: bot.work_process.serve_jobs, noting each request's body in a file.
FAKE_WORKER = textwrap.dedent(
    """
    import sys
    from bot.work_process import serve_jobs
    seen = open(sys.argv[1], "a", buffering=1)
    sys.exit(serve_jobs(lambda body, headers: seen.write(body + "\\n"), sys.stdin, sys.stdout))
    """
)


@pytest.fixture
def fake_worker(tmp_path: Path) -> Iterator[tuple[WorkerProcess, Path]]:
    seen = tmp_path / "seen.txt"
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE_WORKER, str(seen)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert process.stdin is not None and process.stdout is not None
    worker = WorkerProcess(process.pid, process.stdin, process.stdout, AfterAck(1))
    yield worker, seen
    if process.poll() is None and worker.alive:
        worker.drain(timeout=10)


def test_the_pool_carries_the_request_to_the_listener_thread() -> None:
    pool = ContextExecutor(max_workers=1)
    CURRENT.set(("body=1", {"x": ["y"]}))
    try:
        assert pool.submit(CURRENT.get).result(5) == ("body=1", {"x": ["y"]})
    finally:
        CURRENT.set(None)
        pool.shutdown()


def test_requests_go_to_the_worker_in_order_and_their_work_is_not_done_here(
    fake_worker: tuple[WorkerProcess, Path],
) -> None:
    worker, seen = fake_worker
    done_here: list[int] = []
    for n in range(5):
        CURRENT.set((f"request {n}", {}))
        worker(lambda n=n: done_here.append(n))
    CURRENT.set(None)
    worker.drain(timeout=10)
    assert seen.read_text().splitlines() == [f"request {n}" for n in range(5)]
    assert done_here == []


def test_work_with_no_request_or_not_to_be_replayed_is_done_here(
    fake_worker: tuple[WorkerProcess, Path], fd: Embedded
) -> None:
    worker, seen = fake_worker
    done_here: list[str] = []
    worker(lambda: done_here.append("no request"))  # a scheduled round, say
    ctx = fd.runtime.ctx
    ctx.run_after_ack = worker
    ctx.deliver = lambda: None
    CURRENT.set(("a view submission that already changed the database", {}))
    try:
        ctx.after_ack(lambda: done_here.append("replay=False"), replay=False)
        assert CURRENT.get() is not None  # put back for the rest of the listener
    finally:
        CURRENT.set(None)
    worker.drain(timeout=10)
    assert done_here == ["no request", "replay=False"]
    assert seen.read_text() == ""


def test_when_the_worker_dies_the_work_is_done_here_and_it_is_logged(
    fake_worker: tuple[WorkerProcess, Path], caplog: pytest.LogCaptureFixture
) -> None:
    worker, _ = fake_worker
    with caplog.at_level(logging.ERROR):
        os.kill(worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while worker.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        done_here: list[str] = []
        CURRENT.set(("after the worker died", {}))
        try:
            worker(lambda: done_here.append("done"))
        finally:
            CURRENT.set(None)
        worker.drain(timeout=10)
    assert done_here == ["done"]
    assert "the work process stopped" in caplog.text


def test_no_fork_once_threads_are_running(caplog: pytest.LogCaptureFixture) -> None:
    started = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: (started.set(), stop.wait(5)))
    thread.start()
    started.wait(5)
    try:
        with caplog.at_level(logging.WARNING):
            assert fork_worker(lambda jobs, done: 0, AfterAck(1)) is None
    finally:
        stop.set()
        thread.join()
    assert "stays in this process" in caplog.text
