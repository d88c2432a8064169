"""`/ooo until <when>`: real phrases, read in the writer's own zone with a frozen clock.

Results are the return instant in site time (Toronto). Without a time of day the return is
the site's opening that day (09:00), or the next working day's opening when that day is
closed. The same phrases are read for a Toronto writer and a Vancouver writer (3 h behind).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.config import Policy
from bot.domain.services.absences import AbsenceError, return_instant

TORONTO = ZoneInfo("America/Toronto")
VANCOUVER = ZoneInfo("America/Vancouver")
TUESDAY_3PM = datetime(2026, 11, 24, 15, 0, tzinfo=TORONTO)  # noon in Vancouver
# 1 am Wednesday in Toronto is still Tuesday evening (10 pm) in Vancouver.
WEDNESDAY_1AM = datetime(2026, 11, 25, 1, 0, tzinfo=TORONTO)

PAST = "in the past"
UNREADABLE = "could not read"
TOO_FAR = "more than a year away"

# phrase, Toronto writer, Vancouver writer
TUESDAY_AFTERNOON = [
    ("Friday", "2026-11-27 09:00", "2026-11-27 09:00"),
    ("next Friday", "2026-12-04 09:00", "2026-12-04 09:00"),  # the Friday of next week
    ("friday next week", "2026-12-04 09:00", "2026-12-04 09:00"),
    ("next Tuesday", "2026-12-01 09:00", "2026-12-01 09:00"),
    ("Tuesday", "2026-12-01 09:00", "2026-12-01 09:00"),  # today is Tuesday: next one
    ("Monday", "2026-11-30 09:00", "2026-11-30 09:00"),
    ("tomorrow", "2026-11-25 09:00", "2026-11-25 09:00"),
    ("tomorrow 2pm", "2026-11-25 14:00", "2026-11-25 17:00"),  # 2 pm where the writer is
    ("tomorrow at 10:30", "2026-11-25 10:30", "2026-11-25 13:30"),
    ("Dec 10", "2026-12-10 09:00", "2026-12-10 09:00"),
    ("December 10th at 1pm", "2026-12-10 13:00", "2026-12-10 16:00"),
    ("10 December", "2026-12-10 09:00", "2026-12-10 09:00"),
    ("2026-12-10", "2026-12-10 09:00", "2026-12-10 09:00"),
    ("2026-12-10 13:30", "2026-12-10 13:30", "2026-12-10 16:30"),
    ("12/03", "2026-12-03 09:00", "2026-12-03 09:00"),  # MDY: December 3rd
    ("03/12", "2027-03-12 09:00", "2027-03-12 09:00"),  # MDY: March 12th
    ("in two weeks", "2026-12-08 09:00", "2026-12-08 09:00"),
    ("in 3 days", "2026-11-27 09:00", "2026-11-27 09:00"),
    ("next week", "2026-12-01 09:00", "2026-12-01 09:00"),
    ("in a week", "2026-12-01 09:00", "2026-12-01 09:00"),
    ("next month", "2026-12-01 09:00", "2026-12-01 09:00"),
    ("the 10th", "2026-12-10 09:00", "2026-12-10 09:00"),
    ("Saturday", "2026-11-30 09:00", "2026-11-30 09:00"),  # closed: Monday's opening
    ("Dec 24", "2026-12-29 09:00", "2026-12-29 09:00"),  # closure, Christmas, Boxing Day
    ("Dec 25", "2026-12-29 09:00", "2026-12-29 09:00"),
    ("Dec 31", "2026-12-31 09:00", "2026-12-31 09:00"),
    ("Jan 1", "2027-01-04 09:00", "2027-01-04 09:00"),  # New Year's Day, then the weekend
    ("Friday at 9", "2026-11-27 09:00", "2026-11-27 12:00"),
    ("fri 9am", "2026-11-27 09:00", "2026-11-27 12:00"),
    ("in 3 hours", "2026-11-24 18:00", "2026-11-24 18:00"),
    ("5pm", "2026-11-24 17:00", "2026-11-24 20:00"),
    ("Nov 2", "2027-11-02 09:00", "2027-11-02 09:00"),  # ambiguous: this year's is past
    ("today", PAST, PAST),  # today's opening has gone
    ("now", PAST, PAST),
    ("yesterday", PAST, PAST),
    ("last Monday", PAST, PAST),
    ("2026-01-01", PAST, PAST),
    ("2028-01-01", TOO_FAR, TOO_FAR),
    ("in 13 months", TOO_FAR, TOO_FAR),
    ("flibbertigibbet", UNREADABLE, UNREADABLE),
    ("soon", UNREADABLE, UNREADABLE),
    ("end of month", UNREADABLE, UNREADABLE),
    ("32/13/2026", UNREADABLE, UNREADABLE),
    ("banana bread", UNREADABLE, UNREADABLE),
    ("42", "a number, not a date", "a number, not a date"),
]

WEDNESDAY_SMALL_HOURS = [
    ("tomorrow", "2026-11-26 09:00", "2026-11-25 09:00"),  # Thursday / Wednesday
    ("today", "2026-11-25 09:00", PAST),  # Vancouver's today is Tuesday
    ("Wednesday", "2026-12-02 09:00", "2026-11-25 09:00"),
    ("Thursday", "2026-11-26 09:00", "2026-11-26 09:00"),
    ("tomorrow 8am", "2026-11-26 08:00", "2026-11-25 11:00"),
    ("in 2 days", "2026-11-27 09:00", "2026-11-26 09:00"),
]


def _cases(now: datetime, table: list[tuple[str, str, str]]) -> list[object]:
    cases: list[object] = []
    for phrase, toronto, vancouver in table:
        for zone, expected in ((TORONTO, toronto), (VANCOUVER, vancouver)):
            cases.append(pytest.param(now, zone, phrase, expected, id=f"{phrase}-{zone.key}"))
    return cases


def test_the_table_has_at_least_thirty_phrases() -> None:
    assert len({row[0] for row in TUESDAY_AFTERNOON + WEDNESDAY_SMALL_HOURS}) >= 30


@pytest.mark.parametrize(
    ("now", "zone", "phrase", "expected"),
    _cases(TUESDAY_3PM, TUESDAY_AFTERNOON) + _cases(WEDNESDAY_1AM, WEDNESDAY_SMALL_HOURS),
)
def test_return_date_phrases(
    policy: Policy, now: datetime, zone: ZoneInfo, phrase: str, expected: str
) -> None:
    calendar = policy.calendar()
    if expected[:1].isdigit():
        back = return_instant(phrase, now=now, tz=zone, calendar=calendar, date_order="MDY")
        assert back.at.astimezone(TORONTO).strftime("%Y-%m-%d %H:%M") == expected
    else:
        with pytest.raises(AbsenceError, match=expected):
            return_instant(phrase, now=now, tz=zone, calendar=calendar, date_order="MDY")


def test_day_month_order_follows_the_policy(policy: Policy) -> None:
    back = return_instant(
        "03/12", now=TUESDAY_3PM, tz=TORONTO, calendar=policy.calendar(), date_order="DMY"
    )
    assert back.at.astimezone(TORONTO).strftime("%Y-%m-%d %H:%M") == "2026-12-03 09:00"


def test_a_closed_day_is_said_to_move_to_the_next_working_day(policy: Policy) -> None:
    calendar = policy.calendar()
    saturday = return_instant(
        "Saturday", now=TUESDAY_3PM, tz=TORONTO, calendar=calendar, date_order="MDY"
    )
    friday = return_instant(
        "Friday", now=TUESDAY_3PM, tz=TORONTO, calendar=calendar, date_order="MDY"
    )
    assert saturday.moved_to_working_day and not friday.moved_to_working_day
    assert not friday.time_given
