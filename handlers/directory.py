"""People, read from the directory table (kept fresh by the directory job and by events).

The ack path asks Slack nothing it can read from the database. A person the table has never
heard of costs one `users.info`, capped at `QUICK_TIMEOUT_S` and never retried, whose answer is
stored; if Slack cannot answer, the user is told to try again (`UserError`) and nothing is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine

from bot.domain.clock import Clock
from bot.domain.services import directory_sync, people
from bot.domain.services.people import KnownPerson
from handlers.replies import UserError
from handlers.text import mention
from storage.db import session_scope

log = logging.getLogger(__name__)

QUICK_TIMEOUT_S = 1
# In front of the table, per process: short, since an event handled by another replica updates
# only the table.
CACHE_SECONDS = 60.0
LIST_PAGE = 200
# Slack's answers for someone it will not describe to us: not a person we can find.
NOT_FOUND = frozenset({"user_not_found", "users_not_found", "user_not_visible"})
# What a Slack call that did not answer raises: an error answer (ratelimited, 5xx, …), no
# connection, a timeout (an OSError), or a body that is not JSON.
SLACK_FAILED = (SlackClientError, OSError, ValueError)


@dataclass(frozen=True)
class Person:
    id: str
    handle: str
    real_name: str
    tz: str | None
    is_bot: bool = False
    deleted: bool = False

    def zone(self, fallback: ZoneInfo) -> ZoneInfo:
        """The person's own zone, or `fallback` when Slack has none for them."""
        if not self.tz:
            return fallback
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return fallback


def quick_client(client: WebClient, timeout: int = QUICK_TIMEOUT_S) -> WebClient:
    """A client like `client` (of its class: pooled connections under `serve`) for the ack
    path: `timeout` seconds, and no retries at all."""
    return type(client)(
        token=client.token, base_url=client.base_url, timeout=timeout, retry_handlers=[]
    )


class Directory:
    """Look people up by user ID; someone not in the workspace (or a bot, or gone) is None."""

    def __init__(
        self,
        client: WebClient,
        *,
        engine: Engine,
        clock: Clock,
        quick: WebClient | None = None,
        cache_seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client  # the job's listing: the usual timeout and retries
        self.quick = quick or quick_client(client)  # a miss on the ack path
        self.engine = engine
        self.clock = clock
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, Person | None]] = {}
        self._lock = threading.Lock()

    def kept_fresh(self) -> Directory:
        """Make this the directory the `directory` job refreshes from `users.list`; return it."""
        directory_sync.serve(self.engine, self)
        return self

    def get(self, user_id: str) -> Person | None:
        """The person, or None if Slack does not know them (or they are a bot or gone).

        Raises UserError ("could not check … try again") when they are not in the table and
        Slack cannot be asked just now.
        """
        cached = self._cached(user_id)
        if cached is not None:
            return cached[1]
        # Two scopes, not one around the Slack call: outside a request's transaction that
        # would hold SQLite's one writer for as long as Slack takes (inside one, both join it).
        with session_scope(self.engine) as session:
            known = people.lookup(session, user_id)
        if known is None:
            known = self._ask_slack(user_id)
            if known is not None:
                with session_scope(self.engine) as session:
                    people.remember(session, [known], now=self.clock.now())
        person = _person(known) if known is not None else None
        self._keep(user_id, person)
        return person

    def zone_of(self, user_id: str, fallback: ZoneInfo) -> ZoneInfo:
        """Where `user_id` reads times (raises UserError as `get` does)."""
        person = self.get(user_id)
        return person.zone(fallback) if person else fallback

    def everyone(self) -> list[Person]:
        """Everyone in the workspace as the directory holds them, bots and the departed left out.

        A directory never listed (a new install, before the job's first run) is filled from
        `users.list` first; if Slack cannot answer, it holds whom it has met so far.
        """
        with session_scope(self.engine) as session:
            listed = people.ever_listed(session)
        if not listed:
            as_of = self.clock.now()
            try:
                workspace = self.list_everyone(self.quick)
            except SLACK_FAILED as error:
                log.warning("users.list failed (%s): the directory holds whom it has met", error)
            else:
                with session_scope(self.engine) as session:
                    people.replace_all(session, workspace, now=as_of)
        with session_scope(self.engine) as session:
            found = [
                Person(id=r.id, handle=r.handle, real_name=r.real_name, tz=r.tz)
                for r in people.everyone(session)
            ]
        for person in found:
            self._keep(person.id, person)
        return found

    def remember(self, user: dict[str, Any]) -> Person | None:
        """Store a user object Slack sent (an event); return them as a Person, None if a bot."""
        known = known_person(user)
        if known is not None:
            with session_scope(self.engine) as session:
                people.remember(session, [known], now=self.clock.now())
        person = _person(known) if known is not None else None
        self._keep(str(user.get("id", "")), person)
        return person

    def list_everyone(self, client: WebClient | None = None) -> list[KnownPerson]:
        """The workspace as `users.list` gives it, every page; bots left out, the departed kept
        (marked deleted). Raises what the client raises if Slack cannot answer."""
        client = client or self.client
        listed: list[KnownPerson] = []
        cursor: str | None = None
        while True:
            response = client.users_list(cursor=cursor, limit=LIST_PAGE)
            members: list[dict[str, Any]] = response.get("members") or []
            listed.extend(p for user in members if (p := known_person(user)) is not None)
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return listed

    def _ask_slack(self, user_id: str) -> KnownPerson | None:
        try:
            user = self.quick.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") in NOT_FOUND:
                return None
            log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
            raise _could_not_check(user_id) from error
        except SLACK_FAILED as error:
            log.warning("users.info %s failed: %r", user_id, error)
            raise _could_not_check(user_id) from error
        return known_person(user)

    def _cached(self, user_id: str) -> tuple[float, Person | None] | None:
        with self._lock:
            cached = self._cache.get(user_id)
        if cached is not None and self._monotonic() - cached[0] < self._cache_seconds:
            return cached
        return None

    def _keep(self, user_id: str, person: Person | None) -> None:
        with self._lock:
            self._cache[user_id] = (self._monotonic(), person)


def _could_not_check(user_id: str) -> UserError:
    return UserError(f"I could not check {mention(user_id)} just now — try again.")


def known_person(user: dict[str, Any]) -> KnownPerson | None:
    """A Slack user object as the directory keeps it; None for bots (never people)."""
    if user.get("is_bot") or user.get("id") == "USLACKBOT":
        return None
    return KnownPerson(
        id=user["id"],
        handle=user.get("name") or user["id"],
        real_name=user.get("real_name") or (user.get("profile") or {}).get("real_name") or "",
        tz=user.get("tz") or None,
        deleted=bool(user.get("deleted")),
    )


def _person(known: KnownPerson) -> Person | None:
    """The directory's record as a Person; None for someone gone."""
    if known.deleted:
        return None
    return Person(id=known.id, handle=known.handle, real_name=known.real_name, tz=known.tz)
