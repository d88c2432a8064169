"""The visitor log: past visits by day, range and name (`/visitor log`, the report's CSV)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.reports.periods import Period, week_of
from bot.domain.when import WhenError, parse_when
from storage import audit, visits
from storage.models import Visit
from storage.names import name_key

LOG_FORM = (
    "`/visitor log [<day> | <from> to <to>] [<name>]` "
    "(e.g. `/visitor log yesterday`, `/visitor log 11/02 to 11/06 helen ward`)"
)
MAX_DAYS = 400
_TO = re.compile(r"\s+(?:to|until|–)\s+", re.IGNORECASE)
# A month's name alone is more likely a first name (June, May) than a whole month.
_MONTH_ALONE = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)$",
    re.IGNORECASE,
)


class LogQueryError(ValueError):
    """What was typed after `/visitor log` is not a day, a range or a name we can use."""


@dataclass(frozen=True)
class LogQuery:
    """Which visits to show: whole days (None: any day) and part of a name (None: anyone)."""

    period: Period | None
    name: str | None

    @property
    def key(self) -> str:
        return name_key(self.name) if self.name else ""


@dataclass(frozen=True)
class LogPage:
    """The visits shown (earliest first) and how many more there were."""

    visits: tuple[Visit, ...]
    total: int
    corrected: frozenset[int] = frozenset()  # visits whose name or host was put right

    @property
    def more(self) -> int:
        return self.total - len(self.visits)


def read_query(text: str, *, now: datetime, tz: ZoneInfo, date_order: str) -> LogQuery:
    """Read `[<day> | <from> to <to>] [<name>]`: nothing is today; a name alone is any day."""
    text = " ".join(text.split())
    today = now.astimezone(tz).date()
    if not text:
        return LogQuery(Period(today, today), None)
    split = _TO.split(text, maxsplit=1)
    if len(split) == 2:
        first = _day(split[0], now=now, tz=tz, date_order=date_order)
        if first is None:
            raise LogQueryError(f'I could not read "{split[0][:60]}" as a day.')
        found = _leading_day(split[1], now=now, tz=tz, date_order=date_order)
        if found is None:
            raise LogQueryError(f'I could not read "{split[1][:60]}" as a day.')
        last, name = found
        return LogQuery(_period(first, last), name)
    found = _leading_day(text, now=now, tz=tz, date_order=date_order)
    if found is None:
        return LogQuery(None, text)
    day, name = found
    return LogQuery(Period(day, day), name)


def _period(first: date, last: date) -> Period:
    if last < first:
        raise LogQueryError("The last day is before the first.")
    if (last - first).days >= MAX_DAYS:
        raise LogQueryError(f"The log covers at most {MAX_DAYS} days at a time.")
    return Period(first, last)


def _leading_day(
    text: str, *, now: datetime, tz: ZoneInfo, date_order: str
) -> tuple[date, str | None] | None:
    """(the day the text starts with, the name after it): the longest run of leading words
    that reads as a day."""
    words = text.split()
    for end in range(len(words), 0, -1):
        head = " ".join(words[:end])
        if end < len(words) and _MONTH_ALONE.match(head):
            continue
        day = _day(head, now=now, tz=tz, date_order=date_order)
        if day is not None:
            return day, " ".join(words[end:]) or None
    return None


def _day(phrase: str, *, now: datetime, tz: ZoneInfo, date_order: str) -> date | None:
    today = now.astimezone(tz).date()
    try:
        instant, _ = parse_when(phrase, now=now, tz=tz, date_order=date_order, prefer="past")
    except WhenError:
        return None
    day = instant.astimezone(tz).date()
    return day if day <= today + timedelta(days=366) else None


def read_week(text: str, *, now: datetime, tz: ZoneInfo) -> LogQuery | None:
    """`this week [<name>]` / `last week [<name>]`, Monday to Sunday; None if not a week."""
    found = re.match(r"^(this|last)\s+week\b\s*(.*)$", " ".join(text.split()), re.IGNORECASE)
    if found is None:
        return None
    today = now.astimezone(tz).date()
    period = week_of(today if found.group(1).lower() == "this" else today - timedelta(days=7))
    return LogQuery(period, found.group(2) or None)


def read(text: str, *, now: datetime, tz: ZoneInfo, date_order: str) -> LogQuery:
    """The query typed after `/visitor log`."""
    return read_week(text, now=now, tz=tz) or read_query(
        text, now=now, tz=tz, date_order=date_order
    )


def page(session: Session, query: LogQuery, *, tz: ZoneInfo, limit: int) -> LogPage:
    """Up to `limit` visits that match `query`, earliest arrival first, and the total."""
    start, end = query.period.bounds(tz) if query.period else (None, None)
    found, total = visits.arrivals(session, start=start, end=end, key=query.key, limit=limit)
    ids = [v.id for v in found if v.id is not None]
    corrected = {e.visit_id for e in audit.for_visits(session, ids, actions=("corrected",))}
    return LogPage(tuple(found), total, frozenset(i for i in corrected if i is not None))


def all_between(session: Session, period: Period, *, tz: ZoneInfo) -> list[Visit]:
    """Every visit that arrived in `period` (for the report's CSV)."""
    start, end = period.bounds(tz)
    found, _ = visits.arrivals(session, start=start, end=end, key="", limit=None)
    return found
