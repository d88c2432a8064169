"""Business time: the DESIGN.md examples, holidays, closures, DST and split days."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import BusinessCalendar, warn_instant
from bot.domain.durations import parse_duration
from bot.domain.hours import ALWAYS_OPEN, parse_hours

TORONTO = ZoneInfo("America/Toronto")  # DST: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00


@pytest.fixture
def toronto() -> ZoneInfo:
    """A zone with daylight saving time, for the DST cases."""
    return TORONTO


def at(text: str, tz: ZoneInfo = TORONTO) -> datetime:
    """Read "2026-11-24 15:00" as site time (first occurrence when ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def local(instant: datetime, tz: ZoneInfo = TORONTO) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def office(**kwargs: object) -> BusinessCalendar:
    """Mon-Fri 09:00-17:00 in Toronto with Ontario's public holidays."""
    return BusinessCalendar(
        TORONTO,
        parse_hours(str(kwargs.pop("hours", "mon-fri 09:00-17:00"))),
        holiday_region="CA-ON",
        **kwargs,  # type: ignore[arg-type]
    )


# --- DESIGN.md "Business time" ------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "window", "due"),
    [
        # Tue 15:00 -> Wed 15:00
        ("2026-11-24 15:00", "1 business day", "2026-11-25 15:00 EST"),
        # Fri 16:30 -> Mon 16:30
        ("2026-11-27 16:30", "1 business day", "2026-11-30 16:30 EST"),
        # Sat 10:00 starts at Mon's opening -> Mon 17:00, not Tue 09:00
        ("2026-11-28 10:00", "1 business day", "2026-11-30 17:00 EST"),
        # Fri 15:00 before Family Day (Mon 16 Feb) -> Tue 15:00
        ("2026-02-13 15:00", "1 business day", "2026-02-17 15:00 EST"),
        # Thu 15:00 before Good Friday (3 Apr) -> Mon 15:00
        ("2026-04-02 15:00", "1 business day", "2026-04-06 15:00 EDT"),
        # Tue 15:00 -> Wed 17:00
        ("2026-11-24 15:00", "end of 1 business day", "2026-11-25 17:00 EST"),
        # Tue 18:00 is after closing, so received Wed -> Thu 17:00
        ("2026-11-24 18:00", "end of 1 business day", "2026-11-26 17:00 EST"),
        # Sat counts as received Mon -> Tue 17:00
        ("2026-11-28 10:00", "end of 1 business day", "2026-12-01 17:00 EST"),
        # Tue 07:00, before opening, is still received Tue
        ("2026-11-24 07:00", "end of 1 business day", "2026-11-25 17:00 EST"),
        # exactly at closing counts as after closing
        ("2026-11-24 17:00", "end of 1 business day", "2026-11-26 17:00 EST"),
        ("2026-11-24 15:00", "end of 0 business days", "2026-11-24 17:00 EST"),
        ("2026-11-24 15:00", "2 business hours", "2026-11-24 17:00 EST"),
        ("2026-11-24 16:00", "2 business hours", "2026-11-25 10:00 EST"),
        ("2026-11-24 15:00", "0.5 business hours", "2026-11-24 15:30 EST"),
        ("2026-11-24 15:00", "5 minutes", "2026-11-24 15:05 EST"),
        ("2026-11-28 10:00", "5 minutes", "2026-11-28 10:05 EST"),
        ("2026-11-24 15:00", "90 days", "2027-02-22 15:00 EST"),
    ],
)
def test_design_examples(received: str, window: str, due: str) -> None:
    assert local(office().add(at(received), parse_duration(window))) == due


def test_friday_afternoon_message_is_due_monday_afternoon() -> None:
    due = office().add(at("2026-11-27 16:30"), parse_duration("1 business day"))

    assert due == at("2026-11-30 16:30")


def test_a_window_landing_on_a_closing_ends_at_that_closing() -> None:
    due = office().add(at("2026-11-24 09:00"), parse_duration("1 business day"))

    assert local(due) == "2026-11-24 17:00 EST"


