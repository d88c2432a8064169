"""`/visitor correct …` and `/message correct …` text into a typed correction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.commands.parsing import (
    ParseError,
    checked_name,
    clean,
    contacts_out,
    refuse_unresolved,
)
from handlers.text import MENTION

VISITOR_CORRECT_FORM = (
    "`/visitor correct <pass or name> name <right name>` or "
    "`/visitor correct <pass or name> host @right-host`"
)
MESSAGE_CORRECT_FORM = (
    "`/message correct <caller> caller <right name>` or "
    "`/message correct <caller> for @right-recipient`"
)


@dataclass(frozen=True)
class Correction:
    """Which entry (`query`: a pass, a visitor's or a caller's name) and what is right:
    a name, or a person (host, recipient)."""

    query: str
    name: str | None = None
    person_id: str | None = None


_TO_PERSON = re.compile(
    r"^(?P<who>.+?)\s+(?:host|for|to|recipient)\s+(?P<mention>" + MENTION.pattern + r")\s*$",
    re.IGNORECASE,
)


def parse_correction(text: str, *, name_word: str, form: str, region: str) -> Correction:
    """Read `<entry> <name_word> <right name>` or `<entry> for|host @person`."""
    found = _TO_PERSON.match(text.strip())
    if found is not None:
        query = clean(found.group("who"))
        if not query:
            raise ParseError(
                "Which entry? Give the pass number or the name as it was logged.", form
            )
        mention = MENTION.match(found.group("mention"))
        assert mention is not None
        return Correction(query=query, person_id=mention.group(1))
    split = re.split(rf"\s+(?:{name_word})\s+", text.strip(), maxsplit=1, flags=re.IGNORECASE)
    if len(split) != 2 or not clean(split[0]):
        refuse_unresolved(text, form)
        raise ParseError(f"Say which entry and what is right, e.g. {form.split(' or ')[0]}.", form)
    refuse_unresolved(split[1], form)
    name, contact = contacts_out(clean(split[1]), region)
    if contact:
        raise ParseError(
            "Leave phone numbers and e-mail addresses out of the name: it is shown on the "
            "desk's channel.",
            form,
        )
    return Correction(query=clean(split[0]), name=checked_name(name, "right name", form))
