"""A site's Slack channels, as one value (DESIGN.md "Sites, teams and routing")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channels:
    """Where a site's posts go: its desk channel (sign-ins, unanswered arrivals, items for
    people with no cover) and its managers' channel (breach alerts, escalations, reports)."""

    desk: str
    managers: str

    def of(self, where: str) -> str:
        """The channel called `where`: "desk" or "managers"."""
        return self.desk if where == "desk" else self.managers
