"""Routing: where a new enquiry, or a message taken with no recipient, goes by what it is.

The first `[[routing]]` rule that matches wins; an explicit recipient (`for @x`) is never
routed. A rule naming a person sends it to them or whoever covers for them; `team:<id>` to the
lead if in, else the first member who is in, else the desk; `managers` to the managers'
channel; `desk` to the desk channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.services.cover import Cover, cover_for, team_owner
from bot.domain.services.windows import Owner
from bot.domain.teams import Rule, TeamBook, Thing


@dataclass(frozen=True)
class Places:
    """The channels an item can be routed to."""

    desk_channel: str
    managers_channel: str


@dataclass(frozen=True)
class Routed:
    """Where it went, and why (the receptionist is told both)."""

    owner: Owner
    rule: Rule | None  # None: no rule matched, the default took it
    person_id: str | None = None  # the person a rule (or the default) named
    team: str | None = None  # the team a `team:<id>` rule named
    cover: Cover | None = None  # the named person is away: who covers

    @property
    def reason(self) -> str:
        """Why: `routing rule 1 (complaint)`, or `no routing rule matched`."""
        return self.rule.describe() if self.rule else "no routing rule matched"


def route(
    session: Session,
    *,
    thing: Thing,
    now: datetime,
    teams: TeamBook,
    places: Places,
    default_person: str | None = None,
) -> Routed:
    """Apply the routing rules to `thing`; with no match, `default_person` (or the desk)."""
    rule = teams.route(thing)
    if rule is None:
        if default_person is None:
            return Routed(Owner(channel=places.desk_channel), None)
        return _to_person(session, default_person, None, now, teams, places)
    to = rule.to
    if to.user_id is not None:
        return _to_person(session, to.user_id, rule, now, teams, places)
    if to.team is not None:
        owner = team_owner(
            session, team_id=to.team, now=now, desk_channel=places.desk_channel, teams=teams
        )
        return Routed(owner, rule, team=to.team)
    if to.managers:
        return Routed(Owner(channel=places.managers_channel), rule)
    return Routed(Owner(channel=places.desk_channel), rule)


def _to_person(
    session: Session,
    person: str,
    rule: Rule | None,
    now: datetime,
    teams: TeamBook,
    places: Places,
) -> Routed:
    cover = cover_for(
        session, intended_id=person, now=now, desk_channel=places.desk_channel, teams=teams
    )
    return Routed(cover.owner, rule, person_id=person, cover=cover)


def item_team(
    teams: TeamBook, *, intended_id: str | None, owner: Owner, routed_team: str | None = None
) -> str | None:
    """The team an item opens with: the team it was routed to, else the team of the person it
    was meant for, else of whoever has it."""
    return routed_team or teams.team_of(intended_id) or teams.team_of(owner.user_id)
