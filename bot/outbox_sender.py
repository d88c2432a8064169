"""The sender: claims outbox rows with a lease, posts them to Slack, marks them sent.

Transient Slack failures keep a row pending with backoff; permanent ones mark it failed
and tell the desk channel once. Nothing is retried forever and nothing vanishes.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot import outbox_extras
from bot.clock import Clock

# The feature builders register their templates with handlers.blocks.templates at import.
from handlers.blocks import alerts as _alerts  # noqa: F401
from handlers.blocks import messages as _messages  # noqa: F401
from handlers.blocks.templates import render
from storage import outbox
from storage.db import session_scope
from storage.outbox import Pending

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
MAX_BACKOFF = timedelta(minutes=10)
CLAIM_BATCH = 20  # rows leased at a time
# Before a row is posted: a reason to drop it, a trimmed row to post instead (a digest whose
# items are partly done), or None to post it as it is.
MootCheck = Callable[[Pending], str | Pending | None]


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxSender:
    """Deliver what the outbox holds; safe to run in several processes at once."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        clock: Clock,
        *,
        site_tz: ZoneInfo,
        desk_channel: str | None,
        moot: MootCheck | None = None,
        lease: timedelta = timedelta(seconds=60),
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.clock = clock
        self.site_tz = site_tz
        self.desk_channel = desk_channel
        self.moot = moot
        self.lease = lease
        self.owner = owner or f"sender-{uuid.uuid4().hex[:12]}"
        self._lock = threading.Lock()
        self._dm_channels: dict[str, str] = {}

    def deliver_due(self, *, max_rounds: int = 50) -> DeliveryStats:
        """Send every row that is due now; return what happened."""
        stats = DeliveryStats()
        with self._lock:
            for _ in range(max_rounds):
                claimed = outbox.claim(
                    self.engine,
                    now=self.clock.now(),
                    owner=self.owner,
                    lease=self.lease,
                    limit=CLAIM_BATCH,
                )
                failed_before = stats.failed
                for row in claimed:
                    self._deliver(row, stats)
                # A short batch means nothing more was due (rows written since come with a
                # wake of their own), unless a failure here wrote the desk a notice to send.
                if len(claimed) < CLAIM_BATCH and stats.failed == failed_before:
                    break
        return stats

    def _deliver(self, row: Pending, stats: DeliveryStats) -> None:
        verdict = self.moot(row) if self.moot else None
        if isinstance(verdict, str):
            outbox.mark_dropped(self.engine, row.id, owner=self.owner, reason=verdict)
            stats.dropped += 1
            return
        if verdict is not None:
            row = verdict
        try:
            channel, thread_ts = self._where(row)
        except _NotYet:
            self._retry(row, stats, "waiting for the parent post", timedelta(seconds=5))
            return
        try:
            text, blocks = render(row.template, row.params, self.site_tz)
            if channel is None:
                channel = self._open_dm(row.target)
            response = outbox_extras.post(
                self.client, row, channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
            )
        except SlackApiError as error:
            self._slack_error(row, stats, error)
            return
        except OSError as error:  # connection refused, reset, timed out
            self._retry(row, stats, f"connection: {error}", None)
            return
        posted = {"channel": str(response["channel"]), "ts": str(response["ts"])}
        now = self.clock.now()
        # One transaction: the row is sent and its post remembered for redaction, or neither.
        # A post made after this sender's lease lapsed is remembered all the same.
        with self.engine.begin() as connection:
            outbox.mark_sent(connection, row.id, owner=self.owner, now=now, **posted)
            outbox_extras.remember(connection, row, now=now, **posted)
        stats.sent += 1

    def _where(self, row: Pending) -> tuple[str | None, str | None]:
        """The channel to post in (None: open a DM) and the thread to post under."""
        if row.thread_key:
            with session_scope(self.engine) as session:
                parent = outbox.row_state(session, row.thread_key)
            if parent is not None and parent.state == "pending":
                raise _NotYet
            if parent is not None and parent.state == "sent" and parent.channel and parent.ts:
                return parent.channel, parent.ts
        if row.target[:1] in ("U", "W"):
            return None, None
        return row.target, None

    def _open_dm(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            response = self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(response["channel"]["id"])
        return self._dm_channels[user_id]

    def _slack_error(self, row: Pending, stats: DeliveryStats, error: SlackApiError) -> None:
        response: Any = error.response
        status = getattr(response, "status_code", 200)
        name = str(response.get("error", "")) if response is not None else ""
        if status == 429 or status >= 500 or name in TRANSIENT_ERRORS:
            retry_after = response.headers.get("Retry-After") if response is not None else None
            wait = timedelta(seconds=int(retry_after)) if retry_after else None
            self._retry(row, stats, f"{status} {name}".strip(), wait)
            return
        outbox.mark_failed(self.engine, row.id, owner=self.owner, error=name or str(status))
        stats.failed += 1
        stats.errors.append(name)
        log.error(
            "outbox row %s (%s → %s) failed for good: %s", row.key, row.template, row.target, name
        )
        if row.template != "delivery_failed" and self.desk_channel:
            with session_scope(self.engine) as session:
                outbox.enqueue(
                    session,
                    key=f"failed:{row.key}",
                    template="delivery_failed",
                    target=self.desk_channel,
                    params={"template": row.template, "target": row.target, "error": name},
                    now=self.clock.now(),
                )

    def _retry(
        self, row: Pending, stats: DeliveryStats, error: str, wait: timedelta | None
    ) -> None:
        attempts = row.attempts + 1
        if wait is None:
            wait = min(timedelta(seconds=5 * 2 ** min(attempts - 1, 10)), MAX_BACKOFF)
        outbox.mark_retry(
            self.engine,
            row.id,
            owner=self.owner,
            at=self.clock.now() + wait,
            attempts=attempts,
            error=error,
        )
        stats.retried += 1
        log.warning("outbox row %s will be retried in %s: %s", row.key, wait, error)


class _NotYet(Exception):
    """The post this one threads under has not been sent yet."""
