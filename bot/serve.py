"""`frontdesk serve`: Socket Mode for one instance, or HTTP on a production WSGI server."""

from __future__ import annotations

import gc
import logging
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Engine, text

from bot.app import AfterAck, Runtime, build_runtime
from bot.clock import SystemClock
from bot.config import ConfigError, Policy, Settings
from bot.request_context import ContextExecutor, remember_request
from bot.work_process import WorkerProcess, fork_worker, serve_jobs
from storage.db import make_engine
from storage.migrate import is_current, upgrade

log = logging.getLogger(__name__)

# Bolt runs each listener, ack included, on this pool (its default is 5 workers); listeners
# hand their work after the ack to AFTER_ACK_WORKERS workers of their own (bench/README.md).
# One: commands are carried out in the order they were acked (a quick "arrived" then "left"
# cannot pass each other), and the fewest threads compete with the acks. A hung Slack call
# holds the work behind it for at most the client's timeout.
LISTENER_WORKERS = 16
AFTER_ACK_WORKERS = 1

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _required(value: Any, name: str, why: str) -> str:
    secret = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    if not secret:
        raise ConfigError(f"{name}: required {why}")
    return str(secret)


def prepare_database(url: str) -> Engine:
    """An engine on a database at the newest schema (SQLite is upgraded in place)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    elif not is_current(engine):
        raise ConfigError(
            "DATABASE_URL: the database is not at the newest schema; run `frontdesk db upgrade`"
        )
    return engine


@dataclass(frozen=True)
class Wiring:
    """What `serve` needs from the settings and the policy, checked."""

    token: str
    signing_secret: str | None
    desk: str
    managers: str


def check_settings(settings: Settings, policy: Policy, *, http: bool) -> Wiring:
    """The settings `serve` needs, or a ConfigError naming what is missing."""
    token = _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", "by `frontdesk serve`")
    secret = None
    if http:
        secret = _required(
            settings.slack_signing_secret, "SLACK_SIGNING_SECRET", "by `frontdesk serve --http`"
        )
    desk = _required(
        policy.channels.desk, "channels.desk", "by `frontdesk serve` (the desk channel's ID)"
    )
    managers = _required(
        policy.channels.managers,
        "channels.managers",
        "by `frontdesk serve` (the managers' channel's ID)",
    )
    return Wiring(token, secret, desk, managers)


def build_for_serve(
    settings: Settings, policy: Policy, *, http: bool, worker: WorkerProcess | None = None
) -> Runtime:
    """Check the settings `serve` needs and wire the bot (handing work to `worker` if given)."""
    wiring = check_settings(settings, policy, http=http)
    engine = prepare_database(settings.database_url)
    runtime = build_runtime(
        engine=engine,
        clock=SystemClock(),
        policy=policy,
        token=wiring.token,
        signing_secret=wiring.signing_secret,
        api_url=settings.slack_api_url,
        desk_channel=wiring.desk,
        managers_channel=wiring.managers,
        # Optional: pin the Slack app id; without it the first verified request's id is pinned.
        app_id=os.environ.get("SLACK_APP_ID") or None,
        deliver_in_background=True,  # listeners free their worker (and the next ack) sooner
        listener_executor=ContextExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="listener"
        ),
        after_ack=worker or AfterAck(AFTER_ACK_WORKERS),
    )
    if worker is not None:
        runtime.app.use(remember_request)
    return runtime


def run_worker(settings: Settings, policy: Policy, jobs: IO[str], done: IO[str]) -> int:
    """The work process (bot.work_process): replay each request it is handed, unchecked."""
    from slack_bolt.request import BoltRequest

    wiring = check_settings(settings, policy, http=False)
    runtime = build_runtime(
        engine=make_engine(settings.database_url),
        clock=SystemClock(),
        policy=policy,
        token=wiring.token,
        signing_secret=None,  # the front checked the signature, the replay and the app
        api_url=settings.slack_api_url,
        app_id=os.environ.get("SLACK_APP_ID") or None,
        desk_channel=wiring.desk,
        managers_channel=wiring.managers,
        process_before_response=True,  # the listener, and so its work, runs on this thread
        deliver_in_background=True,
    )

    def dispatch(body: str, headers: dict[str, Any]) -> None:
        runtime.app.dispatch(BoltRequest(body=body, headers=headers))

    scheduler = _start_rounds(runtime, policy)
    try:
        return serve_jobs(dispatch, jobs, done)
    finally:
        scheduler.shutdown(wait=True)
        runtime.deliver_now()  # what the last requests left in the outbox


def _start_rounds(runtime: Runtime, policy: Policy) -> Any:
    from bot.scheduler import start_scheduler

    ctx = runtime.ctx
    return start_scheduler(runtime, policy, ctx.clock, ctx.desk_channel, ctx.managers_channel)


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


def wsgi_app(runtime: Runtime) -> WSGIApp:
    """Bolt's WSGI adapter at /slack/events, and GET /healthz."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    slack = SlackRequestHandler(runtime.app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            try:
                with runtime.ctx.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception:
                log.exception("health check: database unreachable")
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"database unreachable\n"]
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/slack/events":
            result: Iterable[bytes] = slack(environ, start_response)
            return result
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return application


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    settings: Settings, policy: Policy, *, http: bool, host: str, port: int, threads: int
) -> int:
    """Run until stopped."""
    limit_malloc_arenas()
    worker = None
    if http:
        check_settings(settings, policy, http=http)  # before forking: one error, not two
        freeze_startup_objects()  # the modules' objects, shared with the worker
        worker = fork_worker(
            lambda jobs, done: run_worker(settings, policy, jobs, done),
            AfterAck(AFTER_ACK_WORKERS),
        )
    runtime = build_for_serve(settings, policy, http=http, worker=worker)
    schedulers = []  # the rounds run here unless the work process runs them
    if worker is None:
        schedulers.append(_start_rounds(runtime, policy))
    else:
        worker.on_gone = lambda: schedulers.append(_start_rounds(runtime, policy))
    freeze_startup_objects()
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: as Ctrl-C
    try:
        if http:
            import waitress

            log.info("Front Desk listening on http://%s:%s/slack/events", host, port)
            waitress.serve(
                wsgi_app(runtime), host=host, port=port, threads=threads, ident="frontdesk"
            )
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            app_token = _required(
                settings.slack_app_token, "SLACK_APP_TOKEN", "by Socket Mode (or use --http)"
            )
            SocketModeHandler(runtime.app, app_token).start()
    except KeyboardInterrupt:
        log.info("stopping: finishing the work already acknowledged")
    finally:
        if runtime.after_ack is not None:
            runtime.after_ack.drain()  # what was acked is done before we go
        for scheduler in schedulers:
            scheduler.shutdown(wait=False)
    return 0
