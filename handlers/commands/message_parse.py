"""`/message …` text into a typed request.

`/message [urgent] @recipient <caller name> [(<organisation>)] [<phone>] [: <message>]`:
the recipient is the leading mention; the message is everything after the first colon; a
phone number is the run of digits (with + ( ) - . / spaces, and an extension) at the end of
what is left, and an organisation the bracketed part before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.blocks.messages import MESSAGE_FORM, MESSAGE_USAGE
from handlers.commands.parsing import Help, OpenForm, ParseError, checked_name, clean, first_word
from handlers.text import MENTION

MAX_BODY = 3000
PHONE_AT_END = re.compile(
    r"(?:^|\s)(?P<phone>\+?\(?\d[\d\s().\-/]*\d(?:\s*(?:x|ext\.?|#)\s*\d+)?)\s*$",
    re.IGNORECASE,
)
EMAIL_AT_END = re.compile(r"(?:^|\s)(?P<email>[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+)\s*$")
ORGANISATION_AT_END = re.compile(r"\((?P<organisation>[^()]*)\)\s*$")
MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class TakeMessage:
    recipient_id: str
    caller: str
    organisation: str | None
    phone: str | None
    email: str | None
    body: str | None
    urgent: bool


MessageRequest = TakeMessage | Help | OpenForm


def parse_message(text: str) -> MessageRequest:
    """Read the text of a `/message` command."""
    verb, rest = first_word(text)
    if verb == "":
        return OpenForm()
    if verb == "help":
        return Help()
    urgent = verb in ("urgent", "!")
    if not urgent:
        rest = text
    rest = re.sub(r"^\s*for\s+(?=<@)", "", rest.strip(), flags=re.IGNORECASE)
    leading = MENTION.match(rest)
    if leading is None:
        raise ParseError(
            "Who is the message for? Start with a mention, as in `/message @alice Jane Doe`.",
            MESSAGE_FORM,
        )
    head, _, body = rest[leading.end() :].partition(":")
    head = clean(head)
    email = None
    found = EMAIL_AT_END.search(head)
    if found:
        email, head = found.group("email"), head[: found.start()].strip()
    phone = None
    found = PHONE_AT_END.search(head)
    if found and sum(ch.isdigit() for ch in found.group("phone")) >= MIN_PHONE_DIGITS:
        phone, head = found.group("phone").strip(), head[: found.start()].strip()
    organisation = None
    found = ORGANISATION_AT_END.search(head)
    if found:
        organisation = clean(found.group("organisation")) or None
        head = head[: found.start()].strip()
        if organisation is not None:
            organisation = checked_name(organisation, "organisation", MESSAGE_FORM)
    caller = checked_name(head, "caller's name", MESSAGE_FORM)
    body = unescape_body(body)
    if len(body) > MAX_BODY:
        raise ParseError(f"The message is too long (at most {MAX_BODY} characters).", MESSAGE_FORM)
    return TakeMessage(
        recipient_id=leading.group(1),
        caller=caller,
        organisation=organisation,
        phone=phone,
        email=email,
        body=body or None,
        urgent=urgent,
    )


def unescape_body(text: str) -> str:
    """The message as typed: unescaped once, its lines kept, ends trimmed."""
    return "\n".join(clean(line) for line in text.strip().splitlines()).strip()


__all__ = ["MESSAGE_USAGE", "MessageRequest", "OpenForm", "Help", "TakeMessage", "parse_message"]