def test_due_instants_are_utc() -> None:
    due = office().add(at("2026-11-24 15:00"), parse_duration("1 business day"))

    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def test_fifteen_business_days_skip_christmas_boxing_day_and_a_closure() -> None:
    calendar = office(closures=[date(2026, 12, 24)])

    due = calendar.add(at("2026-12-07 10:00"), parse_duration("15 business days"))

    assert local(due) == "2026-12-31 10:00 EST"


def test_a_snow_day_added_at_run_time_pushes_later_deadlines() -> None:
    calendar = office()
    calendar.add(at("2026-11-24 15:00"), parse_duration("1 business day"))  # warm the cache

    calendar.add_closure(date(2026, 11, 25))

    assert not calendar.is_working_day(date(2026, 11, 25))
    due = calendar.add(at("2026-11-24 15:00"), parse_duration("1 business day"))
    assert local(due) == "2026-11-26 15:00 EST"


def test_hours_per_business_day_sets_what_a_business_day_is_worth() -> None:
    calendar = office(hours_per_business_day=4)

    due = calendar.add(at("2026-11-24 15:00"), parse_duration("1 business day"))

    assert local(due) == "2026-11-25 11:00 EST"


def test_optional_holidays_are_closed_when_asked_for() -> None:
    civic_holiday = date(2026, 8, 3)
    assert office().is_working_day(civic_holiday)

    calendar = office(holiday_categories=("public", "optional"))

    assert not calendar.is_working_day(civic_holiday)


# --- remaining time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due", "remaining"),
    [
        ("2026-11-24 16:00", "2026-11-25 15:00", timedelta(hours=7)),
        ("2026-11-28 10:00", "2026-11-30 10:00", timedelta(hours=1)),
        ("2026-11-25 16:00", "2026-11-25 15:00", -timedelta(hours=1)),
        ("2026-11-25 18:00", "2026-11-25 15:00", -timedelta(hours=2)),
        ("2026-11-25 15:00", "2026-11-25 15:00", timedelta(0)),
        ("2026-02-13 15:00", "2026-02-17 15:00", timedelta(hours=8)),
    ],
)
def test_remaining_counts_working_time_only(now: str, due: str, remaining: timedelta) -> None:
    assert office().remaining(at(now), at(due)) == remaining


# --- opening and closing ----------------------------------------------------------------------


def test_open_and_closed_instants() -> None:
    calendar = office()

    assert calendar.is_open(at("2026-11-24 09:00"))
    assert calendar.is_open(at("2026-11-24 16:59"))
    assert not calendar.is_open(at("2026-11-24 17:00"))
    assert not calendar.is_open(at("2026-11-28 12:00"))
    assert not calendar.is_open(at("2026-12-25 12:00"))


def test_next_opening_is_now_when_open_else_the_next_morning() -> None:
    calendar = office()

    assert calendar.next_opening(at("2026-11-24 10:00")) == at("2026-11-24 10:00")
    assert calendar.next_opening(at("2026-11-24 17:00")) == at("2026-11-25 09:00")
    assert calendar.next_opening(at("2026-11-27 18:00")) == at("2026-11-30 09:00")
    assert calendar.next_opening(at("2026-02-14 12:00")) == at("2026-02-17 09:00")


def test_working_days_openings_and_closings() -> None:
    calendar = office()

    assert calendar.opening_of(date(2026, 11, 24)) == at("2026-11-24 09:00")
    assert calendar.closing_of(date(2026, 11, 24)) == at("2026-11-24 17:00")
    assert calendar.opening_of(date(2026, 12, 25)) is None
    assert calendar.closing_of(date(2026, 11, 28)) is None
    assert calendar.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert calendar.next_working_day(date(2026, 11, 24)) == date(2026, 11, 25)
    assert calendar.tz is TORONTO


# --- a split day and a Saturday morning -------------------------------------------------------


def split_day() -> BusinessCalendar:
    return office(
        hours="mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00", hours_per_business_day=7
    )


