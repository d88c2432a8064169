"""`/visitor …` text into a typed request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.blocks.visitors import VISITOR_USAGE
from handlers.commands.parsing import (
    Help,
    OpenForm,
    ParseError,
    checked_name,
    clean,
    first_word,
    split_on_last_mention,
    strip_lead,
)
from handlers.text import esc

ARRIVED_FORM = "`/visitor arrived <name> [from <organisation>] for @host [— <note>]`"
EXPECT_FORM = "`/visitor expect <name> [from <organisation>] for @host <when>`"
LEFT_FORM = "`/visitor left <name or pass number>`"
CANCEL_FORM = "`/visitor cancel <name>`"


@dataclass(frozen=True)
class Arrived:
    name: str
    organisation: str | None
    host_id: str
    note: str | None


@dataclass(frozen=True)
class Expect:
    name: str
    organisation: str | None
    host_id: str
    when: str


@dataclass(frozen=True)
class Left:
    query: str


@dataclass(frozen=True)
class Cancel:
    query: str


@dataclass(frozen=True)
class ListOnSite:
    pass


VisitorRequest = Arrived | Expect | Left | Cancel | ListOnSite | Help | OpenForm


def parse_visitor(text: str) -> VisitorRequest:
    """Read the text of a `/visitor` command."""
    verb, rest = first_word(text)
    if verb == "":
        return OpenForm()
    if verb == "help":
        return Help()
    if verb == "list":
        return ListOnSite()
    if verb == "arrived":
        name, organisation, host_id, after = _who_for_host(rest, ARRIVED_FORM)
        note = clean(strip_lead(after, "—|–|-|:")) or None
        return Arrived(name, organisation, host_id, note[:1000] if note else None)
    if verb == "expect":
        name, organisation, host_id, after = _who_for_host(rest, EXPECT_FORM)
        when = clean(after)
        if not when:
            raise ParseError(
                "When are they expected? Add a time, e.g. `tomorrow 10am`.", EXPECT_FORM
            )
        return Expect(name, organisation, host_id, when)
    if verb in ("left", "out", "signout"):
        query = clean(rest)
        if not query:
            raise ParseError("Who left? Give their name or pass number.", LEFT_FORM)
        return Left(query)
    if verb == "cancel":
        query = clean(rest)
        if not query:
            raise ParseError("Whose visit is cancelled? Give their name.", CANCEL_FORM)
        return Cancel(query)
    raise ParseError(f"I don't know `/visitor {esc(clean(verb)[:40])}`.", VISITOR_USAGE)


def _who_for_host(rest: str, form: str) -> tuple[str, str | None, str, str]:
    anchored = split_on_last_mention(rest)
    if anchored is None:
        raise ParseError("Who is the host? Mention them, as in `for @alice`.", form)
    before = re.sub(r"\s+for\s*$|^for\s*$", "", anchored.before.rstrip(), flags=re.IGNORECASE)
    parts = re.split(r"\s+from\s+", " " + before.strip() + " ", maxsplit=1, flags=re.IGNORECASE)
    name = checked_name(clean(parts[0]), "visitor's name", form)
    organisation = clean(parts[1]) if len(parts) > 1 else None
    if organisation is not None:
        organisation = checked_name(organisation, "organisation", form)
    return name, organisation or None, anchored.user_id, anchored.after
