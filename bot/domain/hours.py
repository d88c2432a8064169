"""Opening hours in the `site.hours` grammar: "mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00"."""

from __future__ import annotations

import re
from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_INDEX = {name: i for i, name in enumerate(DAY_NAMES)} | {
    name: i for i, name in enumerate(_FULL_DAY_NAMES)
}
_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
_EXAMPLE = '"mon-fri 09:00-17:00; sat 10:00-14:00" or "24x7"'

DayRanges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WeeklyHours:
    """The opening hours of each weekday (0 = Monday) as sorted (start, end) minutes of the day."""

    always_open: bool
    ranges: tuple[DayRanges, ...]

    def __str__(self) -> str:
        if self.always_open:
            return "24x7"
        groups = [
            f"{DAY_NAMES[day]} {','.join(f'{_hhmm(s)}-{_hhmm(e)}' for s, e in day_ranges)}"
            for day, day_ranges in enumerate(self.ranges)
            if day_ranges
        ]
        return "; ".join(groups)


ALWAYS_OPEN = WeeklyHours(always_open=True, ranges=(((0, MINUTES_PER_DAY),),) * 7)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_days(spec: str, group: str) -> list[int]:
    days: list[int] = []
    for item in spec.split(","):
        first, _, last = item.partition("-")
        if first not in _DAY_INDEX or (last and last not in _DAY_INDEX):
            raise ValueError(f'"{group}": expected days like "mon-fri" or "mon,wed", got "{spec}"')
        start = _DAY_INDEX[first]
        end = _DAY_INDEX[last] if last else start
        # A range wraps round the week: "fri-mon" is Friday to Monday.
        days.extend((start + i) % 7 for i in range((end - start) % 7 + 1))
    return days


def _parse_range(spec: str, group: str) -> tuple[int, int]:
    match = _RANGE.fullmatch(spec)
    if match is None:
        raise ValueError(f'"{group}": expected HH:MM-HH:MM, got "{spec}"')
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(f'"{group}": "{spec}" is not a time of day (00:00 to 24:00)')
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end <= start:
        raise ValueError(
            f'"{group}": "{spec}" ends before it starts (a range cannot cross midnight;'
            " end it at 24:00 and start the next day at 00:00)"
        )
    return start, end


def parse_hours(text: str) -> WeeklyHours:
    """Parse opening hours such as "mon-fri 09:00-17:00" or "24x7"."""
    cleaned = " ".join(text.lower().split())
    if cleaned in ("24x7", "24/7"):
        return ALWAYS_OPEN
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    groups = [group.strip() for group in cleaned.split(";") if group.strip()]
    if not groups:
        raise ValueError(f'"{text}": no opening hours (use {_EXAMPLE})')
    for group in groups:
        days_spec, _, ranges_spec = group.partition(" ")
        ranges_spec = ranges_spec.replace(" ", "")
        if not ranges_spec:
            raise ValueError(f'"{group}": expected days then HH:MM-HH:MM ranges (use {_EXAMPLE})')
        day_ranges = [_parse_range(spec, group) for spec in ranges_spec.split(",")]
        for day in _parse_days(days_spec, group):
            week[day].extend(day_ranges)
    for day, day_ranges in enumerate(week):
        day_ranges.sort()
        for (_, end), (start, next_end) in zip(day_ranges, day_ranges[1:], strict=False):
            if start < end:
                raise ValueError(
                    f'"{text}": on {DAY_NAMES[day]} {_hhmm(start)}-{_hhmm(next_end)}'
                    " overlaps another range"
                )
    return WeeklyHours(always_open=False, ranges=tuple(tuple(r) for r in week))
