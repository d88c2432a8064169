"""`/message …` text into a typed request.

`/message [urgent] [@recipient] [urgent] <caller name> [(<organisation>)] [<phone>] [: <message>]`,
typed as receptionists type it (with no recipient, the routing rules say who has it):

- the recipient is the leading mention (after an optional `for` or `to`), or a `for @x` after
  the caller's name ("Sam Roe for @alice"); an `@name` Slack could not resolve is an error
  naming it, never part of the caller's name;
- `urgent` counts as the word before or right after the recipient, or as the last word before
  the message; a capitalised "Urgent" followed by a capitalised word is a name ("Urgent Care
  Clinic");
- the message starts at the first colon outside parentheses (so an organisation may hold one);
  with no colon, whatever follows the phone number, a dash, or "re"/"about" is the message;
- a phone number or e-mail address anywhere in the caller's part goes to its own field (numbers
  found with `phonenumbers` for the site's region, lettered ones such as 1-800-FLOWERS too), and
  the organisation is the bracketed part or what follows "from".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.contacts import DEFAULT_REGION, EMAIL, find_phones, unlinked
from handlers.blocks.messages import MESSAGE_FORM, MESSAGE_USAGE
from handlers.commands.parsing import (
    Help,
    OpenForm,
    ParseError,
    checked_name,
    clean,
    refuse_unresolved,
    split_at_colon,
    tidy,
)
from handlers.text import MENTION

MAX_BODY = 3000
MAX_PHONE, MAX_EMAIL = 64, 254  # the columns' (and the form's) sizes
# A number the matcher does not know (too short, or of another region) is still taken out of
# the name when it ends it: kept as typed and flagged by the service.
PHONE_AT_END = re.compile(
    r"(?:^|\s)(?P<phone>\+?\(?\d[\d\s().\-/]*\d(?:\s*(?:x|ext\.?|#)\s*\d+)?)\s*$",
    re.IGNORECASE,
)
MIN_PHONE_DIGITS = 5
_URGENT = re.compile(r"^(?:urgent|urgently|asap|!+)[!:,.]*$", re.IGNORECASE)
_LEAD = re.compile(r"^(?:for|to)$", re.IGNORECASE)
_FOR_RECIPIENT = re.compile(r"(?:^|\s)(?:for|to)\s+(" + MENTION.pattern + r")", re.IGNORECASE)
_BODY_START = re.compile(r"\s+(?:[—–]|-{1,2}|re:?|about|regarding)\s+")
_ORGANISATION = re.compile(r"\((?P<organisation>[^()]*)\)")
_FROM = re.compile(r"^from\s+", re.IGNORECASE)
_CHANNEL = re.compile(r"<#C[A-Z0-9]+(?:\|[^>]*)?>")
_FROM_ORGANISATION = re.compile(r"\s+from\s+", re.IGNORECASE)


@dataclass(frozen=True)
class TakeMessage:
    recipient_id: str | None  # None: routed by the policy's rules, else to the desk
    caller: str
    organisation: str | None
    phone: str | None
    email: str | None
    body: str | None
    urgent: bool


MessageRequest = TakeMessage | Help | OpenForm


def parse_message(text: str, *, region: str = DEFAULT_REGION) -> MessageRequest:
    """Read the text of a `/message` command; `region` is the site's phone region."""
    if not text.strip():
        return OpenForm()
    if text.strip().lower() in ("help", "?"):
        return Help()
    head, body = split_at_colon(text)
    words = head.split()
    urgent = False
    while words and (_URGENT.match(words[0]) or _LEAD.match(words[0])):
        urgent = urgent or bool(_URGENT.match(words[0]))
        words.pop(0)
    recipient_id: str | None = None
    if words and MENTION.fullmatch(words[0]):
        found = MENTION.fullmatch(words.pop(0))
        assert found is not None
        recipient_id = found.group(1)
        if words and _is_urgent_flag(words):
            urgent = True
            words.pop(0)
    rest = " ".join(words)
    if recipient_id is None:
        after = _FOR_RECIPIENT.search(rest)
        if after is not None:
            recipient_id = after.group(2)
            tail = rest[after.end() :].split()
            if tail and _is_urgent_flag(tail):
                urgent = True
                tail.pop(0)
            rest = " ".join([rest[: after.start()], *tail])
    if recipient_id is None:
        # No recipient: the routing rules say who has it, else the desk (DESIGN "Commands").
        refuse_unresolved(rest, MESSAGE_FORM, "Who is the message for? ")
        if _CHANNEL.search(rest):
            raise ParseError(
                "Who is the message for? Mention a person, not a channel (or name nobody, "
                "and the policy's routing rules or the desk take it).",
                MESSAGE_FORM,
            )
    if MENTION.search(rest):
        raise ParseError(
            "Name one person the message is for; put any others in the message, after a colon.",
            MESSAGE_FORM,
        )
    refuse_unresolved(rest, MESSAGE_FORM)
    caller_part = clean(rest)
    trailing = caller_part.rsplit(None, 1)
    if len(trailing) == 2 and trailing[1] in ("urgent", "URGENT", "(urgent)", "urgent!"):
        urgent, caller_part = True, trailing[0]
    if body is not None:  # "Sam Roe re: the invoice"
        caller_part = re.sub(r"\s+(?:re|about|regarding)$", "", caller_part, flags=re.IGNORECASE)
    caller, organisation, phone, email, said = _caller(caller_part, region, body is not None)
    message = "\n".join(part for part in (said, unescape_body(body or "")) if part)
    if len(message) > MAX_BODY:
        raise ParseError(f"The message is too long (at most {MAX_BODY} characters).", MESSAGE_FORM)
    return TakeMessage(
        recipient_id=recipient_id,
        caller=caller,
        organisation=organisation,
        phone=phone,
        email=email,
        body=message or None,
        urgent=urgent,
    )


