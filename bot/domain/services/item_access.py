"""Who may act on an item (DESIGN.md, "Who may do what"); a refusal says who may."""

from __future__ import annotations

from bot.domain.roles import Refusal, Roles
from storage.models import Item


def may_act(roles: Roles, item: Item, user_id: str) -> bool:
    """The owner, the desk for the desk's items, and managers for anyone's."""
    if roles.is_manager(user_id):
        return True
    if item.owner_id is not None:
        return item.owner_id == user_id
    return roles.is_desk(user_id) and not roles.owns_for_managers(item.owner_channel)


def require_may_act(roles: Roles, item: Item, user_id: str, action: str) -> None:
    """Refuse unless `user_id` may act on `item`; the refusal names who may."""
    if may_act(roles, item, user_id):
        return
    if item.owner_id is not None:
        raise Refusal(f"Only <@{item.owner_id}>, who has it, and managers may {action}.")
    if roles.owns_for_managers(item.owner_channel):
        raise Refusal(f"Only managers may {action}: the managers have it.")
    raise Refusal(f"Only reception and managers may {action} for the desk.")


def require_may_take(roles: Roles, item: Item, user_id: str) -> None:
    """Refuse unless `user_id` may take `item` over: the desk's items, or anyone's for managers."""
    if roles.is_manager(user_id):
        return
    if item.owner_id is None and roles.is_desk(user_id):
        if roles.owns_for_managers(item.owner_channel):
            raise Refusal("Only managers may take the managers' items.")
        return
    if item.owner_id is None:
        raise Refusal("Only reception and managers may take the desk's items.")
    raise Refusal(
        "Only managers may take someone else's item (reception and managers may take the desk's)."
    )
