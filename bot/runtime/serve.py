"""`frontdesk serve` and `frontdesk worker`: Socket Mode, the HTTP front on gunicorn, the worker.

Every listener commits its work before it acks, so what comes after the ack (posts, tasks) is in
the database, and one worker per replica (bot.runtime.worker) carries it out. Under Socket Mode the worker
runs in the same process; under `--http`, gunicorn's master starts it as a child process
(`frontdesk worker`) once it is listening, and each web process builds its own runtime after the
fork, so no database connection or thread crosses a fork.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.domain.clock import SystemClock
from bot.domain.config import ConfigError, Policy, Settings
from bot.runtime.app import Runtime, build_runtime
from bot.runtime.http_front import WSGIApp, answer, guarded
from bot.runtime.startup import REFUSED, Wiring, run_checks
from bot.runtime.worker import Worker
from storage.db import make_engine

log = logging.getLogger(__name__)

# Bolt runs each listener, its database work and its ack on this pool (Bolt's default is 10);
# more than the server's threads, so a request never waits for a listener thread.
LISTENER_WORKERS = 16


@dataclass(frozen=True)
class HttpOptions:
    """How the HTTP front runs (gunicorn, `gthread` workers)."""

    host: str = "0.0.0.0"
    port: int = 3000
    workers: int | None = None  # web processes: 2 on PostgreSQL, 1 on SQLite
    threads: int = 8  # per web process
    keepalive: int = 5  # seconds an idle kept-alive connection stays open
    timeout: int = 30  # a web process silent this long is restarted
    graceful_timeout: int = 30  # on SIGTERM: how long requests in flight may take
    worker: bool = True  # start one `frontdesk worker` beside the web processes


def build_for_serve(settings: Settings, policy: Policy, wiring: Wiring) -> Runtime:
    """Wire the bot for a serving process (its own engine and Slack clients)."""
    return build_runtime(
        engine=make_engine(settings.database_url),
        clock=SystemClock(),
        policy=policy,
        token=wiring.token,
        # Never an unchecked app: where no secret applies (Socket Mode, the worker) a random one,
        # so an HTTP request reaching it would be refused, not run.
        signing_secret=wiring.signing_secret or secrets.token_urlsafe(32),
        api_url=wiring.api_url,
        desk_channel=wiring.desk,
        managers_channel=wiring.managers,
        # Optional: pin the Slack app id; without it the first verified request's id is pinned.
        app_id=os.environ.get("SLACK_APP_ID") or None,
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="listener"
        ),
    )


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX would) before the threads start.

    Each of the server's threads otherwise gets an arena of its own, and memory freed in one
    is not reused by another: resident memory creeps up with the request count. A no-op
    where libc is not glibc.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_arena_max = -8
        return bool(libc.mallopt(m_arena_max, arenas))
    except (OSError, AttributeError):
        return False


def freeze_startup_objects() -> None:
    """Move everything built so far (modules, models, the wired app) out of the collector's reach.

    A full collection otherwise walks all of them, some 120,000 objects and 35-55 ms on this
    machine, with every thread held up; after the freeze it walks only what requests create.
    """
    gc.collect()
    gc.freeze()


# ---- health -------------------------------------------------------------------------------


@dataclass
class Health:
    """`GET /healthz`: the database answers, and Slack still takes the bot token.

    `auth.test` is asked at most once per `slack_every` seconds (about a round); a refusal
    (`invalid_auth`, `token_revoked`, …) makes the check fail until an answer says otherwise.
    Slack being unreachable does not: that would take every replica out at once for nothing
    this replica can fix.
    """

    check_database: Callable[[], None]
    auth_test: Callable[[], str | None]  # None: accepted; else Slack's error code
    slack_every: float = 30.0
    monotonic: Callable[[], float] = time.monotonic
    _slack_error: str | None = None
    _asked_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self) -> str | None:
        """What is wrong, or None."""
        try:
            self.check_database()
        except Exception as error:
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            return "database unreachable"
        code = self._slack()
        if code in REFUSED:
            return f"Slack refuses the bot token ({code})"
        return None

    def _slack(self) -> str | None:
        with self._lock:
            now = self.monotonic()
            if self._asked_at is not None and now - self._asked_at < self.slack_every:
                return self._slack_error
            self._asked_at = now
            try:
                code = self.auth_test()
            except Exception as error:  # unreachable: keep the last answer
                log.warning("health check: auth.test failed (%s)", type(error).__name__)
                return self._slack_error
            if code is not None and code != self._slack_error:
                log.error("health check: Slack refuses the bot token (%s)", code)
            self._slack_error = code
            return code


def health_for(runtime: Runtime, policy: Policy) -> Health:
    """The health check of a wired Front Desk: its engine, and a Slack client of its own that
    neither retries nor waits long (a health check answers in seconds, whatever Slack does)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    engine = runtime.ctx.engine
    quiet = logging.getLogger(f"{__name__}.health")
    quiet.disabled = True  # a failure is logged once by Health, not per try by slack_sdk
    probe = WebClient(
        token=runtime.client.token, base_url=runtime.client.base_url, timeout=3, logger=quiet
    )
    probe.retry_handlers = []

    def check_database() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def auth_test() -> str | None:
        try:
            probe.auth_test()
        except SlackApiError as error:
            return str(error.response.get("error", "unknown_error"))
        return None

    every = policy.scheduler.sweep_every.plain.total_seconds()
    return Health(check_database, auth_test, slack_every=every)


