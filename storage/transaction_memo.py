"""What a storage module remembers for the rest of a transaction (in `session.info`, under a
key of its own): forgotten as soon as the transaction writes a row of a model it was read from
(a flush, or storage.rows.insert_new), and when the transaction ends."""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from storage import rows

_KEPT: dict[str, tuple[type, ...]] = {}


def kept_until_written(key: str, *models: type) -> str:
    """Register `key`: `session.info[key]` is dropped once one of `models` is written."""
    _KEPT[key] = models
    return key


def forget(session: Session, key: str) -> None:
    """Drop what is kept under `key` now (a write the listeners below do not see)."""
    session.info.pop(key, None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context: Any) -> None:
    held = [key for key in _KEPT if key in session.info]
    if not held:
        return
    written = {type(o) for o in chain(session.new, session.dirty, session.deleted)}
    for key in held:
        if any(issubclass(kind, _KEPT[key]) for kind in written):
            session.info.pop(key, None)


@rows.after_insert
def _inserted(session: Session, obj: Any) -> None:
    for key, models in _KEPT.items():
        if isinstance(obj, models):
            session.info.pop(key, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_over(session: Session) -> None:
    for key in _KEPT:
        session.info.pop(key, None)
