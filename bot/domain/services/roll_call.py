"""The roll call (policy 000, emergencies): who is on site, and who has been accounted for.

The marks live here, not in the posted message: each press marks one entry, under a lock on its
roll call, and the posts are rewritten from what is stored — so two marshals pressing at once
both count, and a payload can only mark an entry of a roll call the bot posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import outbox, roll_calls
from storage.models import RollCall, RollCallEntry


class RollCallNotFound(LookupError):
    """No such entry on any roll call."""


@dataclass(frozen=True)
class Shown:
    roll_call: RollCall
    entries: tuple[RollCallEntry, ...]


def start(
    session: Session,
    *,
    now: datetime,
    channel: str,
    called_by: str,
    head: str,
    labels: Sequence[str],
) -> Shown:
    """Record a roll call of the people `labels` name, in the order they are shown."""
    roll_call = RollCall(channel=channel, called_by=called_by, called_at=now, head=head)
    session.add(roll_call)
    session.flush()
    entries = [
        RollCallEntry(roll_call_id=int(roll_call.id or 0), position=n, label=label)
        for n, label in enumerate(labels)
    ]
    session.add_all(entries)
    session.flush()
    return Shown(roll_call, tuple(entries))


def mark(session: Session, *, entry_id: int, by: str, now: datetime) -> Shown:
    """Mark an entry accounted for (once: a second press keeps the first mark)."""
    entry = session.get(RollCallEntry, entry_id)
    if entry is None:
        raise RollCallNotFound("that person is not on any roll call")
    # One mark at a time per roll call: each rewrite then shows every mark before it.
    roll_call = session.get(RollCall, entry.roll_call_id, with_for_update=True)
    if roll_call is None:
        raise RollCallNotFound("that roll call is no longer on record")
    session.refresh(entry)
    if entry.accounted_by is None:
        entry.accounted_by, entry.accounted_at = by, now
        session.add(entry)
        session.flush()
    return shown(session, roll_call)


def shown(session: Session, roll_call: RollCall) -> Shown:
    return Shown(roll_call, tuple(roll_calls.entries_of(session, roll_call.id)))


def post_key(roll_call_id: int, post: int) -> str:
    """The outbox key of one of a roll call's posts (its rewrites are found through it)."""
    return f"rollcall:{roll_call_id}:{post}"


def posted_ts(session: Session, roll_call_id: int, post: int) -> str | None:
    """The `ts` of a roll call's post once it is sent (None before: nothing to rewrite yet)."""
    posted = outbox.row_state(session, post_key(roll_call_id, post))
    if posted is None or posted.state != "sent" or not posted.ts:
        return None
    return posted.ts
