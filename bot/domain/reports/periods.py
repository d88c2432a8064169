"""Report periods: "this week", "last week", "<from> to <to>" (whole days, site time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_FORM = "`/desk report [this week | last week | <from> to <to>]` (dates as 2026-11-02)"
MAX_DAYS = 400


class PeriodError(ValueError):
    """A period the report cannot use."""


@dataclass(frozen=True)
class Period:
    """Whole days from `first` to `last`, inclusive, in the site's zone."""

    first: date
    last: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants: midnight of `first` to midnight after `last`."""
        start = datetime.combine(self.first, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        return start, end

    @property
    def label(self) -> str:
        if self.first.year == self.last.year:
            return f"{self.first:%a %d %b} – {self.last:%a %d %b %Y}"
        return f"{self.first:%a %d %b %Y} – {self.last:%a %d %b %Y}"


def week_of(day: date) -> Period:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def parse_period(text: str, today: date) -> Period:
    """Read the period of `/desk report` (empty means this week)."""
    phrase = " ".join(text.lower().split())
    if phrase in ("", "this week", "week"):
        return week_of(today)
    if phrase == "last week":
        return week_of(today - timedelta(days=7))
    found = re.fullmatch(r"(?:from\s+)?(\S+)\s+(?:to|until|-|–)\s+(\S+)", phrase)
    if found is None:
        raise PeriodError(f'I could not read "{text.strip()[:60]}" as a period.')
    try:
        first, last = date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2))
    except ValueError:
        raise PeriodError(
            "Give the dates as YYYY-MM-DD, e.g. `2026-11-02 to 2026-11-29`."
        ) from None
    if last < first:
        raise PeriodError("The last day is before the first.")
    if (last - first).days >= MAX_DAYS:
        raise PeriodError(f"A report covers at most {MAX_DAYS} days.")
    return Period(first, last)
