"""Block Kit for the in/out board and the roll call (pure builders)."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.domain.services.board import OFF_SITE, OUT_FOR_DAY, Board, Status
from handlers.blocks.common import Block, section
from handlers.blocks.lists import line_sections
from handlers.text import date_token, esc, mention

IN_USAGE = "• `/desk in` (you are in the office)"
OUT_USAGE = "• `/desk out back <when>` (e.g. `back 3pm`) or `/desk out for the day`"
BOARD_USAGE = (
    "• `/desk board` (who is in, off-site and out of office at your site), "
    "`/desk board all` (every site)"
)
ROLL_CALL_USAGE = "• `/desk roll-call` (everyone on site, with an *Accounted for* button each)"
OUT_FORM = "`/desk out back <when>` or `/desk out for the day`"
MESSAGE_BLOCKS = 45  # Slack takes at most 50 blocks in a message


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
    if board.planned:
        lines.append(f":calendar: *Planned absences ({len(board.planned)})*")
        lines += [_planned_line(s, names, tz) for s in board.planned]
    return lines


def _planned_line(status: Status, names: Mapping[str, str], tz: ZoneInfo) -> str:
    start = date_token(status.away_from, tz, "{date_long_pretty}") if status.away_from else "?"
    back = date_token(status.back_at, tz, "{date_long_pretty}") if status.back_at else "?"
    cover = _name(names, status.backup_id) if status.backup_id else "the front desk"
    return f"    • {_name(names, status.user_id)} away from {start} until {back} (backup: {cover})"


def _away_line(status: Status, names: Mapping[str, str], tz: ZoneInfo) -> str:
    back = date_token(status.back_at, tz, "{date_long_pretty}") if status.back_at else "?"
    cover = _name(names, status.backup_id) if status.backup_id else "the front desk"
    return f"    • {_name(names, status.user_id)} until {back} (backup: {cover})"


def board_blocks(
    board: Board, names: Mapping[str, str], tz: ZoneInfo, site_name: str | None = None
) -> list[Block]:
    """`/desk board` (`site_name`: where several sites share a deployment)."""
    head = f"*The in/out board — {esc(site_name)}*" if site_name else "*The in/out board*"
    return [section(head)] + line_sections(board_lines(board, names, tz), max_blocks=MESSAGE_BLOCKS)


def all_boards_blocks(
    boards: list[tuple[str, Board]], names: Mapping[str, str], tz: ZoneInfo
) -> list[Block]:
    """`/desk board all`: each site's board under its name."""
    lines: list[str] = []
    for site_name, board in boards:
        lines.append(f":round_pushpin: *{esc(site_name)}*")
        lines += board_lines(board, names, tz)
    return [section("*The in/out board — every site*")] + line_sections(
        lines, max_blocks=MESSAGE_BLOCKS
    )
