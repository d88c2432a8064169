"""The `directory` job: the whole workspace from Slack's `users.list`, about once an hour.

Between runs, `user_change` and `team_join` events keep the table fresh (handlers.directory_events),
and a person the table has never heard of is fetched on the spot (handlers.directory). The job
is due when the workspace was never listed or last listed `REFRESH_EVERY` ago (`staff.listed_at`),
so replicas and restarts share one schedule: the table's.

The listing is Slack's, so it comes from the wiring: the app factory names the directory that
serves this engine (`serve`); a process without one (no Slack client) leaves the job idle.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from bot.domain.jobs import Job, JobContext
from bot.domain.services import people
from storage.db import session_scope

log = logging.getLogger(__name__)

JOB_ID = "directory"
REFRESH_EVERY = timedelta(hours=1)


class Listing(Protocol):
    """Where the workspace's people come from (Slack's `users.list`, every page)."""

    def list_everyone(self) -> Sequence[people.KnownPerson]: ...


_LISTINGS: weakref.WeakKeyDictionary[Engine, Listing] = weakref.WeakKeyDictionary()


def serve(engine: Engine, listing: Listing) -> None:
    """Refresh `engine`'s directory from `listing` when the job runs (the app factory says so)."""
    _LISTINGS[engine] = listing


def refresh(
    engine: Engine, listing: Listing, *, now: datetime, every: timedelta = REFRESH_EVERY
) -> int | None:
    """Refresh the directory from `listing` if due; return how many were listed (None: not due)."""
    with session_scope(engine) as session:
        if not people.refresh_due(session, now=now, every=every):
            return None
    listed = listing.list_everyone()  # outside any transaction: Slack may take its time
    with session_scope(engine) as session:
        return people.replace_all(session, listed, now=now)


def run(ctx: JobContext) -> None:
    """The job: refresh the directory when due. If Slack cannot answer it raises, and
    bot.domain.jobs.run_job logs it; the table is unchanged and the next round tries again."""
    listing = _LISTINGS.get(ctx.engine)
    if listing is None:
        return
    listed = refresh(ctx.engine, listing, now=ctx.now)
    if listed is not None:
        log.info("directory job: %d people listed by Slack", listed)


def _never(_ctx: JobContext) -> None:
    # The job has nothing a moving clock must stop for: it runs at each round when due.
    return None


JOB = Job(id=JOB_ID, run=run, next_at=_never)
