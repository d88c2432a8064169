"""People as Slack knows them: `users.info`, cached briefly, remembered in storage."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
TTL_SECONDS = 600.0


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


class Directory:
    """Look people up by user ID; a user who is not in the workspace is None."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, Person | None]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> Person | None:
        """The person, or None if Slack does not know them (or they are a bot or gone)."""
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < TTL_SECONDS:
            return cached[1]
        person = self._fetch(user_id)
        with self._lock:
            self._cache[user_id] = (time.monotonic(), person)
        return person

    def zone_of(self, user_id: str, fallback: ZoneInfo) -> ZoneInfo:
        """Where `user_id` reads times."""
        person = self.get(user_id)
        return person.zone(fallback) if person else fallback

    def everyone(self) -> list[Person]:
        """Every person in the workspace (`users.list`, all pages), bots and the departed left out."""
        people: list[Person] = []
        cursor: str | None = None
        while True:
            response = self.client.users_list(cursor=cursor, limit=200)
            members: list[dict[str, Any]] = response.get("members", [])
            for user in members:
                person = _person(user)
                if person is not None:
                    people.append(person)
                    with self._lock:
                        self._cache[person.id] = (time.monotonic(), person)
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return people

    def _fetch(self, user_id: str) -> Person | None:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
        return _person(user)


def _person(user: dict[str, Any]) -> Person | None:
    """A Slack user object as a Person; None for bots and deactivated accounts."""
    person = Person(
        id=user["id"],
        handle=user.get("name", user["id"]),
        real_name=user.get("real_name") or user.get("profile", {}).get("real_name", ""),
        tz=user.get("tz"),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )
    if person.is_bot or person.deleted:
        return None
    return person
