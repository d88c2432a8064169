"""Who covers for whom: out-of-office backups and the desk channel (stub until /ooo lands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.services.windows import Owner


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
    """Who takes an item meant for `intended_id` at `now`."""
    return Cover(owner=Owner(user_id=intended_id), intended_id=intended_id)
