"""`/visitor …` text into a typed request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.domain.contacts import DEFAULT_REGION
from handlers.blocks.visitors import VISITOR_USAGE
from handlers.commands.correct_parse import VISITOR_CORRECT_FORM, Correction, parse_correction
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
    strip_lead,
    tidy,
)
from handlers.text import MENTION, esc

ARRIVED_FORM = "`/visitor arrived <name> [from <organisation>] for @host [— <note>] [needs …]`"
EXPECT_FORM = "`/visitor expect <name> [from <organisation>] for @host <when> [needs …]`"
LEFT_FORM = "`/visitor left <name or pass number>`"
CANCEL_FORM = "`/visitor cancel <name>`"


@dataclass(frozen=True)
class Arrived:
    name: str
    organisation: str | None
    host_id: str
    note: str | None
    needs: str | None = None  # `[needs …]`
    # Confirmed with "Sign in another …": the last visit under this name the receptionist was
    # shown (None: not asked yet).
    after: int | None = None

    def again_value(self, seen: int) -> str:
        """This sign-in as a "Sign in another …" button's value, once `seen` was shown."""
        fields = {
            "n": self.name,
            "o": self.organisation,
            "h": self.host_id,
            "t": self.note,
            "d": self.needs,
        }
        return json.dumps(fields | {"s": seen}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_again_value(cls, value: str) -> Arrived:
        """The sign-in a "Sign in another …" button carries, confirmed."""
        fields = json.loads(value)
        return cls(
            name=str(fields["n"]),
            organisation=fields.get("o"),
            host_id=str(fields["h"]),
            note=fields.get("t"),
            needs=fields.get("d"),
            after=int(fields["s"]),
        )


@dataclass(frozen=True)
class Expect:
    name: str
    organisation: str | None
    host_id: str
    when: str
    needs: str | None = None


@dataclass(frozen=True)
class Left:
    query: str


@dataclass(frozen=True)
class Cancel:
    query: str


@dataclass(frozen=True)
class ListOnSite:
    pass


@dataclass(frozen=True)
class ShowLog:
    """`/visitor log …`: the days and name are read by bot.domain.services.visitor_log."""

    query: str


@dataclass(frozen=True)
class CorrectVisit:
    """`/visitor correct …`: a visitor's name or host put right."""

    correction: Correction


VisitorRequest = (
    Arrived | Expect | Left | Cancel | ListOnSite | ShowLog | CorrectVisit | Help | OpenForm
)


def parse_visitor(text: str, *, region: str = DEFAULT_REGION) -> VisitorRequest:
    """Read the text of a `/visitor` command; `region` is the site's phone region."""
    verb, rest = first_word(text)
    if verb == "":
        return OpenForm()
    if verb == "help":
        return Help()
    if verb == "list":
        return ListOnSite()
    if verb in ("correct", "fix"):
        return CorrectVisit(
            parse_correction(rest, name_word="name", form=VISITOR_CORRECT_FORM, region=region)
        )
    if verb in ("log", "history"):
        return ShowLog(clean(rest)[:200])
    if verb == "arrived":
        rest, needs = take_needs(rest, ARRIVED_FORM)
        name, organisation, host_id, after = _who_for_host(rest, ARRIVED_FORM)
        name, contact = _contacts_out(name, region, ARRIVED_FORM)
        note = clean(strip_lead(after, "—|–|-|:")) or None
        # A number typed into the name is kept for the host, in the note, not in the name.
        note = "; ".join(part for part in (contact, note) if part) or None
        return Arrived(name, organisation, host_id, note[:1000] if note else None, needs)
    if verb == "expect":
        rest, needs = take_needs(rest, EXPECT_FORM)
        name, organisation, host_id, after = _who_for_host(rest, EXPECT_FORM)
        name, contact = _contacts_out(name, region, EXPECT_FORM)
        if contact:
            raise ParseError(
                "Leave phone numbers and e-mail addresses out of the name: it is shown on the "
                "desk's channel.",
                EXPECT_FORM,
            )
        when = clean(after)
        if not when:
            raise ParseError(
                "When are they expected? Add a time, e.g. `tomorrow 10am`.", EXPECT_FORM
            )
        return Expect(name, organisation, host_id, when, needs)
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


_FOR_HOST = re.compile(r"(?:^|\s)for\s+(" + MENTION.pattern + r")", re.IGNORECASE)
_LEADING_HOST = re.compile(r"^\s*(?:for\s+)?(" + MENTION.pattern + r")", re.IGNORECASE)
_NOTE_START = re.compile(r"^\s*(?:[—–]|-{1,2}|:)")
_FROM = re.compile(r"\s+from\s+", re.IGNORECASE)


def _who_for_host(rest: str, form: str) -> tuple[str, str | None, str, str]:
    """(name, organisation, host, what follows the host) of `<name> [from <org>] for @host …`.

    The host is the first mention after a ` for ` (mentions in the note stay in the note), or a
    mention the text starts with ("for @alice Kim Lee"); an `@name` Slack could not resolve is
    an error naming it.
    """
    leading = _LEADING_HOST.match(rest)
    if leading is not None:
        host_id, after = leading.group(2), rest[leading.end() :]
        who, note = _split_note(after)
        return (*_name_and_organisation(who, form), host_id, note)
    found = _FOR_HOST.search(rest)
    if found is None:
        mentions = list(MENTION.finditer(rest))
        if not mentions:
            refuse_unresolved(rest, form)
            raise ParseError("Who is the host? Mention them, as in `for @alice`.", form)
        found = mentions[0]
        host_id, before, after = found.group(1), rest[: found.start()], rest[found.end() :]
    else:
        host_id, before, after = found.group(2), rest[: found.start()], rest[found.end() :]
    refuse_unresolved(before, form)
    if MENTION.search(before):
        raise ParseError("Name one host, after `for`; other people go in the note.", form)
    return (*_name_and_organisation(before, form), host_id, after)


def _contacts_out(name: str, region: str, form: str) -> tuple[str, str | None]:
    """(name, the phone numbers and e-mail addresses that were typed into it)."""
    rest, taken = contacts_out(name, region)
    if taken is None:
        return name, None
    return checked_name(rest, "visitor's name", form), taken


def _split_note(text: str) -> tuple[str, str]:
    """(name part, note) of "Kim Lee from Acme — here early"."""
    found = re.search(r"\s+(?:[—–]|-{1,2})(?:\s+|$)|\s*:\s*", text)  # a dash at the end: no note
    if found is None:
        return text, ""
    return text[: found.start()], text[found.start() :]


def _name_and_organisation(text: str, form: str) -> tuple[str, str | None]:
    parts = _FROM.split(" " + clean(text) + " ", maxsplit=1)
    name = checked_name(tidy(parts[0]), "visitor's name", form)
    organisation = tidy(parts[1]) if len(parts) > 1 else None
    if organisation:
        organisation = checked_name(organisation, "organisation", form)
    return name, organisation or None
