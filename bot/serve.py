"""`frontdesk serve`: Socket Mode for one instance, or HTTP on a production WSGI server."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, text

from bot.app import AfterAck, Runtime, build_runtime
from bot.clock import SystemClock
from bot.config import ConfigError, Policy, Settings
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


def build_for_serve(settings: Settings, policy: Policy, *, http: bool) -> Runtime:
    """Check the settings `serve` needs and wire the bot."""
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
    engine = prepare_database(settings.database_url)
    return build_runtime(
        engine=engine,
        clock=SystemClock(),
        policy=policy,
        token=token,
        signing_secret=secret,
        api_url=settings.slack_api_url,
        desk_channel=desk,
        managers_channel=managers,
        # Optional: pin the Slack app id; without it the first verified request's id is pinned.
        app_id=os.environ.get("SLACK_APP_ID") or None,
        deliver_in_background=True,  # listeners free their worker (and the next ack) sooner
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="listener"
        ),
        after_ack=AfterAck(AFTER_ACK_WORKERS),
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


def serve(
    settings: Settings, policy: Policy, *, http: bool, host: str, port: int, threads: int
) -> int:
    """Run until stopped."""
    limit_malloc_arenas()
    runtime = build_for_serve(settings, policy, http=http)
    from bot.scheduler import start_scheduler

    scheduler = start_scheduler(
        runtime, policy, runtime.ctx.clock, runtime.ctx.desk_channel, runtime.ctx.managers_channel
    )
    freeze_startup_objects()
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
    finally:
        if runtime.after_ack is not None:
            runtime.after_ack.drain()  # what was acked is done before we go
        scheduler.shutdown(wait=False)
    return 0
