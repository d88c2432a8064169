"""Runs the durable tasks (storage.tasks): claims due rows with a lease, runs each, marks it.

Wiring: the runners for each kind are handed in by the app factory (a Home refresh publishes
a view, a report renders its files), so any worker on any replica runs any task. A task that
raises is retried with backoff and, after MAX_ATTEMPTS, marked failed and logged; the other
tasks of the batch still run; the desk is told once of a task that failed for good.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from bot.domain.clock import Clock
from bot.domain.notices import TaskFailed, enqueue_notice
from storage import request_log, tasks
from storage.db import session_scope

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_BATCH = 20
# How long a handled request's id is kept: Slack refuses a signature older than five minutes.
REMEMBER_REQUESTS = timedelta(minutes=10)
PRUNE_EVERY_S = 60.0

TaskRun = Callable[[dict[str, Any]], object]


class TaskRunner:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        runs: Mapping[str, TaskRun],
        *,
        lease: timedelta = timedelta(seconds=120),
        owner: str | None = None,
        desk_channel: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.runs = dict(runs)
        self.lease = lease
        self.owner = owner or f"tasks-{uuid.uuid4().hex[:12]}"
        self.desk_channel = desk_channel
        self._lock = threading.Lock()
        self._pruned_at = -PRUNE_EVERY_S

    def run_due(self, *, max_rounds: int = 20) -> int:
        """Run every task due now; return how many were run."""
        ran = 0
        with self._lock:
            self._prune()
            for _ in range(max_rounds):
                claimed = tasks.claim(
                    self.engine,
                    now=self.clock.now(),
                    owner=self.owner,
                    lease=self.lease,
                    limit=CLAIM_BATCH,
                )
                for task in claimed:
                    self._run(task)
                    ran += 1
                if len(claimed) < CLAIM_BATCH:
                    break
        return ran

    def _run(self, task: tasks.Claimed) -> None:
        run = self.runs.get(task.kind)
        try:
            if run is None:
                raise LookupError(f"no runner for task kind {task.kind!r}")
            run(task.params)
        except Exception as error:
            give_up = run is None or task.attempts + 1 >= MAX_ATTEMPTS
            wait = timedelta(seconds=5 * 2**task.attempts)
            if give_up:
                log.exception("task %s (%s) failed for good", task.key, task.kind)
            else:
                log.warning(
                    "task %s (%s) will be retried in %s: %s", task.key, task.kind, wait, error
                )
            tasks.retry(
                self.engine,
                task,
                owner=self.owner,
                at=self.clock.now() + wait,
                error=f"{type(error).__name__}: {error}",
                give_up=give_up,
            )
            if give_up:
                self._tell_desk(task, type(error).__name__)
            return
        tasks.finish(self.engine, task, owner=self.owner, now=self.clock.now())

    def _tell_desk(self, task: tasks.Claimed, error: str) -> None:
        """The desk hears once of a task given up on (someone is waiting for it)."""
        if not self.desk_channel:
            return
        with session_scope(self.engine) as session:
            enqueue_notice(
                session,
                TaskFailed(
                    kind=task.kind, target=str(task.params.get("user_id") or ""), error=error
                ),
                key=f"failed:task:{task.key}:{task.seq}",
                target=self.desk_channel,
                now=self.clock.now(),
            )

    def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = time.monotonic()
        try:
            with session_scope(self.engine) as session:
                request_log.forget_before(session, self.clock.now() - REMEMBER_REQUESTS)
        except Exception:
            log.exception("could not prune the handled requests; the next round retries")
