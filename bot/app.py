"""The app factory: builds the Bolt App, the handler context and the outbox sender."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Policy
from bot.outbox_sender import OutboxSender
from bot.roles import Roles
from bot.slack_http import PooledWebClient, pooled_respond
from bot.sweep import outbox_moot
from handlers.context import HandlerContext
from handlers.directory import Directory
from handlers.home import HomeRefresher
from handlers.registry import register_all
from handlers.security import ReplayGuard, RequestGuard, install_log_redaction
from storage import touched

log = logging.getLogger(__name__)


class WorkRunner(Protocol):
    """Where listeners' work after the ack goes (`ctx.run_after_ack`) under `serve`."""

    def __call__(self, work: Callable[[], object]) -> None: ...

    def drain(self) -> None: ...


@dataclass
class Runtime:
    """Everything a running Front Desk is made of."""

    app: App
    ctx: HandlerContext
    sender: OutboxSender
    client: WebClient
    homes: HomeRefresher
    # After work done on this thread (a scheduled round): send the outbox, then republish
    # the Home of everyone the work touched, before returning.
    deliver_now: Callable[[], object]
    after_ack: WorkRunner | None = None  # under serve: drained before the process exits


SETTLE_SECONDS = 0.2


class BackgroundDelivery:
    """Sends the outbox and republishes Home tabs on a thread of its own; `ctx.deliver()` only
    wakes it (wakes coalesce).

    Under `serve`, a listener then frees its Bolt worker as soon as its own work is stored and
    answered, instead of waiting for Slack posts (and for the sender's lock, held by another
    worker's delivery): Bolt runs every listener, and so every ack, on that small pool.
    """

    def __init__(self, deliver: Callable[[], object]) -> None:
        self._deliver = deliver
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self._thread.start()

    def __call__(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # Let a burst of commands land first: one round then sends all their posts and
            # republishes each person's Home once, instead of once per command.
            time.sleep(SETTLE_SECONDS)
            self._wake.clear()
            try:
                self._deliver()
            except Exception:
                log.exception("delivering the outbox failed; the next scheduled round retries")


class AfterAck:
    """The pool listeners hand their work to once they have acked (`ctx.after_ack`).

    Bolt runs every listener, ack included, on its own pool; work done there after the ack
    competes for the interpreter with the next requests' acks, and many threads doing it at
    once multiply the waits. A pool of a few workers keeps that work queued instead, in order,
    and Bolt's workers free for acks.
    """

    def __init__(self, workers: int, *, backlog: int = 100) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-ack")
        # At most `backlog` pieces of work queued or running: past that, a listener waits here
        # (its ack already sent), Bolt's workers fill, and the next acks wait for one. Overload
        # then slows the acks instead of growing an unbounded queue in memory.
        self._room = threading.BoundedSemaphore(backlog)

    def __call__(self, work: Callable[[], object]) -> None:
        self._room.acquire()
        future = self._pool.submit(self._logged, work)
        future.add_done_callback(lambda _: self._room.release())

    @staticmethod
    def _logged(work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:  # guarded() answers users; this is what escaped it
            log.exception("work after an ack failed")

    def drain(self) -> None:
        """Finish the work already queued (on shutdown)."""
        self._pool.shutdown(wait=True)


def make_client(token: str, base_url: str | None, *, retries: bool) -> WebClient:
    """A Web API client; `retries` adds backoff on 429 and 5xx for interactive calls."""
    client = PooledWebClient(token=token, timeout=10)
    if base_url:
        client.base_url = base_url
    if retries:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
        client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    return client


def build_runtime(
    *,
    engine: Engine,
    clock: Clock,
    policy: Policy,
    token: str,
    signing_secret: str | None,
    api_url: str | None = None,
    desk_channel: str,
    managers_channel: str,
    process_before_response: bool = False,
    listener_executor: Executor | None = None,
    app_id: str | None = None,
    deliver_in_background: bool = False,
    after_ack: WorkRunner | None = None,
) -> Runtime:
    """Wire a Front Desk: the Bolt app and its listeners, and the outbox sender."""
    client = make_client(token, api_url, retries=True)
    sender = OutboxSender(
        engine,
        make_client(token, api_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=desk_channel,
        moot=outbox_moot(engine),
    )
    roles = Roles(
        managers=frozenset(policy.roles.managers), reception=frozenset(policy.roles.reception)
    )
    ctx = HandlerContext(
        engine=engine,
        clock=clock,
        policy=policy,
        roles=roles,
        desk_channel=desk_channel,
        managers_channel=managers_channel,
        directory=Directory(client),
        deliver=lambda: None,  # set below, once the Home tabs can be published
    )
    if after_ack is not None:
        ctx.run_after_ack = after_ack
    homes = HomeRefresher(ctx, client)

    def send_then_publish() -> None:
        sender.deliver_due()
        homes.publish()

    def deliver_now() -> None:
        homes.refresh(touched.drain())  # who this thread's committed work touched
        send_then_publish()

    if deliver_in_background:
        background = BackgroundDelivery(send_then_publish)

        def deliver_later() -> None:
            homes.refresh(touched.drain())  # here: the drain is per thread
            background()

        ctx.deliver = deliver_later
    else:
        ctx.deliver = deliver_now
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        listener_executor=listener_executor,
    )
    # After Bolt's signature check: refuse replays and other workspaces' or apps' requests.
    replays = ReplayGuard() if signing_secret is not None else None
    app.use(RequestGuard(replays=replays, app_id=app_id))
    app.use(pooled_respond)
    install_log_redaction([token, signing_secret])
    register_all(app, ctx)
    return Runtime(
        app=app,
        ctx=ctx,
        sender=sender,
        client=client,
        homes=homes,
        deliver_now=deliver_now,
        after_ack=after_ack,
    )
