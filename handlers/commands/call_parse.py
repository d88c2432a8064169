"""`/call …` text into a typed request.

`/call in|out <name> [(<organisation>)] [<phone>] [: <subject>]`: the name, organisation and
number are read as `/message` reads a caller (a number typed into the name goes to its own
field; with no colon, what follows the number is the subject).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.contacts import DEFAULT_REGION
from handlers.blocks.calls import CALL_FORM
from handlers.commands.message_parse import caller_part, unescape_body
from handlers.commands.parsing import (
    Help,
    ParseError,
    clean,
    first_word,
    refuse_unresolved,
    split_at_colon,
)
from handlers.text import MENTION

MAX_SUBJECT = 1000
# Name, organisation and number, and with no colon the subject: anything longer is refused
# before the phone-number matcher reads it (it takes seconds over pages of text).
MAX_HEAD = 1600
DIRECTIONS = {"in": "in", "incoming": "in", "out": "out", "outgoing": "out"}


@dataclass(frozen=True)
class LogCall:
    direction: str  # in | out
    name: str
    organisation: str | None
    phone: str | None
    subject: str | None


CallRequest = LogCall | Help


def parse_call(text: str, *, region: str = DEFAULT_REGION) -> CallRequest:
    """Read the text of a `/call` command; `region` is the site's phone region."""
    word, rest = first_word(text)
    if word in ("", "help", "?"):
        return Help()
    if word not in DIRECTIONS:
        raise ParseError(
            "Say whether the call came in or went out: `/call in …` or `/call out …`.", CALL_FORM
        )
    head, body = split_at_colon(rest)
    if len(head) > MAX_HEAD:
        raise ParseError(
            f"That is too long before the colon (at most {MAX_HEAD} characters): "
            "give the name, then a colon, then the subject.",
            CALL_FORM,
        )
    if MENTION.search(head):
        raise ParseError(
            "Give the caller's name, not a mention (a call is logged with someone outside).",
            CALL_FORM,
        )
    refuse_unresolved(head, CALL_FORM)
    caller = caller_part(clean(head), region=region, has_colon=body is not None, usage=CALL_FORM)
    if caller.email is not None:
        raise ParseError("Give a phone number, not an e-mail address.", CALL_FORM)
    subject = "\n".join(part for part in (caller.said, unescape_body(body or "")) if part)
    if len(subject) > MAX_SUBJECT:
        raise ParseError(f"The subject is too long (at most {MAX_SUBJECT} characters).", CALL_FORM)
    return LogCall(
        direction=DIRECTIONS[word],
        name=caller.name,
        organisation=caller.organisation,
        phone=caller.phone,
        subject=subject or None,
    )
