"""gunicorn, run from `frontdesk serve --http`: `gthread` web processes and one worker process.

- Each web process builds its own runtime (engine, Slack clients, Bolt app) when gunicorn loads
  the app in it, after the fork (`preload_app` stays off): nothing open crosses a fork.
- The master starts `frontdesk worker` as a child process once it is listening (fork and exec
  through `subprocess`, which is safe whatever threads exist), restarts it if it dies, and stops it
  after the web processes on shutdown. So one worker per replica, not one per web process.
- New connections wait in the web process's poller, not on a thread, until their first bytes
  arrive, and are closed after `keepalive` seconds idle: idle connections cannot hold the
  threads a genuine request needs. A request that starts and then stalls holds its thread for
  at most `READ_TIMEOUT_S` (gunicorn itself would wait for it forever).
"""

from __future__ import annotations

import errno
import logging
import selectors
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.gthread import TConn, ThreadWorker

if TYPE_CHECKING:
    from bot.runtime.http_front import WSGIApp
    from bot.runtime.serve import HttpOptions

log = logging.getLogger(__name__)

RESTART_AFTER_S = 5.0
READ_TIMEOUT_S = 10.0  # Slack sends a request in one go; a stalled one is dropped after this


class _BoundedSocket(socket.socket):
    """A client socket whose blocking reads and writes give up after `READ_TIMEOUT_S`.

    gunicorn makes the socket blocking (no timeout) before it reads a request; here "blocking"
    means "with a timeout", and a read that times out looks like the client went away, which
    gunicorn closes quietly instead of logging a traceback.
    """

    __slots__ = ()

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(READ_TIMEOUT_S)
        else:
            super().setblocking(False)

    def recv(self, size: int, flags: int = 0) -> bytes:
        try:
            return super().recv(size, flags)
        except TimeoutError:
            raise ConnectionResetError(errno.ECONNRESET, "client stalled") from None


class PatientThreadWorker(ThreadWorker):
    """gunicorn's `gthread` worker, but a new connection takes a thread only once it has data."""

    def accept(self, listener: Any) -> None:
        if not hasattr(self, "pending_conns"):  # a gunicorn without the queue: its own way
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        if type(client) is socket.socket:
            client.__class__ = _BoundedSocket  # same layout: only the methods above differ
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        # The same queue and deadline as a connection gunicorn sends back to wait for data
        # (its order is its deadlines' order): closed if nothing comes within `keepalive`.
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            client, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )


def _die_with_parent() -> None:
    """In the worker child before it runs: SIGTERM it when the master dies (Linux's
    PR_SET_PDEATHSIG); elsewhere a no-op, and the service manager must stop the group."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class WorkerChild:
    """The `frontdesk worker` process beside the web processes."""

    def __init__(self, command: Sequence[str], *, stop_timeout: float) -> None:
        self.command = list(command)
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.stopping = False

    def start(self) -> None:
        # Inherits stdout, stderr and the environment; dies with the master, even by SIGKILL,
        # so a restarted replica never runs two workers.
        self.process = subprocess.Popen(self.command, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        log.info("worker process %d started", self.process.pid)

    def watch(self) -> None:
        """Restart the worker if it has stopped (gunicorn may have reaped it already)."""
        if self.stopping or self.process is None or self.process.poll() is None:
            return
        if time.monotonic() - self.started_at < RESTART_AFTER_S:
            return  # not in a tight loop if it cannot start
        log.error("worker process %d stopped; starting another", self.process.pid)
        self.start()

    def stop(self) -> None:
        """SIGTERM it, wait for its round to finish (at most `stop_timeout`), then SIGKILL."""
        self.stopping = True
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            log.error("worker process did not stop within %.0f s; killing it", self.stop_timeout)
            process.kill()
            process.wait(timeout=10)


class FrontDeskArbiter(Arbiter):
    """gunicorn's master, which also keeps the worker process going."""

    def manage_workers(self) -> None:
        super().manage_workers()
        child = getattr(self.app, "worker_child", None)
        if child is not None:
            child.watch()


class FrontDeskServer(BaseApplication):
    """gunicorn configured from `serve --http`'s options, loading Front Desk in each process."""

    def __init__(
        self,
        load: Callable[[], WSGIApp],
        options: HttpOptions,
        *,
        workers: int,
        worker_command: Sequence[str] | None,
        on_ready: Callable[[], object] = lambda: None,
    ) -> None:
        self._load = load
        self._on_ready = on_ready
        self._options = options
        self._workers = workers
        self.worker_child = (
            WorkerChild(worker_command, stop_timeout=float(options.graceful_timeout))
            if worker_command
            else None
        )
        super().__init__()

    def load_config(self) -> None:
        options = self._options
        settings: dict[str, Any] = {
            "bind": [f"{options.host}:{options.port}"],
            "workers": self._workers,
            "worker_class": PatientThreadWorker,
            "threads": options.threads,
            "keepalive": options.keepalive,
            "timeout": options.timeout,
            "graceful_timeout": options.graceful_timeout,
            "preload_app": False,  # each web process loads (builds its runtime) after the fork
            "loglevel": "warning",  # gunicorn's start-up chatter; Front Desk logs its own line
            "accesslog": None,
            "proc_name": "frontdesk",
            "control_socket_disable": True,
            "when_ready": self._when_ready,
            "on_exit": self._on_exit,
        }
        for name, value in settings.items():
            if name in self.cfg.settings:  # older gunicorns lack some (the control socket)
                self.cfg.set(name, value)

    def load(self) -> WSGIApp:
        return self._load()

    def run(self) -> None:
        try:
            FrontDeskArbiter(self).run()
        except RuntimeError as error:
            raise SystemExit(f"frontdesk: {error}") from None

    def _when_ready(self, _server: Any) -> None:
        self._on_ready()
        if self.worker_child is not None:
            self.worker_child.start()

    def _on_exit(self, _server: Any) -> None:
        if self.worker_child is not None:
            self.worker_child.stop()
