"""`/ooo …` text into a typed request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.commands.parsing import Help, ParseError, clean, first_word
from handlers.text import MENTION

OOO_FORM = "`/ooo until <when> [backup @someone] [: <note>]`"
PLAN_FORM = "`/ooo from <when> until <when> [backup @someone] [keep my items] [: <note>]`"
MAX_NOTE = 500
_BACKUP_WORD = re.compile(r"\b(?:with\s+)?(?:backup|cover(?:ed)?\s+by)\b\s*:?", re.IGNORECASE)
# The note starts at the first colon that is not inside a time ("10:30").
_NOTE_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_FROM_UNTIL = re.compile(r"^(?P<start>.*?)\s+(?:until|till|til|to)\s+(?P<rest>.*)$", re.IGNORECASE)
_KEEP_ITEMS = re.compile(r"\b(?:keep\s+(?:my\s+)?items|no\s+hand-?\s?over)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Until:
    when: str
    backup_id: str | None
    note: str | None


@dataclass(frozen=True)
class Back:
    """`/ooo back`: clear the absence now; `/ooo back Monday`: move the return to then."""

    when: str | None = None


@dataclass(frozen=True)
class PlanAbsence:
    """`/ooo from <when> until <when>`: an absence that starts on its own."""

    start: str
    when: str
    backup_id: str | None
    note: str | None
    hand_over: bool = True


@dataclass(frozen=True)
class ListAbsences:
    pass


@dataclass(frozen=True)
class CancelNext:
    pass


@dataclass(frozen=True)
class ShowStatus:
    pass


OooRequest = Until | Back | PlanAbsence | ListAbsences | CancelNext | ShowStatus | Help


def parse_ooo(text: str) -> OooRequest:
    """Read the text of an `/ooo` command."""
    verb, rest = first_word(text)
    if verb in ("", "status"):
        return ShowStatus()
    if verb == "help":
        return Help()
    if verb == "back":
        return Back(clean(rest) or None)
    if verb in ("until", "till", "til"):
        return _until(rest)
    if verb == "from":
        return _planned(rest)
    if verb == "list":
        return ListAbsences()
    if verb == "cancel":
        return CancelNext()
    raise ParseError("Say until when you are out, as in `/ooo until next Friday`.", OOO_FORM)


def _until(rest: str, form: str = OOO_FORM) -> Until:
    head, note = rest, None
    colon = _NOTE_COLON.search(rest)
    if colon is not None:
        head, note = rest[: colon.start()], clean(rest[colon.end() :]) or None
    if note is not None and len(note) > MAX_NOTE:
        raise ParseError(f"The note is too long (at most {MAX_NOTE} characters).", form)
    mentions = list(MENTION.finditer(head))
    if len(mentions) > 1:
        raise ParseError("Name one backup (the desk channel covers if they are out too).", form)
    backup_id = mentions[0].group(1) if mentions else None
    has_backup_word = _BACKUP_WORD.search(head) is not None
    when = clean(_BACKUP_WORD.sub(" ", MENTION.sub(" ", head)))
    if has_backup_word and backup_id is None:
        raise ParseError("Who is your backup? Mention them, as in `backup @bob`.", form)
    if not when:
        raise ParseError("Until when? Add the day you are back, e.g. `next Friday`.", form)
    return Until(when=when, backup_id=backup_id, note=note)


def _planned(rest: str) -> PlanAbsence:
    colon = _NOTE_COLON.search(rest)
    head = rest[: colon.start()] if colon is not None else rest
    found = _FROM_UNTIL.match(clean(head))
    if found is None or not clean(found.group("start")):
        raise ParseError(
            "Say when you go and when you are back, as in "
            "`/ooo from Dec 21 until Jan 4 backup @bob`.",
            PLAN_FORM,
        )
    tail = rest[len(head) :]
    keep = _KEEP_ITEMS.search(found.group("rest")) is not None
    until = _until(_KEEP_ITEMS.sub(" ", found.group("rest")) + tail, PLAN_FORM)
    return PlanAbsence(
        start=clean(found.group("start")),
        when=until.when,
        backup_id=until.backup_id,
        note=until.note,
        hand_over=not keep,
    )
