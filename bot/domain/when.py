"""Date phrases people type ("tomorrow 10am", "next Friday"), read in their own zone.

dateparser does most of the work; a few phrases it gets wrong are rewritten first:
"next Friday" is the Friday of next week (plain "Friday" is the coming one), "the 10th" is
the next 10th of a month, "Friday at 9" is 9 o'clock, and a bare number is not a date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = (
    r"(mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_NEXT_WEEKDAY = re.compile(rf"^next\s+{_WEEKDAY}\b(.*)$", re.IGNORECASE)
_WEEKDAY_NEXT_WEEK = re.compile(rf"^{_WEEKDAY}\s+next\s+week\b(.*)$", re.IGNORECASE)
_ORDINAL_DAY = re.compile(r"^(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)$", re.IGNORECASE)
_AT_BARE_HOUR = re.compile(r"\bat\s+(\d{1,2})$", re.IGNORECASE)
_JUST_A_NUMBER = re.compile(r"^[-+]?\d+$")
_TIME_WORDS = re.compile(r"\d\s*(am|pm)\b|\d:\d\d|\bnoon\b|\bmidnight\b|o'clock", re.IGNORECASE)


class WhenError(ValueError):
    """A phrase that is not a date we can use."""


@lru_cache(maxsize=1)
def _parser() -> Any:
    # dateparser is heavy to import; load it the first time a phrase is read,
    # never on the start-up path.
    import dateparser

    return dateparser


def parse_when(
    phrase: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    date_order: str = "MDY",
    prefer: str = "future",
) -> tuple[datetime, bool]:
    """Read `phrase` relative to `now` in zone `tz`.

    Returns the instant (aware, UTC) and whether the phrase gave a time of day.
    """
    phrase = " ".join(phrase.split())
    if not phrase:
        raise WhenError("no date given")
    if _JUST_A_NUMBER.match(phrase):
        raise WhenError(f'"{phrase}" is a number, not a date')
    local_now = now.astimezone(tz).replace(tzinfo=None)
    rewritten = _rewrite(phrase, local_now.date())
    settings = {
        "RELATIVE_BASE": local_now,
        "PREFER_DATES_FROM": prefer,
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": date_order,
        "PREFER_DAY_OF_MONTH": "first",
    }
    parsed = _parser().parse(rewritten, settings=settings, languages=["en"])
    if parsed is None:
        raise WhenError(f'I could not read "{phrase}" as a date')
    has_time = _has_time_of_day(rewritten, parsed, local_now)
    local = parsed.replace(tzinfo=tz)
    return local.astimezone(UTC), has_time


def _rewrite(phrase: str, today: date) -> str:
    """Turn phrases dateparser misreads into ones it reads right."""
    for pattern in (_NEXT_WEEKDAY, _WEEKDAY_NEXT_WEEK):
        found = pattern.match(phrase)
        if found:
            weekday = WEEKDAYS.index(found.group(1).lower()[:3])
            next_monday = today + timedelta(days=7 - today.weekday())
            day = next_monday + timedelta(days=weekday)
            phrase = f"{day.isoformat()} {found.group(2).strip()}".strip()
            break
    ordinal = _ORDINAL_DAY.match(phrase)
    if ordinal:
        phrase = _next_day_of_month(int(ordinal.group(1)), today).isoformat()
    return _AT_BARE_HOUR.sub(r"at \1:00", phrase)


def _next_day_of_month(day: int, today: date) -> date:
    """The next date (today or later) whose day of the month is `day`."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise WhenError(f"there is no day {day} in a month")


def _has_time_of_day(phrase: str, parsed: datetime, local_now: datetime) -> bool:
    if _TIME_WORDS.search(phrase):
        return True
    # "in 3 hours" moves the time of day; a bare date keeps the base time.
    return (
        parsed.time() != local_now.time()
        and parsed.time().second == 0
        and (parsed.hour or parsed.minute) != 0
    )
