"""Who covers for whom: out-of-office backups, and the desk channel when there is none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.services.windows import Owner
from storage import absences


@dataclass(frozen=True)
class Cover:
    """Where an item for `intended_id` goes, and why."""

    owner: Owner
    intended_id: str
    away_until: datetime | None = None  # set when the intended person is out of office
    chain: tuple[str, ...] = ()  # everyone passed over on the way (all out)

    @property
    def redirected(self) -> bool:
        return self.owner.user_id != self.intended_id


def cover_for(session: Session, *, intended_id: str, now: datetime, desk_channel: str) -> Cover:
    """Who takes an item meant for `intended_id` at `now`.

    Someone out of office is covered by their backup; a backup who is out too is covered by
    theirs, and so on. A chain that ends with nobody named, or comes back on itself, ends at
    the desk channel.
    """
    absence = absences.current(session, intended_id, now=now)
    if absence is None:
        return Cover(owner=Owner(user_id=intended_id), intended_id=intended_id)
    chain = [intended_id]
    backup = absence.backup_id
    while backup is not None and backup not in chain:
        onward = absences.current(session, backup, now=now)
        if onward is None:
            return Cover(Owner(user_id=backup), intended_id, absence.until, tuple(chain))
        chain.append(backup)
        backup = onward.backup_id
    return Cover(Owner(channel=desk_channel), intended_id, absence.until, tuple(chain))
