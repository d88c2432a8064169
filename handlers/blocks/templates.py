"""What each outbox template looks like: template name → Block Kit builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks import closing, ooo, visitors
from handlers.blocks.common import Block, section
from handlers.text import esc

Builder = Callable[[dict[str, Any], ZoneInfo], tuple[str, list[Block]]]

_BUILDERS: dict[str, Builder] = {
    "visitor_arrived_dm": visitors.arrival_dm,
    "visitor_expected_dm": visitors.expected_dm,
    "visitor_signin": visitors.signin_post,
    "visitor_host_response": lambda params, _tz: visitors.host_response_reply(params),
    "ooo_while_you_were_out": ooo.while_you_were_out,
    "closing_on_site": closing.closing_post,
}


def register(template: str, builder: Builder) -> None:
    """Add a template (features register theirs at import)."""
    _BUILDERS[template] = builder


def delivery_failed(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk is told once when a post could not be delivered at all."""
    text = (
        f":warning: I could not deliver a *{esc(str(params['template']))}* post to "
        f"`{esc(str(params['target']))}`: Slack said `{esc(str(params['error']))}`."
    )
    return text, [section(text)]


_BUILDERS["delivery_failed"] = delivery_failed


def render(template: str, params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Build (fallback text, blocks) for an outbox row."""
    try:
        builder = _BUILDERS[template]
    except KeyError:
        raise KeyError(f"no builder for outbox template {template!r}") from None
    return builder(params, tz)
