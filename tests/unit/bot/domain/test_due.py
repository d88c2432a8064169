"""`frontdesk due`: start times, answers, and batches."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import BusinessCalendar
from bot.domain.due import due_instant, parse_start, run_batch
from bot.domain.hours import parse_hours

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar(TORONTO, parse_hours("mon-fri 09:00-17:00"), holiday_region="CA-ON")


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-27 16:30", datetime(2026, 11, 27, 21, 30, tzinfo=UTC)),
        ("2026-11-27 9:30", datetime(2026, 11, 27, 14, 30, tzinfo=UTC)),
        ("  2026-11-27T16:30  ", datetime(2026, 11, 27, 21, 30, tzinfo=UTC)),
        ("2026-11-27T16:30:00-05:00", datetime(2026, 11, 27, 21, 30, tzinfo=UTC)),
        ("2026-11-27T21:30:00Z", datetime(2026, 11, 27, 21, 30, tzinfo=UTC)),
        ("2026-11-27 22:30+01:00", datetime(2026, 11, 27, 21, 30, tzinfo=UTC)),
        # 02:30 does not exist on 8 March: read as 03:30 EDT
        ("2026-03-08 02:30", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        # 01:30 happens twice on 1 November: the first one, EDT
        ("2026-11-01 01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_start_is_site_time_unless_it_has_an_offset(text: str, instant: datetime) -> None:
    start = parse_start(text, TORONTO)

    assert start == instant
    assert start.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", '"tomorrow" is not a start time (use "YYYY-MM-DD HH:MM" in site time'),
        ("2026-11-27", '"2026-11-27" is not a start time (use "YYYY-MM-DD HH:MM"'),
        ("2026-13-01 10:00", '"2026-13-01 10:00" is not a start time: month must be in 1..12'),
        ("27/11/2026 16:30", '"27/11/2026 16:30" is not a start time'),
    ],
)
def test_a_bad_start_says_what_to_write(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_start(text, TORONTO)

    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize(
    ("start", "window", "due"),
    [
        ("2026-11-27 16:30", "1 business day", "2026-11-30T16:30:00-05:00"),
        ("2026-11-24 15:00", "1 business day", "2026-11-25T15:00:00-05:00"),
        ("2026-11-28 10:00", "1 business day", "2026-11-30T17:00:00-05:00"),
        ("2026-11-24 18:00", "end of 1 business day", "2026-11-26T17:00:00-05:00"),
        ("2026-02-13 15:00", "1 business day", "2026-02-17T15:00:00-05:00"),
        ("2026-03-06 16:00", "1 business day", "2026-03-09T16:00:00-04:00"),
        # Fri 16:30: half an hour on Friday, an hour and a half on Monday
        ("2026-11-27T21:30:00Z", "2 business hours", "2026-11-30T10:30:00-05:00"),
        ("2026-03-07 12:00", "1 day", "2026-03-08T13:00:00-04:00"),
    ],
)
def test_due_instant_is_iso_8601_with_the_site_offset(
    calendar: BusinessCalendar, start: str, window: str, due: str
) -> None:
    assert due_instant(calendar, start, window) == due


def test_a_batch_answers_each_line_in_order(calendar: BusinessCalendar) -> None:
    lines = [
        "2026-11-27 16:30\t1 business day\n",
        "\n",
        "2026-11-24 18:00\tend of 1 business day\r\n",
    ]

    answers, all_good = run_batch(calendar, lines)

    assert answers == ["2026-11-30T16:30:00-05:00", "2026-11-26T17:00:00-05:00"]
    assert all_good


def test_a_bad_line_in_a_batch_is_an_error_in_its_place(calendar: BusinessCalendar) -> None:
    lines = [
        "2026-11-27 16:30\t1 bizness day",
        "2026-11-27 16:30 1 business day",
        "someday\t1 business day",
        "2026-11-27 16:30\t1 business day",
    ]

    answers, all_good = run_batch(calendar, lines)

    assert not all_good
    assert answers[0].startswith('error: "1 bizness day" is not a duration (use ')
    assert answers[1] == 'error: expected START<TAB>WINDOW, got "2026-11-27 16:30 1 business day"'
    assert answers[2].startswith('error: "someday" is not a start time')
    assert answers[3] == "2026-11-30T16:30:00-05:00"


def test_an_empty_batch_is_fine(calendar: BusinessCalendar) -> None:
    assert run_batch(calendar, []) == ([], True)
