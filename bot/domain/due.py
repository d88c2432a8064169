"""`frontdesk due`: when is a window that starts at START due?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.durations import parse_duration

_START = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?",
    re.IGNORECASE,
)
_START_FORMS = (
    '"YYYY-MM-DD HH:MM" in site time, or ISO 8601 with an offset such as'
    ' "2026-11-27T16:30:00-05:00"'
)


def parse_start(text: str, tz: ZoneInfo) -> datetime:
    """Read START as site time ("2026-11-27 16:30") or ISO 8601 with an offset; return UTC."""
    cleaned = text.strip().upper()
    if not _START.fullmatch(cleaned):
        raise ValueError(f'"{text}" is not a start time (use {_START_FORMS})')
    if cleaned[12] == ":":
        cleaned = f"{cleaned[:11]}0{cleaned[11:]}"  # "2026-11-27 9:30" -> "... 09:30"
    try:
        start = datetime.fromisoformat(cleaned.replace(" ", "T", 1).replace(" ", ""))
    except ValueError as exc:
        raise ValueError(f'"{text}" is not a start time: {exc}') from exc
    if start.tzinfo is None:
        # Site time; zoneinfo's fold=0 reads a skipped time forward by the gap and a repeated
        # time as its first occurrence, as DESIGN.md asks.
        start = start.replace(tzinfo=tz)
    return start.astimezone(UTC)


def due_instant(calendar: BusinessCalendar, start_text: str, window_text: str) -> str:
    """Return the due instant of WINDOW from START as ISO 8601 with the site's offset."""
    start = parse_start(start_text, calendar.tz)
    window = parse_duration(window_text)
    return calendar.add(start, window).astimezone(calendar.tz).isoformat()


def run_batch(calendar: BusinessCalendar, lines: Iterable[str]) -> tuple[list[str], bool]:
    """Answer START<TAB>WINDOW lines one per line; the flag is False if any line was bad."""
    answers: list[str] = []
    all_good = True
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            answers.append(f'error: expected START<TAB>WINDOW, got "{line.strip()}"')
            all_good = False
            continue
        try:
            answers.append(due_instant(calendar, fields[0], fields[1]))
        except ValueError as exc:
            answers.append(f"error: {exc}")
            all_good = False
    return answers, all_good
