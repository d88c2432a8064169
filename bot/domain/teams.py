"""Teams and routing rules of the policy file (DESIGN "Sites, teams and routing").

`[teams.<id>]` names the members, an optional lead and site; a person's first team in the file
is their team. `[[routing]]` rules send new enquiries and messages taken without a recipient to
an owner by what they are; the first rule that matches wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

OWNER_FORM = '"@U…", "team:<id>", "managers" or "desk"'
_USER = re.compile(r"^(?:<@)?@?(U[A-Z0-9]+)(?:\|[^>]*)?>?$")
_TEAM_OWNER = re.compile(r"^team:([A-Za-z0-9_.-]+)$")


def user_id_of(value: str) -> str:
    """`U0ALICE`, `@U0ALICE` or `<@U0ALICE>` → `U0ALICE`; ValueError otherwise."""
    found = _USER.match(value.strip())
    if found is None:
        raise ValueError(f'"{value}" is not a Slack user ID such as "U0ALICE"')
    return found.group(1)


@dataclass(frozen=True)
class RouteTo:
    """Where a rule sends things: a person, a team, the managers' channel, or the desk."""

    user_id: str | None = None
    team: str | None = None
    managers: bool = False
    desk: bool = False

    def __str__(self) -> str:
        if self.user_id:
            return f"@{self.user_id}"
        if self.team:
            return f"team:{self.team}"
        return "managers" if self.managers else "desk"


def parse_owner(value: str) -> RouteTo:
    """Read a rule's `to`; ValueError naming the right forms otherwise."""
    text = value.strip()
    if text.lower() == "managers":
        return RouteTo(managers=True)
    if text.lower() == "desk":
        return RouteTo(desk=True)
    team = _TEAM_OWNER.match(text)
    if team is not None:
        return RouteTo(team=team.group(1))
    if text.startswith(("@", "<@", "U")):
        try:
            return RouteTo(user_id=user_id_of(text))
        except ValueError:
            pass
    raise ValueError(f'"{value}" is not an owner: use {OWNER_FORM}')


@dataclass(frozen=True)
class Team:
    """A team: members in the file's order, its lead (who covers first) and its site."""

    id: str
    members: tuple[str, ...]
    lead: str | None = None
    site: str | None = None

    def cover_order(self) -> tuple[str, ...]:
        """Who is asked to cover, in turn: the lead first, then the members as listed."""
        first = (self.lead,) if self.lead else ()
        return tuple(dict.fromkeys((*first, *self.members)))


@dataclass(frozen=True)
class Thing:
    """What is being routed: a message or an enquiry, as the rules see it."""

    kind: str  # message | complaint | question | request
    channel: str | None = None  # an enquiry's channel; "phone" for a message
    summary: str = ""
    team: str | None = None  # the team of whoever logged it


@dataclass(frozen=True)
class Rule:
    """One `[[routing]]` rule (conditions left out match anything)."""

    to: RouteTo
    kind: str | None = None
    channel: str | None = None
    about: str | None = None
    team: str | None = None
    number: int = 0  # its place in the file, from 1

    def matches(self, thing: Thing) -> bool:
        """Whether every condition the rule sets holds for `thing`."""
        if self.kind is not None and self.kind != thing.kind:
            return False
        if self.channel is not None and self.channel != thing.channel:
            return False
        if self.team is not None and self.team != thing.team:
            return False
        return self.about is None or _words_in(self.about, thing.summary)

    def describe(self) -> str:
        """`rule 2 (complaint about "invoice")`: why something went where it went."""
        parts = [p for p in (self.kind, f"via {self.channel}" if self.channel else None) if p]
        if self.about:
            parts.append(f'about "{self.about}"')
        if self.team:
            parts.append(f"from team {self.team}")
        return f"routing rule {self.number}" + (f" ({' '.join(parts)})" if parts else "")


def _words_in(words: str, summary: str) -> bool:
    """Every word of `words` is a word of `summary` (case-insensitive)."""
    said = set(re.findall(r"\w+", summary.casefold()))
    return all(word in said for word in re.findall(r"\w+", words.casefold()))


@dataclass(frozen=True)
class TeamBook:
    """The policy's teams and routing rules, as cover and routing use them."""

    teams: Mapping[str, Team] = field(default_factory=dict)
    rules: Sequence[Rule] = ()

    def team_of(self, user_id: str | None) -> str | None:
        """The first team in the file that `user_id` belongs to (as member or lead)."""
        if user_id is None:
            return None
        for team in self.teams.values():
            if user_id in team.members or user_id == team.lead:
                return team.id
        return None

    def teammates(self, user_id: str) -> tuple[str, ...]:
        """Who may cover for `user_id` from their team, in turn (lead first); not themselves."""
        team_id = self.team_of(user_id)
        if team_id is None:
            return ()
        return tuple(p for p in self.teams[team_id].cover_order() if p != user_id)

    def route(self, thing: Thing) -> Rule | None:
        """The first rule that matches `thing`, if any."""
        return next((rule for rule in self.rules if rule.matches(thing)), None)


NO_TEAMS = TeamBook()
