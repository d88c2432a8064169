"""The app factory: builds the Bolt App, the handler context and the outbox sender."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.domain.clock import Clock, RequestClock
from bot.domain.config import Policy
from bot.domain.roles import Roles
from bot.domain.sweep import outbox_moot
from bot.runtime.outbox_sender import OutboxSender
from bot.runtime.slack_http import PooledWebClient, pooled_respond
from bot.runtime.task_runner import TaskRun, TaskRunner
from bot.runtime.warm_up import warm_up
from handlers.commands.desk_report import REPORT_TASK, send_report_files
from handlers.context import HandlerContext
from handlers.directory import Directory
from handlers.home import publish_home
from handlers.registry import register_all
from handlers.security import ReplayGuard, RequestGuard, install_log_redaction
from handlers.transaction import ARRIVED, ARRIVED_AT
from storage.touched import HOME_TASK

log = logging.getLogger(__name__)


CLAIM_LEASE = timedelta(seconds=15)
TASK_LEASE = timedelta(seconds=30)  # a report's chart takes a few seconds; a Home refresh less


@dataclass
class Runtime:
    """Everything a running Front Desk is made of."""

    app: App
    ctx: HandlerContext
    sender: OutboxSender
    client: WebClient
    tasks: TaskRunner
    # Send what the outbox holds and run the tasks that are due (Home refreshes, reports):
    # what a worker does each time it is woken, and a scheduled round after its jobs.
    deliver_now: Callable[[], object]


def stamp_arrival(monotonic: Callable[[], float], clock: Clock) -> Callable[..., None]:
    """Bolt middleware: note when the request arrived, for the deadline before COMMIT and as the
    request's now — when the HTTP front read it (its `X-Frontdesk-Arrived` stamp, never later
    than now), else now."""

    def middleware(req: Any, context: Any, next: Callable[[], None]) -> None:  # noqa: A002
        now = monotonic()
        stamped = (req.headers.get("x-frontdesk-arrived") or [None])[0]
        try:
            arrived = min(float(stamped), now) if stamped else now
        except ValueError:
            arrived = now
        context[ARRIVED] = arrived
        context[ARRIVED_AT] = clock.now() - timedelta(seconds=now - arrived)
        next()

    return middleware


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
    signing_secret: str,
    api_url: str | None = None,
    desk_channel: str,
    managers_channel: str,
    listener_executor: Executor | None = None,
    app_id: str | None = None,
) -> Runtime:
    """Wire a Front Desk: the Bolt app and its listeners, and the outbox sender."""
    warm_up(policy, clock)  # before any request: the first command has Slack's 3 s too
    client = make_client(token, api_url, retries=True)
    sender = OutboxSender(
        engine,
        make_client(token, api_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=desk_channel,
        moot=outbox_moot(engine, clock),
        # About one post's timeout and a margin (the sender extends it before each post): the
        # rows a killed worker had claimed go to another within ~15 s, not a minute.
        lease=CLAIM_LEASE,
    )
    roles = Roles(
        managers=frozenset(policy.roles.managers),
        reception=frozenset(policy.roles.reception),
        managers_channel=managers_channel,
    )
    ctx = HandlerContext(
        engine=engine,
        clock=RequestClock(clock),  # a request's now: the instant it arrived
        policy=policy,
        roles=roles,
        desk_channel=desk_channel,
        managers_channel=managers_channel,
        directory=Directory(client, engine=engine, clock=clock).kept_fresh(),
        deliver=lambda: None,  # set below, once the Home tabs can be published
    )
    runs: dict[str, TaskRun] = {
        HOME_TASK: lambda params: publish_home(ctx, client, str(params["user_id"])),
        REPORT_TASK: lambda params: send_report_files(ctx, params),
    }
    task_runner = TaskRunner(engine, clock, runs, lease=TASK_LEASE, desk_channel=desk_channel)

    def deliver_now() -> None:
        try:
            sender.deliver_due()
        finally:  # a failure sending the outbox never holds back the tasks
            if task_runner.run_due():
                sender.deliver_due()  # what the tasks left (a report's files)

    # At once by default (the console, the tests); `serve` wakes its worker instead.
    ctx.deliver = deliver_now
    app = App(
        client=client,
        # Fails closed: every HTTP request's signature is checked (Socket Mode's are not signed;
        # there the request id and the workspace check stand in).
        signing_secret=signing_secret,
        request_verification_enabled=True,
        token_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        listener_executor=listener_executor,
    )
    # After Bolt's signature check: refuse replays and other workspaces' or apps' requests.
    replays = ReplayGuard()
    app.use(RequestGuard(replays=replays, app_id=app_id))
    app.use(pooled_respond)
    app.use(stamp_arrival(lambda: ctx.monotonic(), clock))  # read at each request: injectable
    install_log_redaction([token, signing_secret])
    register_all(app, ctx)
    return Runtime(
        app=app,
        ctx=ctx,
        sender=sender,
        client=client,
        tasks=task_runner,
        deliver_now=deliver_now,
    )
