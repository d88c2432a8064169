"""The sender: leases outbox targets, posts their rows to Slack in order, marks them sent.

A target is a channel, or a user to DM. Rows for different targets go out side by side on a
small pool of threads; rows for one target go out one at a time, in the order they were
written (storage/outbox.py leases a target, not a row). Before each post the sender extends
its lease on the target's rows it still holds, and skips the post if it holds them no more.

A crash repeats no post that Slack can be asked about: in the same statement as that
extension the row is marked as being posted (`posting_at`), and every new post carries the
row's key as message metadata. A row that comes back still pending with that mark (its sender was killed, or lost
the connection, after Slack may have taken the post) is first looked for at Slack
(bot/runtime/outbox_recall.py): found, it is marked sent with that message (even when what it
said is moot by now: redaction finds the post by it); not found, posted (or dropped, if moot).
Updates, response_url answers and ephemeral messages are not looked for (an update is the
same however often it is made; the other two leave nothing to find).

Transient Slack failures keep a row pending with backoff (a 429 for as long as its
Retry-After says, after which that target is paced at about a post a second for a while) and
hold back its own target only; anything else wrong with one row (a
permanent Slack error, a template that will not render, a bug) fails that row alone, is
logged, and tells the desk channel once. Nothing is retried forever and nothing vanishes.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.pool import StaticPool

from bot.domain.clock import Clock
from bot.domain.notices import DeliveryFailed, enqueue_notice
from bot.runtime import outbox_extras, outbox_recall
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
SEND_WORKERS = 8  # targets sent to at once
POLL_SECONDS = 0.5  # while targets are in flight, look for newly due rows this often
LEASE_MARGIN = timedelta(seconds=5)  # beyond the client's timeout, for marking the row sent
# Once Slack has answered a target 429, its posts go this far apart (Slack: about one a
# second per channel), for this long after the last 429: the sender keeps to the pace instead
# of meeting a 429 and a Retry-After before every post. Real seconds, as Slack counts them.
PACE_S = 1.05
PACED_FOR_S = 60.0
PACED_ROWS = 3  # a paced target gives its thread back after this many posts (re-claimed at once)
# Before a row is posted: a reason to drop it, a trimmed row to post instead (a digest whose
# items are partly done), or None to post it as it is.
MootCheck = Callable[[Pending], str | Pending | None]


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    skipped: int = 0  # rows another sender took over before this one posted them
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, outcome: str, error: str | None = None, *, rows: int = 1) -> None:
        """Count rows' outcome (from any of the sender's threads)."""
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + rows)
            if error is not None:
                self.errors.append(error)


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
        workers: int = SEND_WORKERS,
    ) -> None:
        self.engine = engine
        self.client = client
        self.clock = clock
        self.site_tz = site_tz
        self.desk_channel = desk_channel
        self.moot = moot
        self.lease = lease
        self.owner = (owner or f"sender-{uuid.uuid4().hex[:12]}")[:48]
        # One connection shared by every thread (SQLite in memory) must not be used by two
        # threads at once: one target at a time there.
        self.workers = 1 if isinstance(engine.pool, StaticPool) else max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._state = threading.Condition()
        self._running = False
        self._more = False  # a caller came while a delivery was running: claim again
        self._changed = threading.Event()  # a target finished, or a caller came
        self._dm_channels: dict[str, str] = {}
        self._claims = itertools.count(1)
        self._pace = _Pace()

    # ---- rounds ------------------------------------------------------------------------------

    def deliver_due(self, *, max_rounds: int = 50, wait: bool = True) -> DeliveryStats:
        """Send every row that is due now; return what happened.

        If this sender is already delivering (on another thread), that delivery is told to
        look again, and this call waits for it to finish (`wait`) or returns at once.
        """
        with self._state:
            if self._running:
                self._more = True
                self._changed.set()
                if wait:
                    self._state.wait_for(lambda: not self._running)
                return DeliveryStats()
            self._running = True
        try:
            return self._deliver_all(max_rounds)
        finally:
            with self._state:
                self._running = False
                self._state.notify_all()

    def close(self) -> None:
        """Let the sending threads go (after the last delivery)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _deliver_all(self, max_claims: int) -> DeliveryStats:
        stats = DeliveryStats()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="outbox-send")
        in_flight: set[Future[None]] = set()
        claims = 0
        while True:
            self._changed.clear()  # before looking, so no finish or caller goes unseen
            for future in [f for f in in_flight if f.done()]:
                in_flight.discard(future)
                future.result()  # _send_target logs its own failures; this re-raises none
            found_nothing = False
            while len(in_flight) < self.workers and claims < max_claims:
                # Each claim leases under a name of its own: should a target's lease run out
                # while it waits here and this sender claim it again, the first claim's thread
                # no longer holds it, and only one of them posts.
                lease = _Lease(f"{self.owner}/{next(self._claims)}", stats)
                claimed = outbox.claim(
                    self.engine,
                    now=self.clock.now(),
                    owner=lease.owner,
                    lease=self.lease,
                    limit=CLAIM_BATCH,
                )
                claims += 1 if claimed else 0  # a look that finds nothing costs nothing
                for rows in _by_target(claimed):
                    future = self._pool.submit(self._send_target, rows, lease)
                    future.add_done_callback(lambda _: self._changed.set())
                    in_flight.add(future)
                if len(claimed) < CLAIM_BATCH:
                    found_nothing = not claimed
                    break
            if not in_flight:
                # Done when a claim with nothing in flight found nothing, unless a caller
                # came meanwhile (its rows may have been written after that claim).
                with self._state:
                    more, self._more = self._more, False
                if (found_nothing or claims >= max_claims) and not more:
                    return stats
                if claims >= max_claims:
                    claims = max_claims - 1  # one more look for the caller who came
                continue
            self._changed.wait(POLL_SECONDS)

    def _send_target(self, rows: list[Pending], lease: _Lease) -> None:
        """Post one target's rows in order, while this sender still holds them."""
        remaining = list(rows)
        posted = 0
        try:
            while remaining:
                row = remaining[0]
                now = self.clock.now()
                held = outbox.extend(
                    self.engine,
                    [r.id for r in remaining],
                    owner=lease.owner,
                    until=now + self._post_timeout() + LEASE_MARGIN,
                    posting=row.id,
                    now=now,
                )
                if row.id not in held:
                    log.warning(
                        "outbox row %s (%s → %s) not posted: this sender's lease ran out and "
                        "another sender holds its target now",
                        row.key,
                        row.template,
                        row.target,
                    )
                    lease.stats.add("skipped", rows=len(remaining))
                    return
                go_on = self._deliver(row, lease)
                remaining.pop(0)
                posted += 1
                if not go_on:
                    return
                if self._pace.pacing(row.target) and posted >= PACED_ROWS:
                    return  # a slow target does not keep a thread, or the round, for long
        except Exception:
            log.exception("sending to %s failed; its rows wait for the next round", rows[0].target)
        finally:
            # Whatever this sender did not get to is due again at once, in order (or, if the
            # database cannot be reached, when its lease runs out).
            try:
                outbox.release(self.engine, [r.id for r in remaining], owner=lease.owner)
            except Exception:
                log.exception("could not give back the lease on %d rows", len(remaining))

    def _post_timeout(self) -> timedelta:
        return timedelta(seconds=float(getattr(self.client, "timeout", 30) or 30))

    # ---- one row ----------------------------------------------------------------------------

    def _deliver(self, row: Pending, lease: _Lease) -> bool:
        """Post one row (or drop, retry or fail it); return whether its target may go on."""
        # Whether an earlier attempt may have reached Slack and has not been looked for.
        unsure = row.posting_at is not None
        try:
            verdict = self.moot(row) if self.moot else None
            if isinstance(verdict, str):
                landed = self._posted_before_drop(row) if unsure else None
                if landed is not None:  # moot now, but posted: kept for redaction as sent
                    return self._sent(row, lease, {"channel": landed.channel, "ts": landed.ts})
                outbox.mark_dropped(self.engine, row.id, owner=lease.owner, reason=verdict)
                lease.stats.add("dropped")
                return True
            if verdict is not None:
                row = verdict
            channel, thread_ts = self._where(row)
        except _NotYet:
            wait = timedelta(seconds=5)
            self._retry(row, lease, "waiting for the parent post", wait, unposted=not unsure)
            return False
        except Exception as error:
            return self._fail(row, lease, f"unexpected: {type(error).__name__}", error)
        if row.unreadable is not None:
            return self._fail(row, lease, "unreadable params", None)
        try:
            text, blocks = render(row.template, row.params, self.site_tz)
        except Exception as error:  # a template gone, a key missing: this row alone
            return self._fail(row, lease, f"cannot render: {type(error).__name__}", error)
        try:
            if channel is None:
                channel = self._open_dm(row.target)
            response: Any = None
            if unsure and outbox_recall.looked_for(row):
                looked, landed = outbox_recall.look(
                    self.client, row, channel=channel, thread_ts=thread_ts
                )
                if landed is not None:
                    response = self._found(row, landed)
                unsure = not looked
            if response is None:
                self._pace.wait_turn(row.target)
                response = outbox_extras.post(
                    self.client, row, channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
                )
        except SlackApiError as error:
            return self._slack_error(row, lease, error, unsure=unsure)
        except OSError as error:  # connection refused, reset, timed out
            self._retry(row, lease, f"connection: {error}", None)
            return False
        except Exception as error:
            return self._fail(row, lease, f"unexpected: {type(error).__name__}", error)
        return self._sent(row, lease, response)

    def _posted_before_drop(self, row: Pending) -> outbox_recall.Landed | None:
        """The post an earlier attempt made for a row now moot, if Slack shows one."""
        if not outbox_recall.looked_for(row):
            return None
        otherwise = "dropping it as moot (if it was posted, redaction will not find it)"
        try:
            channel, thread_ts = self._where(row)
            channel = channel or self._open_dm(row.target)
        except _NotYet:  # its parent post is still pending: this one was not posted
            return None
        except Exception as error:  # no DM to look in: said, as a failed look is
            log.warning(
                "outbox row %s (%s → %s): could not find where to look for an earlier post "
                "(%s: %s); %s",
                row.key,
                row.template,
                row.target,
                type(error).__name__,
                error,
                otherwise,
            )
            return None
        _, landed = outbox_recall.look(
            self.client, row, channel=channel, thread_ts=thread_ts, otherwise=otherwise
        )
        if landed is not None:
            log.info(
                "outbox row %s (%s → %s) is moot, but was posted (%s %s): marked sent",
                row.key,
                row.template,
                row.target,
                landed.channel,
                landed.ts,
            )
        return landed

    def _found(self, row: Pending, landed: outbox_recall.Landed) -> dict[str, str]:
        """The row was posted by an earlier attempt: upload what it carries; that post."""
        log.info(
            "outbox row %s (%s → %s) was already posted (%s %s): marked sent, not posted again",
            row.key,
            row.template,
            row.target,
            landed.channel,
            landed.ts,
        )
        # The attempt may have stopped before the files: better uploaded twice than never.
        outbox_extras.upload_files(self.client, row, channel=landed.channel)
        return {"channel": landed.channel, "ts": landed.ts}

    def _sent(self, row: Pending, lease: _Lease, response: Any) -> bool:
        posted = {
            "channel": str(response.get("channel") or ""),
            "ts": str(response.get("ts") or ""),
        }
        now = self.clock.now()
        # One transaction: the row is sent and its post remembered for redaction, or neither.
        # A post made after this sender's lease lapsed is remembered all the same.
        with self.engine.begin() as connection:
            marked = outbox.mark_sent(connection, row.id, owner=lease.owner, now=now, **posted)
            if posted["channel"] and posted["ts"]:
                outbox_extras.remember(connection, row, now=now, **posted)
        lease.stats.add("sent")
        if not marked:
            log.warning(
                "outbox row %s (%s → %s) was posted but could not be marked sent: this "
                "sender's lease had run out (another sender may post it again, unless it "
                "finds this post first)",
                row.key,
                row.template,
                row.target,
            )
            return False
        return True

    def _where(self, row: Pending) -> tuple[str | None, str | None]:
        """The channel to post in (None: open a DM) and the thread to post under."""
        if row.params.get("response_url"):
            return "", None  # outbox_extras.post answers through the response_url
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

    def _slack_error(
        self, row: Pending, lease: _Lease, error: SlackApiError, *, unsure: bool
    ) -> bool:
        """`unsure`: an earlier attempt may have posted the row (it was not looked for)."""
        response: Any = error.response
        status = getattr(response, "status_code", 200)
        name = str(response.get("error", "")) if response is not None else ""
        refused = status == 429 or name == "ratelimited"
        if refused:
            self._pace.refused(row.target)
        if refused or status >= 500 or name in TRANSIENT_ERRORS:
            retry_after = response.headers.get("Retry-After") if response is not None else None
            wait = timedelta(seconds=float(retry_after)) if retry_after else None
            # A rate limit refuses the post whole; a 5xx may come after it was taken, and an
            # upload's failure comes after the post.
            unposted = refused and not unsure and not row.params.get("files")
            self._retry(row, lease, f"{status} {name}".strip(), wait, unposted=unposted)
            return False
        return self._fail(row, lease, name or str(status), None)

    def _fail(self, row: Pending, lease: _Lease, error: str, cause: Exception | None) -> bool:
        """Give up on this row alone, say so in the log, and tell the desk once."""
        marked = outbox.mark_failed(self.engine, row.id, owner=lease.owner, error=error)
        lease.stats.add("failed", error)
        log.error(
            "outbox row %s (%s → %s) failed for good: %s",
            row.key,
            row.template,
            row.target,
            error,
            exc_info=cause,
        )
        if not marked:
            log.warning("outbox row %s: its lease had run out before it was marked failed", row.key)
            return False
        if row.template != "delivery_failed" and self.desk_channel:
            with session_scope(self.engine) as session:
                enqueue_notice(
                    session,
                    DeliveryFailed(template=row.template, target=row.target, error=error),
                    key=f"failed:{row.key}",
                    target=self.desk_channel,
                    now=self.clock.now(),
                )
        return True

    def _retry(
        self,
        row: Pending,
        lease: _Lease,
        error: str,
        wait: timedelta | None,
        *,
        unposted: bool = False,
    ) -> None:
        """Try the row again later; `unposted`: no attempt so far can have reached Slack."""
        attempts = row.attempts + 1
        if wait is None:
            wait = min(timedelta(seconds=5 * 2 ** min(attempts - 1, 10)), MAX_BACKOFF)
        outbox.mark_retry(
            self.engine,
            row.id,
            owner=lease.owner,
            at=self.clock.now() + wait,
            attempts=attempts,
            error=error,
            unposted=unposted,
        )
        lease.stats.add("retried")
        log.warning("outbox row %s will be retried in %s: %s", row.key, wait, error)


