"""Block Kit for the in/out board and the roll call (pure builders)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.board import OFF_SITE, OUT_FOR_DAY, Board, Status
from handlers.blocks.common import Block, button, context, section
from handlers.blocks.lists import line_sections
from handlers.text import channel_text, date_token, esc, mention, plural

IN_USAGE = "• `/desk in` (you are in the office)"
OUT_USAGE = "• `/desk out back <when>` (e.g. `back 3pm`) or `/desk out for the day`"
BOARD_USAGE = "• `/desk board` (who is in, off-site and out of office)"
ROLL_CALL_USAGE = "• `/desk roll-call` (everyone on site, with an *Accounted for* button each)"
OUT_FORM = "`/desk out back <when>` or `/desk out for the day`"
MESSAGE_BLOCKS = 45  # Slack takes at most 50 blocks in a message
ACCOUNTED = "rollcall_accounted"
_RESERVED_BLOCKS = 4


def whereabouts_note(status: Status, tz: ZoneInfo) -> str:
    """For the receptionist: the board's word on someone who is off-site ("" when in).

    Out of office is not here: that is cover routing, which says where the item went.
    """
    if status.back_at is None:
        return ""
    if status.state == OFF_SITE:
        return (
            f":car: {mention(status.user_id)} is off-site, back {date_token(status.back_at, tz)}."
        )
    if status.state == OUT_FOR_DAY:
        return (
            f":house: {mention(status.user_id)} is out for the day, "
            f"back {date_token(status.back_at, tz)}."
        )
    return ""


def _name(names: Mapping[str, str], user_id: str) -> str:
    return f"*{esc(names.get(user_id) or user_id)}*"


def board_lines(board: Board, names: Mapping[str, str], tz: ZoneInfo) -> list[str]:
    """The board as lines, grouped as the sign-in board is."""
    lines: list[str] = []
    in_office = ", ".join(_name(names, s.user_id) for s in board.in_office) or "_nobody_"
    lines.append(f":office: *In the office ({len(board.in_office)})*: {in_office}")
    lines.append(f":car: *Off-site, returning ({len(board.off_site)})*")
    lines += [
        f"    • {_name(names, s.user_id)}, back {date_token(s.back_at, tz)}"
        for s in board.off_site
        if s.back_at
    ] or ["    _nobody_"]
    lines.append(f":house: *Off-site for the day ({len(board.out_for_day)})*")
    lines += [f"    • {_name(names, s.user_id)}" for s in board.out_for_day] or ["    _nobody_"]
    lines.append(f":palm_tree: *Out of office ({len(board.away)})*")
    lines += [_away_line(s, names, tz) for s in board.away] or ["    _nobody_"]
    return lines


def _away_line(status: Status, names: Mapping[str, str], tz: ZoneInfo) -> str:
    back = date_token(status.back_at, tz, "{date_long_pretty}") if status.back_at else "?"
    cover = _name(names, status.backup_id) if status.backup_id else "the front desk"
    return f"    • {_name(names, status.user_id)} until {back} (backup: {cover})"


def board_blocks(board: Board, names: Mapping[str, str], tz: ZoneInfo) -> list[Block]:
    """`/desk board`."""
    return [section("*The in/out board*")] + line_sections(
        board_lines(board, names, tz), max_blocks=MESSAGE_BLOCKS
    )


def roll_call_messages(
    board: Board,
    names: Mapping[str, str],
    visitors: Sequence[Any],
    *,
    run_by: str,
    now: datetime,
    tz: ZoneInfo,
) -> list[tuple[str, list[Block]]]:
    """The roll call: everyone on site with an *Accounted for* button, in as many posts as it takes."""
    people: list[Block] = []
    for status in board.in_office:
        people.append(
            _person_row(f"staff:{status.user_id}", f"{_name(names, status.user_id)} (staff)")
        )
    for visit in visitors:
        # The roll call is posted in a channel: a name typed with a number shows without it.
        label = f"*{channel_text(visit.name, tz)}* (visitor, pass {esc(visit.pass_number or '?')}"
        label += f", for {_name(names, visit.host_id)})"
        people.append(_person_row(f"visit:{visit.id}", label))
    for index, row in enumerate(people):
        row["accessory"]["action_id"] = f"{ACCOUNTED}_{index}"
    head = (
        f":rotating_light: *Roll call* at {date_token(now, tz, '{time}')}, called by "
        f"{_name(names, run_by)}: {len(people)} on site "
        f"({len(board.in_office)} staff, {plural(len(visitors), 'visitor')})."
    )
    elsewhere = [
        f"Not on site: {len(board.off_site) + len(board.out_for_day) + len(board.away)} "
        "(off-site or out of office; see `/desk board`)."
    ]
    per_message = MESSAGE_BLOCKS - _RESERVED_BLOCKS
    chunks = [people[i : i + per_message] for i in range(0, len(people), per_message)] or [[]]
    messages: list[tuple[str, list[Block]]] = []
    for number, chunk in enumerate(chunks, start=1):
        blocks: list[Block] = []
        if number == 1:
            blocks.append(section(head))
            blocks.append(context(elsewhere[0]))
        elif len(chunks) > 1:
            blocks.append(context(f"Roll call, part {number} of {len(chunks)}"))
        blocks += chunk
        if not people:
            blocks.append(section("Nobody is on site."))
        messages.append(("Roll call", blocks))
    return messages


def _person_row(value: str, label: str) -> Block:
    row = section(f"• {label}")
    row["block_id"] = f"rc_{value.replace(':', '_')}"
    row["accessory"] = button("Accounted for", ACCOUNTED, value, style="primary")
    return row


def mark_accounted(
    blocks: Sequence[Block], action_id: str, *, by_name: str, at: datetime, tz: ZoneInfo
) -> list[Block]:
    """The roll call with the row of `action_id` marked accounted for (by whom, when)."""
    marked: list[Block] = []
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == action_id:
            text = str(block["text"]["text"])
            text += (
                f"  :white_check_mark: accounted for by *{esc(by_name)}* "
                f"at {date_token(at, tz, '{time}')}"
            )
            block = {k: v for k, v in block.items() if k != "accessory"}
            block = {**block, "text": {**block["text"], "text": text}}
        marked.append(block)
    return marked


def accounted_count(blocks: Sequence[Block]) -> tuple[int, int]:
    """(accounted for, on the list) in one roll-call post."""
    rows = [b for b in blocks if re.match(r"^rc_", str(b.get("block_id", "")))]
    return sum(1 for b in rows if "accessory" not in b), len(rows)
