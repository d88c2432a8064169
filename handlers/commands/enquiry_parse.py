"""`/enquiry …` text into a typed request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.contacts import DEFAULT_REGION
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

KINDS = ("complaint", "question", "request")
CHANNELS = {
    "phone": "phone",
    "email": "email",
    "e-mail": "email",
    "letter": "letter",
    "in person": "in_person",
    "in-person": "in_person",
    "social": "social",
    "survey": "survey",
}
MAX_SUMMARY = 3000
_VIA = re.compile(
    r"^via\s+(phone|e-?mail|letter|in[\s-]person|social|survey)\s+from\s+(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_FOR_OWNER = re.compile(r"(?:^|\s)for\s+" + MENTION.pattern + r"\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LogEnquiry:
    kind: str
    channel: str  # phone | email | letter | in_person | social | survey
    from_name: str
    owner_id: str | None
    summary: str
    needs: str | None = None  # `[needs …]`: the customer's access needs


EnquiryRequest = LogEnquiry | Help | OpenForm


def parse_enquiry(text: str, *, region: str = DEFAULT_REGION) -> EnquiryRequest:
    """Read the text of an `/enquiry` command; `region` is the site's phone region.

    The summary starts at the first colon outside parentheses; the owner is a `for @someone`
    before it; a phone number or e-mail address typed into the name goes to the summary (the
    owner's DM shows it, channels do not).
    """
    kind, rest = first_word(text)
    if kind == "":
        return OpenForm()
    if kind == "help":
        return Help()
    rest, needs = take_needs(rest, ENQUIRY_FORM)
    kind = kind.rstrip(":")
    if kind not in KINDS:
        raise ParseError(
            f"Is it a complaint, a question or a request? (`{esc(clean(kind)[:40])}` is none of them.)",
            ENQUIRY_FORM,
        )
    via = _VIA.match(rest.strip())
    if via is None:
        raise ParseError(
            "Say how it came in and from whom, as in `via letter from Jane Doe`.", ENQUIRY_FORM
        )
    channel = CHANNELS[
        " ".join(via.group(1).lower().replace("-", " ").split()).replace("e mail", "email")
    ]
    head, summary = split_at_colon(via.group(2))
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
    head, contact = contacts_out(clean(head), region)
    from_name = checked_name(tidy(head), "name of who it is from", ENQUIRY_FORM)
    summary = clean(summary)
    if contact:
        summary += f" (contact: {contact})"
    if len(summary) > MAX_SUMMARY:
        raise ParseError(
            f"The summary is too long (at most {MAX_SUMMARY} characters).", ENQUIRY_FORM
        )
    return LogEnquiry(kind, channel, from_name, owner_id, summary, needs)


__all__ = ["ENQUIRY_USAGE", "EnquiryRequest", "Help", "LogEnquiry", "OpenForm", "parse_enquiry"]