@pytest.mark.parametrize(
    ("received", "window", "due"),
    [
        # Mon 12:00: half an hour before lunch, half an hour after
        ("2026-11-23 12:00", "1 business hour", "2026-11-23 14:00 EST"),
        # lands exactly at the lunch closing
        ("2026-11-23 11:30", "1 business hour", "2026-11-23 12:30 EST"),
        # received over lunch: starts at 13:30
        ("2026-11-23 13:00", "1 business hour", "2026-11-23 14:30 EST"),
        # Fri 16:00 runs into Saturday morning
        ("2026-11-27 16:00", "2 business hours", "2026-11-28 11:00 EST"),
        # Sat 13:00: 1 h Sat, 3.5 h Mon morning, 2.5 h Mon afternoon
        ("2026-11-28 13:00", "1 business day", "2026-11-30 16:00 EST"),
        # Saturday closes at 14:00
        ("2026-11-27 18:00", "end of 1 business day", "2026-11-30 17:00 EST"),
        ("2026-11-26 18:00", "end of 1 business day", "2026-11-28 14:00 EST"),
    ],
)
def test_split_days(received: str, window: str, due: str) -> None:
    assert local(split_day().add(at(received), parse_duration(window))) == due


def test_the_site_is_closed_over_lunch() -> None:
    calendar = split_day()

    assert not calendar.is_open(at("2026-11-23 13:00"))
    assert calendar.next_opening(at("2026-11-23 13:00")) == at("2026-11-23 13:30")
    assert calendar.closing_of(date(2026, 11, 23)) == at("2026-11-23 17:00")


# --- daylight saving time ---------------------------------------------------------------------


def test_a_business_day_over_the_spring_forward_weekend(toronto: ZoneInfo) -> None:
    due = office().add(at("2026-03-06 16:00", toronto), parse_duration("1 business day"))

    assert local(due, toronto) == "2026-03-09 16:00 EDT"


def test_a_business_day_over_the_fall_back_weekend(toronto: ZoneInfo) -> None:
    due = office().add(at("2026-10-30 16:00", toronto), parse_duration("1 business day"))

    assert local(due, toronto) == "2026-11-02 16:00 EST"


def test_plain_days_are_elapsed_time_across_dst(toronto: ZoneInfo) -> None:
    due = office().add(at("2026-03-07 12:00", toronto), parse_duration("1 day"))

    assert due - at("2026-03-07 12:00", toronto) == timedelta(hours=24)
    assert local(due, toronto) == "2026-03-08 13:00 EDT"


def night_shift(tz: ZoneInfo) -> BusinessCalendar:
    return BusinessCalendar(tz, parse_hours("mon-sun 01:00-04:00"))


def test_spring_forward_night_has_two_working_hours(toronto: ZoneInfo) -> None:
    calendar = night_shift(toronto)
    day = date(2026, 3, 8)

    opening, closing = calendar.opening_of(day), calendar.closing_of(day)

    assert opening is not None and closing is not None
    assert closing - opening == timedelta(hours=2)
    assert calendar.is_open(at("2026-03-08 03:30", toronto))
    due = calendar.add(at("2026-03-08 00:00", toronto), parse_duration("3 business hours"))
    assert local(due, toronto) == "2026-03-09 02:00 EDT"


def test_fall_back_night_has_four_working_hours(toronto: ZoneInfo) -> None:
    calendar = night_shift(toronto)
    start = at("2026-11-01 00:00", toronto)

    one_hour_in = calendar.add(at("2026-11-01 01:00", toronto), parse_duration("1 business hour"))
    whole_night = calendar.add(start, parse_duration("4 business hours"))

    # 01:00 happens twice; an hour of work from the first one ends at the second one.
    assert local(one_hour_in, toronto) == "2026-11-01 01:00 EST"
    assert local(whole_night, toronto) == "2026-11-01 04:00 EST"
    assert calendar.working_time_between(start, at("2026-11-02 00:00", toronto)) == timedelta(
        hours=4
    )


def test_an_opening_in_the_spring_gap_is_shifted_forward_by_the_gap(toronto: ZoneInfo) -> None:
    calendar = BusinessCalendar(toronto, parse_hours("sun 02:30-05:00"))

    assert local(calendar.opening_of(date(2026, 3, 8)) or at("2000-01-01 00:00")) == (
        "2026-03-08 03:30 EDT"
    )


