"""Who covers for whom: out-of-office backups, then a teammate who is in, then the desk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.services import board
from bot.domain.services.windows import Owner
from bot.domain.teams import NO_TEAMS, TeamBook
from storage import absences


@dataclass(frozen=True)
class Cover:
    """Where an item for `intended_id` goes, and why."""

    owner: Owner
    intended_id: str
    away_until: datetime | None = None  # set when the intended person is out of office
    chain: tuple[str, ...] = ()  # everyone passed over on the way (all out)
    team: str | None = None  # set when a teammate covers: the team they cover from

    @property
    def redirected(self) -> bool:
        return self.owner.user_id != self.intended_id


def cover_for(
    session: Session,
    *,
    intended_id: str,
    now: datetime,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
) -> Cover:
    """Who takes an item meant for `intended_id` at `now`.

    Someone out of office is covered by their backup; a backup who is out too is covered by
    theirs, and so on. A chain that ends with nobody named, or comes back on itself, goes to a
    teammate of theirs who is in (the team's lead first), and only then to the desk channel.
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
    mate = first_in(session, teams.teammates(intended_id), now=now, passed_over=chain)
    if mate is not None:
        team = teams.team_of(intended_id)
        return Cover(Owner(user_id=mate), intended_id, absence.until, tuple(chain), team)
    return Cover(Owner(channel=desk_channel), intended_id, absence.until, tuple(chain))


def team_owner(
    session: Session, *, team_id: str, now: datetime, desk_channel: str, teams: TeamBook
) -> Owner:
    """`team:<id>` as an owner: the lead if in, else the first member who is in, else the desk."""
    team = teams.teams.get(team_id)
    found = first_in(session, team.cover_order() if team else (), now=now)
    return Owner(user_id=found) if found else Owner(channel=desk_channel)


def first_in(
    session: Session, people: Iterable[str], *, now: datetime, passed_over: Iterable[str] = ()
) -> str | None:
    """The first of `people` who is in the office at `now` (the board says "in")."""
    skip = set(passed_over)
    for person in people:
        if person not in skip and board.status_of(session, person, now=now).state == board.IN:
            return person
    return None
