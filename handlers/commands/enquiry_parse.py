"""`/enquiry …` text into a typed request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.config import EnquiryConfig
from bot.domain.contacts import DEFAULT_REGION
from bot.domain.services.enquiries import listed
from handlers.blocks.enquiries import ENQUIRY_FORM, ENQUIRY_USAGE
from handlers.commands.needs_parse import take_needs
from handlers.commands.parsing import (
    Help,
    OpenForm,
    ParseError,
    checked_name,
    clean,
    contacts_out,
    first_word,
    refuse_unresolved,
    split_at_colon,
    tidy,
)
from handlers.text import MENTION, esc

MAX_SUMMARY = 3000
MAX_CONTACT = 500
_VIA = re.compile(r"^via\s+(.+?)\s+from\s+(.*)$", re.IGNORECASE | re.DOTALL)
_FOR_OWNER = re.compile(r"(?:^|\s)for\s+" + MENTION.pattern + r"\s*", re.IGNORECASE)
# `[contact <e-mail, phone or address>]`, `[prefers <medium>]` and `[expect <when>]` (when the
# customer was told to expect a full answer), before the colon.
_OPTION = re.compile(r"\[\s*(contact|prefers|expect)\b([^\]]*)\]", re.IGNORECASE)


@dataclass(frozen=True)
class LogEnquiry:
    kind: str
    channel: str  # one of the policy's `[enquiry] channels`
    from_name: str
    owner_id: str | None
    summary: str
    contact: str | None = None  # e-mail, phone or address: private like a phone number
    prefers: str | None = None  # the medium the customer prefers (a channel)
    expect: str | None = None  # when they were told to expect a full answer, as typed
    needs: str | None = None  # `[needs …]`: the customer's access needs


EnquiryRequest = LogEnquiry | Help | OpenForm


def _shown(word: str) -> str:
    return esc(clean(word)[:40])


def parse_enquiry(
    text: str, *, region: str = DEFAULT_REGION, config: EnquiryConfig | None = None
) -> EnquiryRequest:
    """Read the text of an `/enquiry` command; `region` is the site's phone region, `config`
    the policy's kinds and channels.

    The summary starts at the first colon outside parentheses; the owner is a `for @someone`
    before it, and so are `[contact …]` and `[prefers …]`; a phone number or e-mail address
    typed into the name is the customer's contact (the owner's DM shows it, channels do not).
    """
    config = config or EnquiryConfig()
    word, rest = first_word(text)
    if word == "":
        return OpenForm()
    if word == "help":
        return Help()
    rest, needs = take_needs(rest, ENQUIRY_FORM)
    word = word.rstrip(":")
    kind = config.kind_of(clean(word))
    if kind is None:
        raise ParseError(
            f"`{_shown(word)}` is not a kind of enquiry here: use {listed(config.kinds)}.",
            ENQUIRY_FORM,
        )
    via = _VIA.match(rest.strip())
    if via is None:
        raise ParseError(
            "Say how it came in and from whom, as in `via letter from Jane Doe`.", ENQUIRY_FORM
        )
    channel = config.channel_of(clean(via.group(1)))
    if channel is None:
        raise ParseError(
            f"`{_shown(via.group(1))}` is not a channel here: use {listed(config.channels)}.",
            ENQUIRY_FORM,
        )
    head, summary = split_at_colon(via.group(2))
    contacts: list[str] = []
    prefers = expect = None
    for option in _OPTION.finditer(head):
        value = clean(option.group(2))
        if option.group(1).lower() == "expect":
            if not value:
                raise ParseError(
                    "Say when they may expect a full answer: `[expect friday]`.", ENQUIRY_FORM
                )
            expect = value
            continue
        if option.group(1).lower() == "contact":
            if not value:
                raise ParseError(
                    "Say how to reach them: `[contact jane@example.org]`.", ENQUIRY_FORM
                )
            contacts.append(value)
            continue
        prefers = config.channel_of(value)
        if prefers is None:
            raise ParseError(
                f"`{_shown(value)}` is not a medium here: use {listed(config.channels)}.",
                ENQUIRY_FORM,
            )
    head = _OPTION.sub(" ", head)
    owner_id = None
    owner = _FOR_OWNER.search(head)
    if owner is not None:
        owner_id = owner.group(1)
        head = head[: owner.start()] + " " + head[owner.end() :]
    refuse_unresolved(head, ENQUIRY_FORM)
    if MENTION.search(head):
        raise ParseError("Name the owner as `for @someone`, just before the colon.", ENQUIRY_FORM)
    if summary is None or not clean(summary):
        raise ParseError("What is it about? Add `: &lt;summary&gt;` at the end.", ENQUIRY_FORM)
    head, typed = contacts_out(clean(head), region)
    if typed:
        contacts.append(typed)
    from_name = checked_name(tidy(head), "name of who it is from", ENQUIRY_FORM)
    summary = clean(summary)
    if len(summary) > MAX_SUMMARY:
        raise ParseError(
            f"The summary is too long (at most {MAX_SUMMARY} characters).", ENQUIRY_FORM
        )
    contact = ", ".join(contacts) or None
    if contact and len(contact) > MAX_CONTACT:
        raise ParseError(
            f"The contact is too long (at most {MAX_CONTACT} characters).", ENQUIRY_FORM
        )
    return LogEnquiry(kind, channel, from_name, owner_id, summary, contact, prefers, expect, needs)


__all__ = ["ENQUIRY_USAGE", "EnquiryRequest", "Help", "LogEnquiry", "OpenForm", "parse_enquiry"]
