"""One SQLite transaction at a time in this process, handed from thread to thread without polling.

Every transaction on SQLite starts with BEGIN IMMEDIATE (storage/db.py), so only one runs at a
time anyway. Left to SQLite, a thread that finds the file locked sleeps in its busy handler
(1, 2, 5, 10, 15, 20 ms and so on) and looks again, however soon the lock was freed: under load
that polling was the tail of the slash-command acks (bench/ack.py). Here the turn is a lock taken
just before BEGIN and given back when the connection returns to the pool (after its COMMIT or
ROLLBACK), so the next thread starts the moment the last one finishes. SQLite's busy timeout
still guards other processes on the same file, and a turn not had within `timeout` seconds is
gone without (SQLite's own locking is what keeps the data right; this only makes it prompt).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event


class WriterTurns:
    def __init__(self, *, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._holder: object | None = None  # the `info` of the pool entry that has the turn

    def take(self, entry: object) -> None:
        if self._holder is entry:  # a second transaction before the connection went back
            return
        if self._lock.acquire(timeout=self.timeout):
            self._holder = entry

    @property
    def taken(self) -> bool:
        return self._lock.locked()

    def give_back(self, entry: object) -> None:
        if self._holder is entry:
            self._holder = None
            self._lock.release()


_TURNS: weakref.WeakKeyDictionary[Engine, WriterTurns] = weakref.WeakKeyDictionary()


def turns_of(engine: Engine) -> WriterTurns | None:
    return _TURNS.get(engine)


def take_turns(engine: Engine, *, timeout: float) -> WriterTurns:
    """Make `engine`'s transactions wait their turn before BEGIN (register before BEGIN's hook)."""
    turns = _TURNS[engine] = WriterTurns(timeout=timeout)

    @event.listens_for(engine, "begin")
    def _take(connection: Any) -> None:
        turns.take(connection.connection.info)  # the pool entry's own dict

    @event.listens_for(engine, "checkin")
    def _give_back(_dbapi_connection: Any, record: Any) -> None:
        turns.give_back(record.info)

    return turns
