"""The duration grammar of the policy file and the console's `/wait`."""

from datetime import timedelta

import pytest

from bot.domain.durations import Duration, DurationError, parse_duration, parse_wait


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 business day", Duration("business_days", 1)),
        ("7 business days", Duration("business_days", 7)),
        ("end of 1 business day", Duration("end_of_business_days", 1)),
        ("End Of 3 Business Days", Duration("end_of_business_days", 3)),
        ("2 business hours", Duration("business_hours", 2)),
        ("1 business hour", Duration("business_hours", 1)),
        ("0.5 business hours", Duration("business_hours", 0.5)),
        ("0.25 business days", Duration("business_days", 0.25)),
        ("  2   business   hours ", Duration("business_hours", 2)),
        ("30 seconds", Duration("plain", 30)),
        ("5 minutes", Duration("plain", 300)),
        ("1 minute", Duration("plain", 60)),
        ("3 hours", Duration("plain", 3 * 3600)),
        ("90 days", Duration("plain", 90 * 86400)),
        ("2 weeks", Duration("plain", 14 * 86400)),
        ("1.5 hours", Duration("plain", 5400)),
    ],
)
def test_policy_durations(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


def test_plain_durations_are_elapsed_time() -> None:
    assert parse_duration("90 days").plain == timedelta(days=90)
    assert parse_duration("5 minutes").plain == timedelta(minutes=5)


def test_business_durations_have_no_elapsed_time() -> None:
    with pytest.raises(ValueError, match="business time"):
        _ = parse_duration("1 business day").plain


@pytest.mark.parametrize(
    "text",
    [
        "1 business day",
        "7 business days",
        "end of 1 business day",
        "end of 2 business days",
        "2 business hours",
        "1 business hour",
        "0.5 business hours",
        "1.75 business days",
        "30 seconds",
        "5 minutes",
        "1 hour",
        "90 days",
        "1 week",
    ],
)
def test_str_gives_back_the_canonical_phrase(text: str) -> None:
    assert str(parse_duration(text)) == text


def test_plain_durations_print_in_their_largest_whole_unit() -> None:
    assert str(parse_duration("120 minutes")) == "2 hours"
    assert str(parse_duration("14 days")) == "2 weeks"
    assert str(Duration("plain", 0)) == "0 seconds"


@pytest.mark.parametrize(
    "text",
    ["1 bizness day", "", "business day", "-1 business day", "1.5 end of business days", "10m"],
)
def test_a_bad_duration_shows_the_accepted_forms(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)

    assert str(caught.value) == (
        f'"{text}" is not a duration (use "N business days", "end of N business days",'
        ' "N business hours" or "N minutes/hours/days")'
    )


def test_end_of_business_days_needs_a_whole_number() -> None:
    with pytest.raises(DurationError, match="needs a whole number"):
        parse_duration("end of 1.5 business days")


def test_duration_error_is_a_value_error() -> None:
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("3h", 3 * 3600), ("2d", 2 * 86400), ("45s", 45), ("1w", 7 * 86400)],
)
def test_wait_takes_short_forms(text: str, seconds: int) -> None:
    assert parse_wait(text) == Duration("plain", seconds)


def test_wait_takes_the_whole_policy_grammar() -> None:
    assert parse_wait("end of 1 business day") == Duration("end_of_business_days", 1)
    assert parse_wait("2 business hours") == Duration("business_hours", 2)


def test_a_bad_wait_mentions_the_short_forms() -> None:
    with pytest.raises(DurationError, match='"10x" is not a duration .*short form'):
        parse_wait("10x")


@pytest.mark.parametrize(
    ("window", "quarter"),
    [
        ("1 business day", Duration("business_days", 0.25)),
        ("7 business days", Duration("business_days", 1.75)),
        ("end of 2 business days", Duration("business_days", 0.5)),
        ("2 business hours", Duration("business_hours", 0.5)),
        ("5 minutes", Duration("plain", 75)),
    ],
)
def test_a_quarter_of_a_window_is_the_default_warning(window: str, quarter: Duration) -> None:
    assert parse_duration(window).quarter() == quarter


def test_of_turns_a_timedelta_into_a_plain_duration() -> None:
    assert Duration.of(timedelta(minutes=10)) == parse_duration("10 minutes")


@pytest.mark.parametrize(
    ("unit", "amount"),
    [("business_days", -1), ("plain", 1.5), ("end_of_business_days", 0.5), ("fortnights", 1)],
)
def test_invalid_durations_cannot_be_built(unit: str, amount: float) -> None:
    with pytest.raises(ValueError):
        Duration(unit, amount)  # type: ignore[arg-type]
