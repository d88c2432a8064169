"""Property tests: BusinessCalendar against a deliberately naive oracle that steps minute by minute.

The oracle shares nothing with the calendar but the `holidays` package and the parsed hours: it
finds each local opening and closing by trying every UTC offset the zone uses around that day
(so DST rules are applied from first principles), and counts working time one minute at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import BusinessCalendar
from bot.domain.durations import Duration
from bot.domain.hours import WeeklyHours, parse_hours

MINUTE = timedelta(minutes=1)
MAX_STEPS = 60 * 24 * 60  # sixty days of minutes: no example should get near it

ZONES = ["America/Toronto", "Europe/London", "Australia/Lord_Howe", "UTC"]
HOURS = [
    "mon-fri 09:00-17:00",
    "mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00",
    "mon-sun 01:00-04:00",
    "mon-sun 00:00-01:45,02:15-24:00",
    "sun 00:00-02:30,03:00-06:00; mon-fri 08:00-18:00",
    "tue,thu 22:00-24:00; wed,fri 00:00-02:00; mon 09:00-17:00",
    "sat,sun 01:30-02:30; mon-fri 10:00-16:00",
    "24x7",
]
# Three weeks from each anchor covers every DST change of ZONES in 2026, and Christmas.
DST_DAYS = {
    "America/Toronto": [date(2026, 3, 8), date(2026, 11, 1)],
    "Europe/London": [date(2026, 3, 29), date(2026, 10, 25)],
    "Australia/Lord_Howe": [date(2026, 4, 5), date(2026, 10, 4)],
}
ANCHORS = [
    datetime(2026, 2, 25, tzinfo=UTC),
    datetime(2026, 3, 20, tzinfo=UTC),
    datetime(2026, 9, 25, tzinfo=UTC),
    datetime(2026, 10, 20, tzinfo=UTC),
    datetime(2026, 12, 15, tzinfo=UTC),
]


class Oracle:
    """Working time by brute force."""

    def __init__(
        self,
        tz: ZoneInfo,
        hours: WeeklyHours,
        region: str,
        closures: frozenset[date],
        hours_per_business_day: float,
    ) -> None:
        self.tz, self.hours, self.closures = tz, hours, closures
        self.hours_per_business_day = hours_per_business_day
        self.holidays: set[date] = set()
        if region:
            country, subdiv = region.split("-")
            for year in (2026, 2027):
                self.holidays |= set(holidays.country_holidays(country, subdiv=subdiv, years=year))

    def to_utc(self, d: date, minute: int) -> datetime:
        """The instant of local `d` + `minute`: first occurrence; in a gap, shifted by the gap."""
        wall = datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(minutes=minute)
        offsets = {
            offset
            for hour in range(-48, 49, 3)
            if (offset := (wall + timedelta(hours=hour)).astimezone(self.tz).utcoffset())
            is not None
        }
        valid = [
            wall - offset
            for offset in offsets
            if (wall - offset).astimezone(self.tz).replace(tzinfo=UTC) == wall
        ]
        if valid:
            return min(valid)
        offset_before = (wall - max(offsets) - MINUTE).astimezone(self.tz).utcoffset()
        assert offset_before is not None
        return wall - offset_before

    def day(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.hours.always_open and (d in self.holidays or d in self.closures):
            return []
        return [
            (self.to_utc(d, start), self.to_utc(d, end))
            for start, end in self.hours.ranges[d.weekday()]
        ]

    def is_open(self, t: datetime) -> bool:
        d = t.astimezone(self.tz).date()
        return any(
            start <= t < end
            for day in (d - timedelta(days=1), d)
            for start, end in _cached_day(self, day)
        )

    def minutes_from(self, t: datetime) -> Iterator[datetime]:
        for step in range(MAX_STEPS):
            yield t + step * MINUTE
        raise AssertionError("the oracle ran away")

    def next_opening(self, t: datetime) -> datetime:
        return next(m for m in self.minutes_from(t) if self.is_open(m))

    def add(self, start: datetime, duration: Duration) -> datetime:
        if duration.unit == "end_of_business_days":
            return self.end_of_business_days(start, int(duration.amount))
        hours = duration.amount * (
            self.hours_per_business_day if duration.unit == "business_days" else 1
        )
        needed = round(hours * 60)
        if needed == 0:
            return self.next_opening(start)
        counted = 0
        for minute in self.minutes_from(start):
            if self.is_open(minute):
                counted += 1
                if counted == needed:
                    return minute + MINUTE
        raise AssertionError("unreachable")

    def end_of_business_days(self, start: datetime, days: int) -> datetime:
        d = start.astimezone(self.tz).date()
        # A day whose opening falls wholly in a DST gap has no working time: it is closed.
        open_today = [(s, e) for s, e in _cached_day(self, d) if e > s]
        if not open_today or start >= max(end for _, end in open_today):
            d = self.next_working_day(d)
        for _ in range(days):
            d = self.next_working_day(d)
        return max(end for _, end in _cached_day(self, d))

    def next_working_day(self, d: date) -> date:
        d += timedelta(days=1)
        while not any(end > start for start, end in _cached_day(self, d)):
            d += timedelta(days=1)
        return d

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        if b < a:
            return -self.working_time_between(b, a)
        minutes = 0
        m = a
        while m < b:
            minutes += self.is_open(m)
            m += MINUTE
        return minutes * MINUTE


@cache
def _cached_day(oracle: Oracle, d: date) -> list[tuple[datetime, datetime]]:
    return oracle.day(d)


@st.composite
def sites(draw: st.DrawFn) -> tuple[BusinessCalendar, Oracle]:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    hours = parse_hours(draw(st.sampled_from(HOURS)))
    region = draw(st.sampled_from(["", "CA-ON"]))
    closures = frozenset(
        draw(
            st.lists(st.dates(min_value=date(2026, 2, 25), max_value=date(2027, 1, 31)), max_size=4)
        )
    )
    per_day = draw(st.sampled_from([8, 7, 2.5]))
    calendar = BusinessCalendar(
        tz, hours, holiday_region=region, closures=closures, hours_per_business_day=per_day
    )
    return calendar, Oracle(tz, hours, region, closures, per_day)


@st.composite
def instants(draw: st.DrawFn, tz: ZoneInfo) -> datetime:
    """Any minute of the anchored weeks, a whole hour (openings, closings), or a DST weekend."""
    kind = draw(st.sampled_from(["any minute", "whole hour", "dst weekend"]))
    if kind == "dst weekend" and DST_DAYS.get(tz.key):
        day = draw(st.sampled_from(DST_DAYS[tz.key]))
        local_midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        return local_midnight.astimezone(UTC) + draw(st.integers(-36 * 4, 36 * 4)) * 15 * MINUTE
    anchor = draw(st.sampled_from(ANCHORS))
    if kind == "whole hour":
        return anchor + draw(st.integers(0, 21 * 24)) * 60 * MINUTE
    return anchor + draw(st.integers(0, 21 * 24 * 60)) * MINUTE


@st.composite
def cases(draw: st.DrawFn) -> tuple[BusinessCalendar, Oracle, datetime]:
    calendar, oracle = draw(sites())
    return calendar, oracle, draw(instants(calendar.tz))


windows = st.one_of(
    st.builds(Duration, st.just("business_hours"), st.integers(0, 24 * 4).map(lambda q: q / 4)),
    st.builds(Duration, st.just("business_days"), st.integers(0, 3)),
    st.builds(Duration, st.just("end_of_business_days"), st.integers(0, 3)),
)
ORACLE_SETTINGS = settings(max_examples=200, deadline=None)


@ORACLE_SETTINGS
@given(case=cases(), window=windows)
def test_add_matches_the_minute_by_minute_oracle(
    case: tuple[BusinessCalendar, Oracle, datetime], window: Duration
) -> None:
    calendar, oracle, start = case

    assert calendar.add(start, window) == oracle.add(start, window)


@ORACLE_SETTINGS
@given(case=cases(), offset=st.integers(-8 * 24 * 60, 8 * 24 * 60))
def test_remaining_matches_the_minute_by_minute_oracle(
    case: tuple[BusinessCalendar, Oracle, datetime], offset: int
) -> None:
    calendar, oracle, now = case
    due = now + offset * MINUTE

    assert calendar.remaining(now, due) == oracle.working_time_between(now, due)


@ORACLE_SETTINGS
@given(case=cases())
def test_is_open_and_next_opening_match_the_oracle(
    case: tuple[BusinessCalendar, Oracle, datetime],
) -> None:
    calendar, oracle, t = case

    assert calendar.is_open(t) == oracle.is_open(t)
    assert calendar.next_opening(t) == oracle.next_opening(t)


@ORACLE_SETTINGS
@given(case=cases(), window=windows)
def test_a_window_holds_exactly_its_working_time(
    case: tuple[BusinessCalendar, Oracle, datetime], window: Duration
) -> None:
    calendar, _, start = case
    if window.unit == "end_of_business_days":
        return
    due = calendar.add(start, window)

    assert calendar.working_time_between(start, due) == calendar.working_time(window)
    assert calendar.subtract(due, window) == (
        calendar.next_opening(start) if window.amount else due
    )