def wsgi_app(runtime: Runtime, health: Health) -> WSGIApp:
    """Bolt's WSGI adapter at /slack/events and GET /healthz, behind bot.runtime.http_front's guard."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    slack = SlackRequestHandler(runtime.app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            problem = health.problem()
            if problem is not None:
                return answer(start_response, 503, problem)
            return answer(start_response, 200, "ok")
        if path == "/slack/events":
            if environ.get("REQUEST_METHOD") != "POST":
                return answer(start_response, 405, "POST only")
            result: Iterable[bytes] = slack(environ, start_response)
            return result
        return answer(start_response, 404, "not found")

    return guarded(application)


# ---- the worker process -------------------------------------------------------------------


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def hold_stop_signals() -> None:
    """Hold SIGTERM and Ctrl-C for `wait_for_stop` (call before any thread starts: threads
    inherit the mask), so a stop never lands as an exception inside a round or a request."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def wait_for_stop() -> str:
    """Block until SIGTERM or Ctrl-C (one sent earlier counts); its name."""
    return signal.Signals(signal.sigwait(STOP_SIGNALS)).name


def run_worker(settings: Settings) -> int:
    """`frontdesk worker`: the rounds and delivery, until SIGTERM or Ctrl-C."""
    policy, wiring = run_checks(settings, mode="worker")
    hold_stop_signals()
    limit_malloc_arenas()
    runtime = build_for_serve(settings, policy, wiring)
    worker = Worker(runtime, policy)
    runtime.ctx.deliver = worker.wake
    try:
        worker.start()
        log.info("Front Desk worker running (process %d)", os.getpid())
        log.info("worker stopping on %s: finishing the current round", wait_for_stop())
    finally:
        worker.stop()
    return 0


# ---- serve --------------------------------------------------------------------------------


def serve(settings: Settings, *, http: HttpOptions | None, in_process_worker: bool = True) -> int:
    """`frontdesk serve`: Socket Mode (http None) or the HTTP front; run until stopped."""
    if http is not None:
        return serve_http(settings, http)
    return serve_socket_mode(settings, worker=in_process_worker)


def serve_socket_mode(settings: Settings, *, worker: bool) -> int:
    """Socket Mode: one process, its worker in-process (unless `worker` is False)."""
    # Not slack_sdk's built-in client: see bot.runtime.socket_mode_client for why.
    from bot.runtime.socket_mode_client import FrontDeskSocketModeHandler

    policy, wiring = run_checks(settings, mode="socket")
    assert wiring.app_token is not None
    hold_stop_signals()
    limit_malloc_arenas()
    runtime = build_for_serve(settings, policy, wiring)
    running: Worker | None = None
    if worker:
        running = Worker(runtime, policy)
        runtime.ctx.deliver = running.wake  # a listener's commit: deliver at once
    else:
        runtime.ctx.deliver = lambda: None  # a `frontdesk worker` elsewhere sends
    handler = FrontDeskSocketModeHandler(runtime.app, wiring.app_token)
    try:
        if running is not None:
            running.start()
        freeze_startup_objects()
        try:
            handler.connect()
        except Exception as error:
            response = getattr(error, "response", None)
            reason = response.get("error") if response is not None else None
            raise ConfigError(
                "SLACK_APP_TOKEN: cannot open the Socket Mode connection "
                f"({reason or str(error).splitlines()[0]})"
            ) from None
        log.info("Front Desk connected to Slack in Socket Mode")
        log.info("stopping on %s", wait_for_stop())
    finally:
        try:
            handler.close()
        except Exception as error:
            log.warning("closing the Socket Mode connection: %s", error)
        if running is not None:
            running.stop()
    return 0


def check_address(host: str, port: int) -> None:
    """ConfigError naming --host/--port if the front could not listen there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"--host {host} --port {port}: cannot listen there ({reason})") from None


def serve_http(settings: Settings, options: HttpOptions) -> int:
    """The HTTP front on gunicorn: `workers` web processes × `threads`, and one worker child."""
    sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
    workers = options.workers if options.workers is not None else (1 if sqlite else 2)
    if workers < 1 or options.threads < 1:
        raise ConfigError("--workers, --threads: at least 1")
    if sqlite and workers > 1:
        raise ConfigError(
            f"--workers {workers}: SQLite takes one web process; use PostgreSQL for more"
        )
    check_address(options.host, options.port)
    policy, wiring = run_checks(settings, mode="http")
    from bot.runtime.http_server import FrontDeskServer

    def load() -> WSGIApp:  # in each web process, after the fork
        limit_malloc_arenas()
        runtime = build_for_serve(settings, policy, wiring)
        runtime.ctx.deliver = lambda: None  # the worker process polls the outbox and tasks
        application = wsgi_app(runtime, health_for(runtime, policy))
        freeze_startup_objects()
        return application

    worker_command = None
    if options.worker:
        worker_command = [sys.executable, "-m", "bot.runtime.cli", "worker"]

    def ready() -> None:  # gunicorn's master, listening, before the web processes start
        log.info(
            "Front Desk listening on http://%s:%s/slack/events (%d web process%s × %d threads%s)",
            options.host,
            options.port,
            workers,
            "" if workers == 1 else "es",
            options.threads,
            ", and a worker process" if options.worker else "; no worker (--no-worker)",
        )

    FrontDeskServer(
        load, options, workers=workers, worker_command=worker_command, on_ready=ready
    ).run()
    return 0
