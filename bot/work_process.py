"""Under `serve --http`, the work listeners promise after their ack runs in a worker process.

In one process, that work (database writes, Slack calls: some 11 ms of CPU a command) shares the
interpreter lock with the next requests' acks, and an ack's p99 grew to 1.3-2× the bare Bolt
app's; with the work switched off it was the bare app's (bench/README.md, "Findings"). So:

- A middleware notes each request's raw body and headers in a context variable, and Bolt's
  listener pool (`ContextExecutor`) carries it to the thread that runs the listener.
- When a listener hands over its work (`ctx.after_ack`), the front sends that request down a pipe
  to the worker instead of doing the work itself.
- The worker, forked once the modules are imported and before any thread starts, runs the same
  Bolt app with no signature check (the front checked it) and `process_before_response`: the
  listener runs again there, its ack goes nowhere, and its work runs at once. So a listener may
  do nothing before `ctx.after_ack` that cannot be done twice (parse, check, read); the two that
  change the database before they ack use `ctx.after_ack(work, replay=False)`, which keeps the
  work in the front.
- The worker takes requests in the order they were handed over, one at a time, at most
  `backlog` waiting (past that, listeners wait and the acks slow, as with `bot.app.AfterAck`).
  It also runs the scheduled rounds (sweep and send), so the front does nothing but answer.
  If it dies, the front logs how many requests were lost, and from then on does the work and
  runs the rounds itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from bot.app import AfterAck
from bot.request_context import CURRENT

log = logging.getLogger(__name__)

WORKER_NICENESS = 10


class WorkerProcess:
    """The front's end: hands requests to the worker; the in-process pool when it cannot."""

    def __init__(
        self, pid: int, jobs: IO[str], done: IO[str], local: AfterAck, *, backlog: int = 100
    ) -> None:
        self.pid = pid
        # Called once if the worker stops before `drain` (the front then runs the rounds).
        self.on_gone: Callable[[], object] = lambda: None
        self._jobs = jobs
        self._done = done
        self._local = local
        self._room = threading.BoundedSemaphore(backlog)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._alive = True
        self._stopping = False
        threading.Thread(target=self._read_done, name="worker-done", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self._alive

    def __call__(self, work: Callable[[], object]) -> None:
        request = CURRENT.get()
        if request is None or not self._alive:
            self._local(work)
            return
        line = json.dumps({"body": request[0], "headers": request[1]}) + "\n"
        self._room.acquire()
        with self._lock:
            if self._alive:
                try:
                    self._jobs.write(line)
                    self._jobs.flush()
                    self._in_flight += 1
                    return
                except OSError:
                    self._gone()
        self._room.release()
        self._local(work)  # the worker is gone: do it here

    def _read_done(self) -> None:
        for _ in self._done:
            with self._lock:
                self._in_flight -= 1
            self._room.release()
        with self._lock:
            self._gone()
        if not self._stopping:
            try:
                self.on_gone()
            except Exception:
                log.exception("taking over from the work process failed")

    def _gone(self) -> None:
        """The worker has stopped (called under the lock)."""
        if not self._alive:
            return
        self._alive = False
        if not self._stopping:
            log.error(
                "the work process stopped; %d acknowledged requests it held were not carried "
                "out; work after acks is done in this process from now on",
                self._in_flight,
            )
        for _ in range(self._in_flight):
            self._room.release()
        self._in_flight = 0

    def drain(self, timeout: float = 60.0) -> None:
        """Let the worker finish what it holds, then stop it; finish the local pool too."""
        self._stopping = True
        with self._lock, contextlib.suppress(OSError):
            self._jobs.close()  # the worker stops at the end of its input
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        else:
            log.error("the work process did not finish within %.0f s; stopping it", timeout)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._local.drain()


def fork_worker(run: Callable[[IO[str], IO[str]], int], local: AfterAck) -> WorkerProcess | None:
    """Fork the worker, which calls `run(jobs, done)` and exits; None if this process has threads.

    Forking copies only the calling thread, so it is done before any other thread starts; the
    worker shares the imported modules' memory with the front until either writes to it.
    """
    if threading.active_count() > 1:
        log.warning("threads already running: work after acks stays in this process")
        return None
    jobs_read, jobs_write = os.pipe()
    done_read, done_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            os.close(jobs_write)
            os.close(done_read)
            # Stopped by the end of its input (the front closed the pipe, or died), not by the
            # signals a terminal or a service manager sends the whole group.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            # Acks are due in 3 s, this work is not: where the two want the same core, the
            # front goes first.
            os.nice(WORKER_NICENESS)
            with (
                os.fdopen(jobs_read, "r", encoding="utf-8") as jobs,
                os.fdopen(done_write, "w", encoding="utf-8") as done,
            ):
                code = run(jobs, done)
        except BaseException:
            log.exception("the work process failed")
        finally:
            logging.shutdown()
            os._exit(code)
    os.close(jobs_read)
    os.close(done_write)
    jobs = os.fdopen(jobs_write, "w", encoding="utf-8")
    done = os.fdopen(done_read, "r", encoding="utf-8")
    log.info("work after acks runs in process %d", pid)
    return WorkerProcess(pid, jobs, done, local)


def serve_jobs(
    dispatch: Callable[[str, dict[str, Any]], object], jobs: IO[str], done: IO[str]
) -> int:
    """The worker's loop: carry out each request, say so, until the input ends."""
    for line in jobs:
        try:
            job = json.loads(line)
            dispatch(job["body"], job["headers"])
        except Exception:
            log.exception("work after an ack failed in the work process")
        done.write("\n")
        done.flush()
    return 0
