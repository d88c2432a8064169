"""The `site.hours` grammar."""

import pytest

from bot.domain.hours import ALWAYS_OPEN, WeeklyHours, parse_hours

NINE_TO_FIVE = ((540, 1020),)


def test_weekdays_nine_to_five_are_open_and_the_weekend_is_closed() -> None:
    hours = parse_hours("mon-fri 09:00-17:00")

    assert hours == WeeklyHours(always_open=False, ranges=(NINE_TO_FIVE,) * 5 + ((), ()))


def test_lunch_break_and_saturday_morning() -> None:
    hours = parse_hours("mon-fri 09:00-12:30,13:30-17:00; sat 10:00-14:00")

    assert hours.ranges[0] == ((540, 750), (810, 1020))
    assert hours.ranges[5] == ((600, 840),)
    assert hours.ranges[6] == ()


def test_24x7_is_always_open() -> None:
    assert parse_hours("24x7") == ALWAYS_OPEN
    assert ALWAYS_OPEN.always_open
    assert ALWAYS_OPEN.ranges == (((0, 1440),),) * 7


@pytest.mark.parametrize(
    ("text", "open_days"),
    [
        ("mon,wed 09:00-17:00", {0, 2}),
        ("fri-mon 09:00-17:00", {4, 5, 6, 0}),
        ("sat-sun 10:00-14:00", {5, 6}),
        ("Monday-Friday 09:00-17:00", {0, 1, 2, 3, 4}),
        ("  MON-FRI   09:00 - 17:00 ;  ", {0, 1, 2, 3, 4}),
    ],
)
def test_day_lists_and_ranges(text: str, open_days: set[int]) -> None:
    hours = parse_hours(text)

    assert {day for day, ranges in enumerate(hours.ranges) if ranges} == open_days


def test_a_day_can_run_to_midnight() -> None:
    assert parse_hours("fri 18:00-24:00; sat 00:00-02:00").ranges[4] == ((1080, 1440),)


def test_groups_for_the_same_day_are_combined_in_order() -> None:
    hours = parse_hours("mon 13:00-17:00; mon-fri 09:00-12:00")

    assert hours.ranges[0] == ((540, 720), (780, 1020))


def test_str_gives_back_the_grammar() -> None:
    text = "mon 09:00-12:30,13:30-17:00; sat 10:00-14:00"

    assert str(parse_hours(text)) == text
    assert parse_hours(str(parse_hours("mon-fri 09:00-17:00"))) == parse_hours(
        "mon-fri 09:00-17:00"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri 9-5", '"mon-fri 9-5": expected HH:MM-HH:MM, got "9-5"'),
        ("mon-fri", "expected days then HH:MM-HH:MM"),
        ("", "no opening hours"),
        ("mon-fry 09:00-17:00", 'expected days like "mon-fri" or "mon,wed", got "mon-fry"'),
        ("mon 22:00-02:00", "cannot cross midnight"),
        ("mon 09:00-09:00", "ends before it starts"),
        ("mon 09:00-24:30", "is not a time of day"),
        ("mon 25:00-26:00", "is not a time of day"),
        ("mon 09:60-10:00", "is not a time of day"),
        ("mon 09:00-12:00,11:00-17:00", "on mon 11:00-17:00 overlaps another range"),
        ("mon-fri 09:00-17:00; wed 12:00-13:00", "on wed 12:00-13:00 overlaps another range"),
    ],
)
def test_bad_hours_say_what_was_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_hours(text)

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_touching_ranges_are_allowed() -> None:
    assert parse_hours("mon 09:00-12:00,12:00-17:00").ranges[0] == ((540, 720), (720, 1020))
