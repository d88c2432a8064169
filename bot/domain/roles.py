"""Who may do what (DESIGN.md, "Who may do what")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    STAFF = "staff"
    RECEPTION = "reception"
    MANAGER = "manager"


@dataclass(frozen=True)
class Roles:
    """The role lists of the policy file."""

    managers: frozenset[str]
    reception: frozenset[str]
    # Items a routing rule gave to "managers" are owned by this channel: managers' alone.
    managers_channel: str | None = None

    def owns_for_managers(self, owner_channel: str | None) -> bool:
        """Whether an item owned by `owner_channel` is the managers' (not the desk's)."""
        return owner_channel is not None and owner_channel == self.managers_channel

    def of(self, user_id: str) -> Role:
        """The highest role `user_id` holds."""
        if user_id in self.managers:
            return Role.MANAGER
        if user_id in self.reception:
            return Role.RECEPTION
        return Role.STAFF

    def is_desk(self, user_id: str) -> bool:
        """Reception or a manager: may log visitors and act for the desk channel."""
        return self.of(user_id) in (Role.RECEPTION, Role.MANAGER)

    def is_manager(self, user_id: str) -> bool:
        """A manager."""
        return self.of(user_id) is Role.MANAGER


class Refusal(Exception):
    """An action the user's role does not allow; the message says who may."""


DESK_ONLY = "Only reception and managers may {action}."
MANAGERS_ONLY = "Only managers may {action}."


def require_desk(roles: Roles, user_id: str, action: str) -> None:
    """Refuse unless `user_id` is reception or a manager."""
    if not roles.is_desk(user_id):
        raise Refusal(DESK_ONLY.format(action=action))


def require_manager(roles: Roles, user_id: str, action: str) -> None:
    """Refuse unless `user_id` is a manager."""
    if not roles.is_manager(user_id):
        raise Refusal(MANAGERS_ONLY.format(action=action))
