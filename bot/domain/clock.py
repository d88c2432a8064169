"""The one source of time: every module that needs "now" takes a Clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: for tests and the console."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` and return the new instant."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (never backwards)."""
        with self._lock:
            instant = instant.astimezone(UTC)
            if instant > self._now:
                self._now = instant


_ARRIVED: ContextVar[datetime | None] = ContextVar("request_arrived", default=None)


class RequestClock:
    """`clock`, except that while a Slack request is handled on this thread its now is the
    instant the request arrived: a window opened by a command starts when it was sent, not when
    its turn at the database came."""

    def __init__(self, clock: Clock) -> None:
        self.inner = clock

    def now(self) -> datetime:
        arrived = _ARRIVED.get()
        return arrived if arrived is not None else self.inner.now()

    @contextmanager
    def arrived(self, instant: datetime | None) -> Iterator[datetime]:
        """Handle a request that arrived at `instant` (None: now): now() is that instant."""
        at = instant if instant is not None else self.inner.now()
        token = _ARRIVED.set(at)
        try:
            yield at
        finally:
            _ARRIVED.reset(token)