class _Pace:
    """Keeps a target that Slack has rate-limited to about a post a second, for a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paced_until: dict[str, float] = {}
        self._next_turn: dict[str, float] = {}

    def refused(self, target: str) -> None:
        """Slack said 429 to `target`: pace it from now on, for a while."""
        with self._lock:
            self._paced_until[target] = time.monotonic() + PACED_FOR_S

    def pacing(self, target: str) -> bool:
        """Whether `target` is being paced."""
        with self._lock:
            return self._paced_until.get(target, 0.0) > time.monotonic()

    def wait_turn(self, target: str) -> None:
        """Return when `target` may be posted to (at once unless it is being paced)."""
        with self._lock:
            now = time.monotonic()
            if self._paced_until.get(target, 0.0) <= now:
                self._paced_until.pop(target, None)
                self._next_turn.pop(target, None)
                return
            turn = max(now, self._next_turn.get(target, now))
            self._next_turn[target] = turn + PACE_S
        if turn > now:
            time.sleep(turn - now)


@dataclass(frozen=True)
class _Lease:
    """The name one claim leased its rows under, and where its rows' outcomes are counted."""

    owner: str
    stats: DeliveryStats


def _by_target(rows: list[Pending]) -> list[list[Pending]]:
    """The claimed rows, one list per target, each in the order written."""
    groups: dict[str, list[Pending]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        groups.setdefault(row.target, []).append(row)
    return list(groups.values())


class _NotYet(Exception):
    """The post this one threads under has not been sent yet."""
