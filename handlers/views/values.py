"""Reading a submitted modal's values, whatever the element."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from handlers.replies import UserError
from handlers.text import without_controls

if TYPE_CHECKING:
    from handlers.context import HandlerContext


def value(values: dict[str, Any], block_id: str, *, keep_lines: bool = False) -> str:
    """The submitted value of an input block, as text ("" when empty).

    Reads the block's one element, whatever its action_id: a text input's value, a picked
    user, a picked option's value or a picked date.
    """
    block = values.get(block_id) or {}
    element: dict[str, Any] = next(iter(block.values()), {}) if block else {}
    option = element.get("selected_option") or {}
    found = (
        element.get("value")
        or element.get("selected_user")
        or option.get("value")
        or element.get("selected_date")
        or ""
    )
    found = without_controls(str(found))
    if keep_lines:
        lines = found.strip().splitlines()
        return "\n".join(" ".join(line.split()) for line in lines).strip()
    return " ".join(found.split())


def checked(values: dict[str, Any], block_id: str) -> bool:
    """Whether a checkbox block had any box ticked."""
    block = values.get(block_id) or {}
    element: dict[str, Any] = next(iter(block.values()), {}) if block else {}
    return bool(element.get("selected_options"))


def known(ctx: HandlerContext, user_id: str, errors: dict[str, str], block: str) -> bool:
    """Whether the directory knows `user_id`; if it could not tell, say so on `block`."""
    try:
        return ctx.directory.get(user_id) is not None
    except UserError as error:  # Slack could not be asked just now
        errors[block] = error.message[:150]
        return False


def picked_person(ctx: HandlerContext, ack: Any, view: dict[str, Any], block: str) -> str | None:
    """Who was picked in the users menu `block` (its action id is the same), or None once the
    form is acked with the error beside it."""
    selected = view["state"]["values"].get(block, {}).get(block, {})
    person = str(selected.get("selected_user") or "")
    errors: dict[str, str] = {}
    if not person or not known(ctx, person, errors, block):
        errors.setdefault(block, "Choose someone in this workspace.")
        ack(response_action="errors", errors=errors)
        return None
    return person


def picked_day(picked: str, errors: dict[str, str], block_id: str) -> date | None:
    """A datepicker's day (None if none), or an error beside `block_id`."""
    if not picked:
        return None
    try:
        return date.fromisoformat(picked)
    except ValueError:
        errors[block_id] = "Pick a date."
        return None
