"""`/desk mine`: my open items, soonest due first."""

from __future__ import annotations

from bot.domain.services.item_summary import ItemSummary, open_items_of
from handlers.blocks.alerts import what
from handlers.blocks.common import Block, context, section
from handlers.commands.desk import DeskCall, add_verb
from handlers.context import HandlerContext
from handlers.replies import ephemeral
from handlers.text import date_token
from storage.db import session_scope

USAGE = "• `/desk mine` (your open items and when each is due)"
MAX_LINES = 40


def mine_blocks(found: list[ItemSummary], ctx: HandlerContext, user_id: str) -> list[Block]:
    """One line per item: what, and its due time (overdue ones marked)."""
    if not found:
        return [section(":sparkles: You have no open items.")]
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    lines = []
    for summary in found[:MAX_LINES]:
        mark = ":red_circle: overdue, was due" if summary.state == "breached" else "due"
        lines.append(f"• {what(summary.params())} — {mark} {date_token(summary.due_at, tz)}")
    blocks: list[Block] = []
    text = f"*Your open items ({len(found)})*"
    for line in lines:
        if len(text) + len(line) + 1 > 2900:  # a section holds 3000 characters
            blocks.append(section(text))
            text = ""
        text = f"{text}\n{line}" if text else line
    blocks.append(section(text))
    if len(found) > MAX_LINES:
        blocks.append(context(f"and {len(found) - MAX_LINES} more"))
    return blocks


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """List the caller's open items."""
    with session_scope(ctx.engine) as session:
        found = open_items_of(session, call.user_id)
    call.respond(**ephemeral(f"{len(found)} open items", mine_blocks(found, ctx, call.user_id)))


add_verb(("mine",), USAGE, run)
