"""Contact details in free text: found and removed before anything is posted to a channel."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of at least seven digits, allowing the separators people type in numbers.
PHONE = re.compile(r"(?<![\w/])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?![\w/])")
DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
EMAIL_REMOVED = "[e-mail removed]"
PHONE_REMOVED = "[number removed]"


def scrub_contacts(text: str) -> str:
    """Replace e-mail addresses and phone numbers in `text` with a placeholder."""
    text = EMAIL.sub(EMAIL_REMOVED, text)
    return PHONE.sub(_phone_or_date, text)


def _phone_or_date(match: re.Match[str]) -> str:
    return match.group(0) if DATE.fullmatch(match.group(0)) else PHONE_REMOVED


def has_contacts(text: str) -> bool:
    """Whether `text` holds an e-mail address or something that looks like a phone number."""
    return scrub_contacts(text) != text
