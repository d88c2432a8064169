"""ID checks at sign-in (`[visitors] check_id`): the type of ID seen is recorded, never its number.

So that no ID number is kept anywhere, text typed at sign-in (name, organisation, note, needs)
is refused when it holds one. The rule, chosen so that a phone number in a note is still
allowed wherever it is today:

- a phone number that `phonenumbers` finds (bot.domain.contacts.find_phones) is allowed — unless an
  ID word ("passport", "licence", "ID", "card", …) comes just before it;
- any other token of letters and digits (joined by `-`, `/` or `.`) with 6 or more digits is
  refused ("123456789", "GA123456", "A1234-56789-01234"), except a date ("2026-11-24");
- any token with 4 or more digits right after an ID word is refused ("ID no. 5521").

Shorter numbers (a room, a floor, "gate 12"), dates and times pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.contacts import DEFAULT_REGION, find_phones
from bot.domain.roles import Refusal, Roles
from storage import audit
from storage.models import Visit

# The buttons of the sign-in reply, in order: stored value → label.
ID_TYPES: dict[str, str] = {
    "driving_licence": "Driving licence",
    "passport": "Passport",
    "staff_card": "Staff/student card",
    "other": "Other ID",
    "not_checked": "Not checked",
}

MIN_DIGITS = 6  # a token with this many digits is taken for an ID number
MIN_DIGITS_AFTER_WORD = 4  # fewer after an ID word ("ID no. 5521")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*")
_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_ID_WORD = re.compile(
    r"\b(?:passport|licen[cs]e|driving|driver'?s?|id|identity|identification|card|dl|"
    r"ssn|sin|nin|ohip|health\s+card|badge)\b(?:\s*(?:no\.?|number|nr\.?|#|:))?\s*#?\s*$",
    re.IGNORECASE,
)


class IdNumberTyped(ValueError):
    """Text typed at sign-in holds what looks like an ID number (the message names the field,
    never the number)."""


@dataclass(frozen=True)
class Field:
    """One piece of typed text and the name the error gives it."""

    label: str
    text: str | None


def _digits(token: str) -> int:
    return sum(ch.isdigit() for ch in token)


def holds_id_number(text: str, region: str = DEFAULT_REGION) -> bool:
    """Whether `text` holds what looks like an ID number (the module's rule)."""
    phones = [(p.start, p.end) for p in find_phones(text, region)]
    for found in _TOKEN.finditer(text):
        token, start = found.group(0), found.start()
        digits = _digits(token)
        after_word = _ID_WORD.search(text[max(0, start - 40) : start]) is not None
        if after_word and digits >= MIN_DIGITS_AFTER_WORD:
            return True
        if digits < MIN_DIGITS or _DATE.match(token):
            continue
        if any(begin <= start < end for begin, end in phones):
            continue  # a phone number, allowed as it always was
        return True
    # A phone number written with spaces ("555 0199 1234") right after an ID word.
    return any(_ID_WORD.search(text[max(0, begin - 40) : begin]) for begin, _ in phones)


def refuse_id_numbers(fields: Iterable[Field], region: str = DEFAULT_REGION) -> None:
    """Raise IdNumberTyped naming the first field that holds an ID number."""
    for field in fields:
        if field.text and holds_id_number(field.text, region):
            raise IdNumberTyped(
                f"The {field.label} looks like it holds an ID number. Front Desk records only "
                "the type of ID seen (the buttons after sign-in), never its number: take the "
                "number out and try again."
            )


class IdAlreadyRecorded(LookupError):
    """The visit's ID type was recorded before (a second press changes nothing)."""


def record_id_type(
    session: Session, *, visit_id: int, id_type: str, by: str, now: datetime, roles: Roles
) -> Visit:
    """Record the type of ID seen for a visitor signed in (once)."""
    if not roles.is_desk(by):
        raise Refusal("Only reception and managers may record the ID seen.")
    if id_type not in ID_TYPES:
        raise ValueError(f"unknown ID type {id_type!r}")
    visit = session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.anonymised:
        raise LookupError("that visit is no longer on record")
    if visit.id_type is not None:
        raise IdAlreadyRecorded(f"already recorded as {ID_TYPES.get(visit.id_type, visit.id_type)}")
    visit.id_type = id_type
    session.add(visit)
    # The type lives on the visit alone (so retention and forget clear it), not in the audit.
    audit.record(session, visit_id=visit.id, actor_id=by, action="id_checked", at=now)
    return visit
