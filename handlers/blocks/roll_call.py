"""Block Kit for the roll call (pure builders): built from the stored entries and their marks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.board import Board
from bot.domain.services.roll_call import Shown
from handlers.blocks.common import Block, button, context, section
from handlers.text import channel_text, date_token, esc, mention, plural

ACCOUNTED = "rollcall_accounted"  # action ids stay: posted roll calls carry them
LABEL_LIMIT = 500  # RollCallEntry.label
PER_POST = 41  # Slack takes at most 50 blocks in a message; the first post has two more


def _name(names: Mapping[str, str], user_id: str) -> str:
    return f"*{esc(names.get(user_id) or user_id)}*"


def labels(
    board: Board, names: Mapping[str, str], visitors: Sequence[Any], tz: ZoneInfo
) -> list[str]:
    """Everyone on site, staff first, as the roll call shows them (safe for a channel)."""
    rows = [f"{_name(names, s.user_id)} (staff)" for s in board.in_office]
    for visit in visitors:
        # The roll call is posted in a channel: a name typed with a number shows without it.
        label = f"*{channel_text(visit.name, tz)}* (visitor, pass {esc(visit.pass_number or '?')}"
        label += f", for {_name(names, visit.host_id)}"
        # Who is with whom, and what help they need to leave (DESIGN.md "The visitor record").
        if getattr(visit, "escort_id", None):
            label += f", with {_name(names, visit.escort_id)}"
        if getattr(visit, "needs", None):
            label += f"; needs: {channel_text(visit.needs[:100], tz)}"
        rows.append((label + ")")[:LABEL_LIMIT])
    return rows


def head(
    board: Board,
    names: Mapping[str, str],
    visitors: Sequence[Any],
    *,
    run_by: str,
    at: Any,
    tz: ZoneInfo,
) -> str:
    """The first post's heading: when, who called it, how many."""
    count = len(board.in_office) + len(visitors)
    return (
        f":rotating_light: *Roll call* at {date_token(at, tz, '{time}')}, called by "
        f"{_name(names, run_by)}: {count} on site "
        f"({len(board.in_office)} staff, {plural(len(visitors), 'visitor')}).\n"
        f"Not on site: {len(board.off_site) + len(board.out_for_day) + len(board.away)} "
        "(off-site or out of office; see `/desk board`)."
    )


def posts(shown: Shown, tz: ZoneInfo) -> list[tuple[str, list[Block]]]:
    """The roll call as it stands, in as many posts as it takes."""
    rows = [_row(entry, tz) for entry in shown.entries]
    chunks = [rows[i : i + PER_POST] for i in range(0, len(rows), PER_POST)] or [[]]
    done = sum(1 for e in shown.entries if e.accounted_by)
    messages: list[tuple[str, list[Block]]] = []
    for number, chunk in enumerate(chunks, start=1):
        blocks: list[Block] = []
        if number == 1:
            blocks.append(section(shown.roll_call.head))
            blocks.append(context(f"{done} of {len(shown.entries)} accounted for"))
        else:
            blocks.append(context(f"Roll call, part {number} of {len(chunks)}"))
        blocks += chunk
        if not rows:
            blocks.append(section("Nobody is on site."))
        messages.append((f"Roll call: {done} of {len(shown.entries)} accounted for", blocks))
    return messages


def _row(entry: Any, tz: ZoneInfo) -> Block:
    row = section(f"• {entry.label}")
    row["block_id"] = f"rc_{entry.id}"
    if entry.accounted_by:
        at = date_token(entry.accounted_at, tz, "{time}")
        row["text"]["text"] += (
            f"  :white_check_mark: accounted for by {mention(entry.accounted_by)} at {at}"
        )
    else:
        action_id = f"{ACCOUNTED}_{entry.position}"
        row["accessory"] = button("Accounted for", action_id, str(entry.id), style="primary")
    return row
