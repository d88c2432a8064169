"""Block Kit for the closing-time list of visitors still on site (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, actions, button, context, section
from handlers.blocks.visitor_record import no_show_lines
from handlers.blocks.visitors import SINCE_FORMAT
from handlers.text import channel_text, date_token, esc, mention, plural

SIGNED_OUT, STAYS = "closing_signed_out", "closing_stays"


def closing_post(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk channel's list at closing: a row per visitor, with their two buttons."""
    visitors = params.get("visitors", [])
    closing = date_token(datetime.fromisoformat(str(params["closing_at"])), tz, "{time}")
    still = plural(len(visitors) + int(params.get("more", 0)), "visitor")
    head = (
        f":fire_extinguisher: *Closing time ({closing}): {still} still signed in.* "
        "Sign each out, or confirm they are staying."
    )
    if not visitors and not params.get("more"):
        head = f":fire_extinguisher: *Closing time ({closing}): nobody is signed in.*"
    blocks: list[Block] = [section(head)]
    for visitor in visitors:
        visit_id = str(visitor["visit_id"])
        who = f"*{channel_text(str(visitor['name']), tz)}*"
        if visitor.get("organisation"):
            who += f" ({channel_text(str(visitor['organisation']), tz)})"
        since = (
            date_token(datetime.fromisoformat(str(visitor["arrived_at"])), tz, SINCE_FORMAT)
            if visitor.get("arrived_at")
            else "?"
        )
        blocks.append(
            section(
                f"• {esc(str(visitor.get('pass_number') or ''))} {who} for "
                f"{mention(str(visitor['host_id']))}, since {since}"
            )
        )
        blocks.append(
            actions(
                f"closing_{visit_id}",
                button("Signed out", f"{SIGNED_OUT}_{visit_id}", visit_id, style="primary"),
                button("Staying", f"{STAYS}_{visit_id}", visit_id),
            )
        )
    if params.get("more"):
        blocks.append(context(f"…and {params['more']} more: `/visitor list` shows everyone."))
    no_shows = no_show_lines(params.get("no_shows", []), tz)
    if no_shows is not None:
        blocks.append(no_shows)
    return f"Closing time: {plural(len(visitors), 'visitor')} still signed in", blocks


def mark_answered(blocks: Sequence[Block], visit_id: int, line: str) -> list[Block]:
    """The list with one visitor's buttons replaced by what was decided."""
    return [
        context(line) if block.get("block_id") == f"closing_{visit_id}" else dict(block)
        for block in blocks
    ]