def test_an_ambiguous_opening_is_its_first_occurrence(toronto: ZoneInfo) -> None:
    calendar = BusinessCalendar(toronto, parse_hours("sun 01:30-05:00"))

    opening = calendar.opening_of(date(2026, 11, 1))

    assert opening == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_a_range_ending_in_the_spring_gap_merges_with_the_next(toronto: ZoneInfo) -> None:
    calendar = BusinessCalendar(toronto, parse_hours("sun 00:00-02:30,03:00-06:00"))
    day = date(2026, 3, 8)

    # 02:30 is read as 03:30 EDT, after 03:00 EDT: the site never closes that night.
    assert calendar.working_time_between(at("2026-03-08 00:00"), at("2026-03-09 00:00")) == (
        timedelta(hours=5)
    )
    assert calendar.opening_of(day) == at("2026-03-08 00:00")


# --- warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "warn_before", "warn_at"),
    [
        ("2026-11-25 15:00", "2 business hours", "2026-11-25 13:00 EST"),
        # two hours before Wed 10:00 is Tue 16:00
        ("2026-11-25 10:00", "2 business hours", "2026-11-24 16:00 EST"),
        # exactly two working hours back is Wed's opening, not Tue's closing
        ("2026-11-25 11:00", "2 business hours", "2026-11-25 09:00 EST"),
        # due Mon 10:00 after a weekend
        ("2026-11-30 10:00", "0.25 business days", "2026-11-27 16:00 EST"),
        ("2026-11-25 15:00", "75 seconds", "2026-11-25 14:58 EST"),
    ],
)
def test_due_soon_warnings(due: str, warn_before: str, warn_at: str) -> None:
    calendar = office()
    started = at("2026-11-20 09:00")

    warn = warn_instant(calendar, started, at(due), parse_duration(warn_before))

    assert local(warn.replace(second=0)) == warn_at


def test_a_warning_is_never_before_the_window_started() -> None:
    started, due = at("2026-11-25 10:00"), at("2026-11-25 11:00")

    assert warn_instant(office(), started, due, parse_duration("2 business hours")) == started


def test_subtract_undoes_add() -> None:
    calendar = office()
    window = parse_duration("3 business days")
    started = at("2026-12-22 11:15")

    assert calendar.subtract(calendar.add(started, window), window) == started


# --- 24x7 and errors --------------------------------------------------------------------------


def test_24x7_ignores_holidays_and_closures() -> None:
    calendar = BusinessCalendar(
        TORONTO, ALWAYS_OPEN, holiday_region="CA-ON", closures=[date(2026, 12, 24)]
    )

    due = calendar.add(at("2026-12-24 20:00"), parse_duration("1 business day"))

    assert calendar.is_working_day(date(2026, 12, 25))
    assert calendar.is_open(at("2026-12-25 03:00"))
    assert due - at("2026-12-24 20:00") == timedelta(hours=8)
    eod = calendar.add(at("2026-11-24 15:00"), parse_duration("end of 1 business day"))
    assert local(eod) == "2026-11-26 00:00 EST"


def test_an_unknown_holiday_region_is_refused() -> None:
    with pytest.raises(ValueError, match='unknown holiday region "XX-YY"'):
        BusinessCalendar(TORONTO, parse_hours("mon-fri 09:00-17:00"), holiday_region="XX-YY")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        office().add(datetime(2026, 11, 24, 15, 0), parse_duration("1 business day"))


def test_fifteen_business_days_take_well_under_a_millisecond() -> None:
    calendar = office(closures=[date(2026, 12, 24)])
    window, start = parse_duration("15 business days"), at("2026-12-07 10:00")
    calendar.add(start, window)  # build the year's holidays once

    runs = 200
    began = time.perf_counter()
    for _ in range(runs):
        calendar.add(start, window)
    per_call = (time.perf_counter() - began) / runs

    assert per_call < 0.001
