"""Date phrases people type ("tomorrow 10am", "next Friday"), read in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo


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
    phrase = phrase.strip()
    if not phrase:
        raise WhenError("no date given")
    local_now = now.astimezone(tz).replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": local_now,
        "PREFER_DATES_FROM": prefer,
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": date_order,
        "PREFER_DAY_OF_MONTH": "first",
    }
    dateparser = _parser()
    parsed = dateparser.parse(phrase, settings=settings, languages=["en"])
    if parsed is None:
        raise WhenError(f'I could not read "{phrase}" as a date')
    has_time = _has_time_of_day(phrase, parsed, local_now)
    local = parsed.replace(tzinfo=tz)
    return local.astimezone(UTC), has_time


def _has_time_of_day(phrase: str, parsed: datetime, local_now: datetime) -> bool:
    lowered = phrase.lower()
    if any(word in lowered for word in ("am", "pm", ":", "noon", "midnight", "o'clock")):
        return True
    # "in 3 hours" moves the time of day; a bare date keeps the base time.
    return (
        parsed.time() != local_now.time()
        and parsed.time().second == 0
        and (parsed.hour or parsed.minute) != 0
    )
