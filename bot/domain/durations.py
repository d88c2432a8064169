"""Durations of the policy grammar: business days and hours, "end of" days, and elapsed time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

DurationUnit = Literal["business_days", "end_of_business_days", "business_hours", "plain"]

_UNITS: tuple[DurationUnit, ...] = (
    "business_days",
    "end_of_business_days",
    "business_hours",
    "plain",
)
# Units whose amount may be fractional: a quarter of "1 business day" is "0.25 business days".
_FRACTIONAL: frozenset[str] = frozenset({"business_days", "business_hours"})

ACCEPTED_FORMS = (
    '"N business days", "end of N business days", "N business hours" or "N minutes/hours/days"'
)
WAIT_FORMS = (
    '"N business days", "end of N business days", "N business hours", "N minutes/hours/days"'
    ' or a short form such as "10m", "3h", "2d"'
)

_SECONDS_PER: dict[str, int] = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
}
_PLAIN_WORDS: dict[str, str] = {
    "s": "second",
    "sec": "second",
    "secs": "second",
    "second": "second",
    "seconds": "second",
    "m": "minute",
    "min": "minute",
    "mins": "minute",
    "minute": "minute",
    "minutes": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hours": "hour",
    "d": "day",
    "day": "day",
    "days": "day",
    "w": "week",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
}
_LONG_PLAIN_WORDS = {word for word in _PLAIN_WORDS if len(word) > 1}

_NUMBER = r"(\d+(?:\.\d+)?)"
_END_OF = re.compile(rf"end of {_NUMBER} business days?")
_BUSINESS_DAYS = re.compile(rf"{_NUMBER} business days?")
_BUSINESS_HOURS = re.compile(rf"{_NUMBER} business hours?")
_PLAIN = re.compile(rf"{_NUMBER} ?([a-z]+)")


class DurationError(ValueError):
    """A duration that is not in the policy grammar."""


@dataclass(frozen=True)
class Duration:
    """A window length.

    `amount` is the number of units: business days and business hours may be fractional (the
    default warning of a 1-business-day window is 0.25 business days); "end of" days are whole;
    plain durations are stored in whole seconds, read them through `plain`.
    """

    unit: DurationUnit
    amount: float

    def __post_init__(self) -> None:
        if self.unit not in _UNITS:
            raise ValueError(f"unknown duration unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError(f"a duration cannot be negative: {self.amount}")
        if self.amount == int(self.amount):
            # 2.0 and 2 are the same amount; keep ints so str() and equality stay simple.
            object.__setattr__(self, "amount", int(self.amount))
        elif self.unit not in _FRACTIONAL:
            raise ValueError(f"{self.unit} needs a whole number, not {self.amount}")

    @classmethod
    def of(cls, delta: timedelta) -> Duration:
        """Return the plain (elapsed-time) duration of `delta`, to the second."""
        return cls("plain", round(delta.total_seconds()))

    @property
    def plain(self) -> timedelta:
        """Return the elapsed time of a plain duration."""
        if self.unit != "plain":
            raise ValueError(f"{self} is business time, not elapsed time")
        return timedelta(seconds=self.amount)

    @property
    def is_business(self) -> bool:
        """Whether this duration counts working time rather than elapsed time."""
        return self.unit != "plain"

    def quarter(self) -> Duration:
        """Return a quarter of this window (the default `warn_before`), in the same kind of time."""
        if self.unit == "plain":
            return Duration("plain", round(self.amount / 4))
        if self.unit == "end_of_business_days":
            return Duration("business_days", self.amount / 4)
        return Duration(self.unit, self.amount / 4)

    def __str__(self) -> str:
        if self.unit == "plain":
            seconds = int(self.amount)
            for word in ("week", "day", "hour", "minute"):
                size = _SECONDS_PER[word]
                if seconds and seconds % size == 0:
                    return _count(seconds // size, word)
            return _count(seconds, "second")
        if self.unit == "business_days":
            return _count(self.amount, "business day")
        if self.unit == "business_hours":
            return _count(self.amount, "business hour")
        return f"end of {_count(self.amount, 'business day')}"


def _count(amount: float, noun: str) -> str:
    number = str(amount) if isinstance(amount, int) else f"{amount:.6f}".rstrip("0").rstrip(".")
    return f"{number} {noun}" if amount == 1 else f"{number} {noun}s"


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _number(digits: str, unit: DurationUnit, original: str, forms: str) -> float:
    if "." in digits and unit not in _FRACTIONAL:
        raise DurationError(f'"{original}" needs a whole number (use {forms})')
    return float(digits) if "." in digits else int(digits)


def _plain(digits: str, word: str, original: str, forms: str) -> Duration:
    seconds = float(digits) * _SECONDS_PER[_PLAIN_WORDS[word]]
    if seconds != int(seconds):
        raise DurationError(f'"{original}" is not a whole number of seconds (use {forms})')
    return Duration("plain", int(seconds))


def _parse_long(text: str, forms: str) -> Duration | None:
    """Parse the spelt-out forms of the grammar, or return None if `text` is not one of them."""
    words = _normalise(text)
    if match := _END_OF.fullmatch(words):
        unit: DurationUnit = "end_of_business_days"
        return Duration(unit, _number(match[1], unit, text, forms))
    if match := _BUSINESS_DAYS.fullmatch(words):
        unit = "business_days"
        return Duration(unit, _number(match[1], unit, text, forms))
    if match := _BUSINESS_HOURS.fullmatch(words):
        unit = "business_hours"
        return Duration(unit, _number(match[1], unit, text, forms))
    if (match := _PLAIN.fullmatch(words)) and match[2] in _LONG_PLAIN_WORDS:
        return _plain(match[1], match[2], text, forms)
    return None


def parse_duration(text: str) -> Duration:
    """Parse a policy duration such as "1 business day" or "5 minutes"."""
    duration = _parse_long(text, ACCEPTED_FORMS)
    if duration is None:
        raise DurationError(f'"{text}" is not a duration (use {ACCEPTED_FORMS})')
    return duration


def parse_wait(text: str) -> Duration:
    """Parse a console `/wait` duration: the policy grammar plus "10m", "3h", "2d", "45s", "1w"."""
    duration = _parse_long(text, WAIT_FORMS)
    if duration is not None:
        return duration
    match = _PLAIN.fullmatch(_normalise(text))
    if match is None or match[2] not in _PLAIN_WORDS:
        raise DurationError(f'"{text}" is not a duration (use {WAIT_FORMS})')
    return _plain(match[1], match[2], text, WAIT_FORMS)
