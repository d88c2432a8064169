"""`[needs …]` on a command line: a visitor's or customer's access needs."""

from __future__ import annotations

import re

from handlers.commands.parsing import ParseError, clean

MAX_NEEDS = 200  # Visit.needs, Enquiry.needs
_NEEDS = re.compile(r"\[\s*needs?\b\s*:?\s*([^\]]*)\]", re.IGNORECASE)


def take_needs(text: str, form: str) -> tuple[str, str | None]:
    """(the text without its `[needs …]`, the needs as typed, unescaped and tidied).

    "Kim Lee for @alice [needs wheelchair]" → ("Kim Lee for @alice", "wheelchair").
    """
    found = list(_NEEDS.finditer(text))
    if not found:
        return text, None
    if len(found) > 1:
        raise ParseError(
            "Give the access needs once, as in `[needs wheelchair, large print]`.", form
        )
    needs = clean(found[0].group(1))
    if not needs:
        raise ParseError("What are the access needs? As in `[needs wheelchair]`.", form)
    if len(needs) > MAX_NEEDS:
        raise ParseError(f"The access needs are too long (at most {MAX_NEEDS} characters).", form)
    match = found[0]
    return text[: match.start()] + " " + text[match.end() :], needs