@dataclass(frozen=True)
class Caller:
    """A caller's name with what was typed into it taken out."""

    name: str
    organisation: str | None
    phone: str | None
    email: str | None
    said: str | None  # what followed a number with no colon: the start of the message


def read_caller(text: str, *, region: str = DEFAULT_REGION) -> Caller:
    """The form's "Caller's name" field read as the command reads it: a number, an address or
    a bracketed organisation typed into it go to their own fields (text already unescaped)."""
    return Caller(*_caller(tidy(text), region, has_colon=False))


def _is_urgent_flag(words: list[str]) -> bool:
    """Whether the first of `words` (right after the recipient) marks the message urgent."""
    word = words[0]
    if not _URGENT.match(word):
        return False
    titled_name = word == "Urgent" and len(words) > 1 and words[1][:1].isupper()
    return not titled_name


def _caller(
    text: str, region: str, has_colon: bool
) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(caller, organisation, phone, e-mail, message) from the part before the colon.

    With no colon, what follows the number is the message; with one, it is still the name
    ("Sam 416-555-0100 Roe: …").
    """
    said: str | None = None
    email = None
    text = unlinked(text)
    found_email = EMAIL.search(text)
    if found_email is not None:
        email = found_email.group(0)
        text = _joined(text[: found_email.start()], text[found_email.end() :])
    phone = None
    phones = find_phones(text, region)
    if phones:
        first = phones[0]
        phone = first.typed.strip()
        if has_colon:
            text = _joined(text[: first.start], text[first.end :])
        else:
            said = tidy(text[first.end :]) or None
            text = text[: first.start]
    else:
        ends = PHONE_AT_END.search(text)
        if ends and sum(ch.isdigit() for ch in ends.group("phone")) >= MIN_PHONE_DIGITS:
            phone = ends.group("phone").strip()
            text = text[: ends.start()]
    if said is None and phone is None:
        starts = _BODY_START.search(_outside_brackets(text))
        if starts is not None:
            said = tidy(text[starts.end() :]) or None
            text = text[: starts.start()]
    if said is not None:
        said = re.sub(r"^(?:[—–]|-{1,2}|re:?)\s+", "", said, flags=re.IGNORECASE)
    text = _FROM.sub("", text.strip())
    organisation = None
    brackets = list(_ORGANISATION.finditer(text))
    if brackets:
        last = brackets[-1]
        organisation = tidy(last.group("organisation")) or None
        text = _joined(text[: last.start()], text[last.end() :])
    else:
        parts = _FROM_ORGANISATION.split(text, maxsplit=1)
        if len(parts) == 2 and tidy(parts[1]):
            text, organisation = parts[0], tidy(parts[1])
    if organisation is not None:
        organisation = checked_name(organisation, "organisation", MESSAGE_FORM)
    if phone is not None and len(phone) > MAX_PHONE:
        raise ParseError(
            f"The phone number is too long (at most {MAX_PHONE} characters).", MESSAGE_FORM
        )
    if email is not None and len(email) > MAX_EMAIL:
        raise ParseError(
            f"The e-mail address is too long (at most {MAX_EMAIL} characters).", MESSAGE_FORM
        )
    caller = checked_name(tidy(text), "caller's name", MESSAGE_FORM)
    return caller, organisation, phone, email, said


def _outside_brackets(text: str) -> str:
    """`text` with bracketed parts blanked (same length), so a dash in "(Smith - Jones)" stays."""
    return re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), text)


def _joined(before: str, after: str) -> str:
    return " ".join((before + " " + after).split())


def unescape_body(text: str) -> str:
    """The message as typed: unescaped once, its lines kept, ends trimmed."""
    return "\n".join(clean(line) for line in text.strip().splitlines()).strip()


__all__ = [
    "MESSAGE_USAGE",
    "Caller",
    "Help",
    "MessageRequest",
    "OpenForm",
    "TakeMessage",
    "caller_part",
    "parse_message",
    "read_caller",
]


def caller_part(text: str, *, region: str, has_colon: bool, usage: str) -> Caller:
    """A caller's part of a command line (before any colon, already unescaped) read as
    `/message` reads it, its errors showing `usage` (for `/call`, which logs callers too)."""
    try:
        return Caller(*_caller(text, region, has_colon))
    except ParseError as error:
        raise ParseError(error.message, usage) from None
