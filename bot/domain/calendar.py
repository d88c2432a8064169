"""Business time: the site's working hours less weekends, public holidays and closures.

Working time is walked one day at a time as a list of UTC intervals per local date, so a window of
weeks costs a few dozen steps. Local opening and closing times are read as DESIGN.md says: a time
that does not exist (spring forward) is shifted forward by the gap, one that occurs twice (fall
back) is its first occurrence — which is exactly what `zoneinfo` does with `fold=0`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot.domain.durations import Duration
from bot.domain.hours import WeeklyHours

Interval = tuple[datetime, datetime]

# No real site is closed for ten years running; past that, a walk has run away.
_MAX_CLOSED_DAYS = 3660
_ONE_DAY = timedelta(days=1)


def split_holiday_region(region: str) -> tuple[str, str | None]:
    """Split "CA-ON" into ("CA", "ON") and "GB" into ("GB", None)."""
    country, _, subdiv = region.strip().partition("-")
    return country.upper(), (subdiv.upper() or None)


def check_holiday_region(region: str, categories: tuple[str, ...] = ("public",)) -> None:
    """Raise ValueError unless `region` and `categories` are known to the holidays package."""
    if not region.strip():
        return
    country, subdiv = split_holiday_region(region)
    try:
        holidays.country_holidays(country, subdiv=subdiv, categories=categories, years=())
    except NotImplementedError as exc:
        raise ValueError(f'unknown holiday region "{region}"') from exc
    except ValueError as exc:  # an unknown category
        raise ValueError(f'{str(exc).rstrip(".")} (holiday region "{region}")') from exc


def _aware_utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"business time needs a timezone-aware datetime, got {t!r}")
    return t.astimezone(UTC)


class BusinessCalendar:
    """When the site is open, and arithmetic in working time."""

    def __init__(
        self,
        tz: ZoneInfo,
        hours: WeeklyHours,
        *,
        holiday_region: str = "",
        holiday_categories: tuple[str, ...] = ("public",),
        closures: Iterable[date] = (),
        hours_per_business_day: float = 8,
    ) -> None:
        if not hours.always_open and not any(hours.ranges):
            raise ValueError("the opening hours have no open time at all")
        if not 0 < hours_per_business_day <= 24:
            raise ValueError(
                f"hours_per_business_day must be more than 0 and at most 24, "
                f"not {hours_per_business_day}"
            )
        check_holiday_region(holiday_region, tuple(holiday_categories))
        self._tz = tz
        self._hours = hours
        self._region = split_holiday_region(holiday_region) if holiday_region.strip() else None
        self._categories = tuple(holiday_categories)
        self._closures = set(closures)
        self._business_day = timedelta(hours=hours_per_business_day)
        self._holidays_by_year: dict[int, frozenset[date]] = {}
        self._days: dict[date, tuple[Interval, ...]] = {}

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone."""
        return self._tz

    @property
    def hours(self) -> WeeklyHours:
        """The site's weekly opening hours."""
        return self._hours

    @property
    def hours_per_business_day(self) -> float:
        """How many hours of working time make one business day."""
        return self._business_day / timedelta(hours=1)

    @property
    def closures(self) -> frozenset[date]:
        """The extra closed days."""
        return frozenset(self._closures)

    def add_closure(self, d: date) -> None:
        """Close the site on `d` (a snow day) for every deadline computed from now on."""
        self._closures.add(d)
        self._days.pop(d, None)

    def is_holiday(self, d: date) -> bool:
        """Whether `d` is a public holiday of the site's region."""
        if self._region is None:
            return False
        if d.year not in self._holidays_by_year:
            country, subdiv = self._region
            found = holidays.country_holidays(
                country, subdiv=subdiv, categories=self._categories, years=d.year
            )
            self._holidays_by_year[d.year] = frozenset(found.keys())
        return d in self._holidays_by_year[d.year]

    # --- days -------------------------------------------------------------------------------

    def _local_instant(self, d: date, minute: int) -> datetime:
        if minute == 24 * 60:
            local = datetime.combine(d + _ONE_DAY, time(0), tzinfo=self._tz)
        else:
            local = datetime.combine(d, time(minute // 60, minute % 60), tzinfo=self._tz)
        return local.astimezone(UTC)

    def _compute_day(self, d: date) -> tuple[Interval, ...]:
        if not self._hours.always_open and (d in self._closures or self.is_holiday(d)):
            return ()
        spans = sorted(
            (self._local_instant(d, start), self._local_instant(d, end))
            for start, end in self._hours.ranges[d.weekday()]
        )
        # A range ending inside a spring-forward gap can collapse or overlap the next: merge.
        merged: list[Interval] = []
        for start, end in spans:
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return tuple(merged)

    def _day(self, d: date) -> tuple[Interval, ...]:
        intervals = self._days.get(d)
        if intervals is None:
            if len(self._days) > 20_000:
                self._days.clear()
            intervals = self._days[d] = self._compute_day(d)
        return intervals

    def _local_date(self, t: datetime) -> date:
        return t.astimezone(self._tz).date()

    def _intervals_after(self, t: datetime) -> Iterator[Interval]:
        """Yield the working intervals that end after `t`, in order."""
        d = self._local_date(t) - _ONE_DAY
        closed_days = 0
        while True:
            intervals = self._day(d)
            closed_days = 0 if intervals else closed_days + 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(f"no working time in the {_MAX_CLOSED_DAYS} days after {t}")
            for interval in intervals:
                if interval[1] > t:
                    yield interval
            d += _ONE_DAY

    def _intervals_before(self, t: datetime) -> Iterator[Interval]:
        """Yield the working intervals that start before `t`, latest first."""
        d = self._local_date(t) + _ONE_DAY
        closed_days = 0
        while True:
            intervals = self._day(d)
            closed_days = 0 if intervals else closed_days + 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise ValueError(f"no working time in the {_MAX_CLOSED_DAYS} days before {t}")
            for interval in reversed(intervals):
                if interval[0] < t:
                    yield interval
            d -= _ONE_DAY

    def is_working_day(self, d: date) -> bool:
        """Whether the site opens at all on `d`."""
        return bool(self._day(d))

    def opening_of(self, d: date) -> datetime | None:
        """Return the first opening on `d`, or None on a closed day."""
        intervals = self._day(d)
        return intervals[0][0] if intervals else None

    def closing_of(self, d: date) -> datetime | None:
        """Return the last closing on `d`, or None on a closed day."""
        intervals = self._day(d)
        return intervals[-1][1] if intervals else None

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after `d`."""
        for offset in range(1, _MAX_CLOSED_DAYS + 2):
            candidate = d + timedelta(days=offset)
            if self._day(candidate):
                return candidate
        raise ValueError(f"no working day in the {_MAX_CLOSED_DAYS} days after {d}")

    # --- instants ---------------------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """Whether `t` is in working time."""
        t = _aware_utc(t)
        if self._hours.always_open:
            return True
        d = self._local_date(t)
        return any(start <= t < end for day in (d - _ONE_DAY, d) for start, end in self._day(day))

    def next_opening(self, t: datetime) -> datetime:
        """Return `t` if the site is open then, else the next opening after it."""
        t = _aware_utc(t)
        start, _ = next(self._intervals_after(t))
        return max(start, t)

    def working_time(self, duration: Duration) -> timedelta:
        """Return the working time a business duration is worth ("end of" days count whole)."""
        if duration.unit == "plain":
            raise ValueError(f"{duration} is elapsed time, not business time")
        if duration.unit == "business_hours":
            return timedelta(hours=duration.amount)
        return duration.amount * self._business_day

    def add(self, start: datetime, duration: Duration) -> datetime:
        """Return the instant a window of `duration` that starts at `start` is due."""
        start = _aware_utc(start)
        if duration.unit == "plain":
            return start + duration.plain
        if duration.unit == "end_of_business_days":
            return self._end_of_business_days(start, int(duration.amount))
        work = self.working_time(duration)
        if self._hours.always_open:
            return start + work
        for opening, closing in self._intervals_after(start):
            begin = max(opening, start)
            available = closing - begin
            if work <= available:
                return begin + work
            work -= available
        raise AssertionError("unreachable: the walk is endless")  # pragma: no cover

    def _end_of_business_days(self, start: datetime, days: int) -> datetime:
        received = self._local_date(start)
        closing = self.closing_of(received)
        if closing is None or start >= closing:
            received = self.next_working_day(received)
        due_day = received
        for _ in range(days):
            due_day = self.next_working_day(due_day)
        closing = self.closing_of(due_day)
        assert closing is not None  # due_day is a working day
        return closing

    def subtract(self, due: datetime, duration: Duration) -> datetime:
        """Return the instant at which `duration` of working time (or elapsed) is left before `due`.

        Where that point is both a closing and the next opening, the opening is returned, so a
        reminder for a business window lands in working hours. "end of N business days" counts
        as N business days here.
        """
        due = _aware_utc(due)
        if duration.unit == "plain":
            return due - duration.plain
        work = self.working_time(duration)
        if not work or self._hours.always_open:
            return due - work
        for opening, closing in self._intervals_before(due):
            end = min(closing, due)
            available = end - opening
            if work < available:
                return end - work
            if work == available:
                return opening
            work -= available
        raise AssertionError("unreachable: the walk is endless")  # pragma: no cover

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the working time from `a` to `b` (negative if `b` is before `a`)."""
        a, b = _aware_utc(a), _aware_utc(b)
        if b < a:
            return -self.working_time_between(b, a)
        if self._hours.always_open:
            return b - a
        total = timedelta(0)
        d, last = self._local_date(a) - _ONE_DAY, self._local_date(b)
        while d <= last:
            for opening, closing in self._day(d):
                if closing > a and opening < b:
                    total += min(closing, b) - max(opening, a)
            d += _ONE_DAY
        return total

    def remaining(self, now: datetime, due: datetime) -> timedelta:
        """Return the working time left from `now` until `due` (negative once it has passed)."""
        return self.working_time_between(now, due)


def warn_instant(
    calendar: BusinessCalendar, started: datetime, due: datetime, warn_before: Duration
) -> datetime:
    """Return when to say "due soon": `warn_before` before `due`, but never before `started`."""
    return max(_aware_utc(started), calendar.subtract(due, warn_before))
