"""Shared pieces of command-text parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.contacts import EMAIL, find_phones, unlinked
from handlers.text import MENTION, esc, unescape, without_controls

MAX_NAME = 200


class ParseError(ValueError):
    """Input that does not fit the command; `usage` shows the right form."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


@dataclass(frozen=True)
class Anchored:
    """Text split around its last mention."""

    before: str
    user_id: str
    after: str


def split_on_last_mention(text: str) -> Anchored | None:
    """Split at the last `<@U…>` (the host or recipient), or None when there is none."""
    found = list(MENTION.finditer(text))
    if not found:
        return None
    last = found[-1]
    return Anchored(text[: last.start()], last.group(1), text[last.end() :])


# "tel:+1…", "mailto:…": the colon of a link typed as text, not the start of the message.
_SCHEME_BEFORE = re.compile(r"(?:^|[\s(])(?:tel|mailto|sip|https?)$", re.IGNORECASE)


def split_at_colon(text: str) -> tuple[str, str | None]:
    """(head, rest) at the first colon outside parentheses, mentions, times ("10:30") and typed
    links ("tel:+1…"); rest is None when there is no such colon."""
    depth = 0
    for index, char in enumerate(text):
        if char in "(<":
            depth += 1
        elif char in ")>":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0:
            between_digits = (
                0 < index < len(text) - 1
                and text[index - 1].isdigit()
                and text[index + 1].isdigit()
            )
            scheme = _SCHEME_BEFORE.search(text, 0, index) and index + 1 < len(text)
            if not between_digits and not (scheme and not text[index + 1].isspace()):
                return text[:index], text[index + 1 :]
    return text, None


# An "@name" Slack did not turn into a mention: nobody it could resolve.
_UNRESOLVED = re.compile(r"(?<![\w<|])@([\w.\-]+)")


def refuse_unresolved(text: str, usage: str, question: str = "") -> None:
    """A typed `@someone` Slack did not resolve is an error naming it, never part of a name."""
    found = _UNRESOLVED.search(MENTION.sub(" ", text))
    if found is not None and not _looks_like_email(text, found):
        raise ParseError(
            f"{question}I can't find `@{esc(found.group(1)[:40])}` in this workspace. Pick them "
            "from the list Slack offers as you type their name after `@`.",
            usage,
        )


def _looks_like_email(text: str, found: re.Match[str]) -> bool:
    return bool(re.search(r"[\w.+-]@" + re.escape(found.group(1)), text))


def contacts_out(name: str, region: str) -> tuple[str, str | None]:
    """(name, the phone numbers and e-mail addresses typed into it, comma-separated); the name
    is left with single spaces. For names already unescaped (a form field, or after `clean`)."""
    name = unlinked(name)
    taken = [m.group(0) for m in EMAIL.finditer(name)]
    name = EMAIL.sub(" ", name)
    phones = find_phones(name, region)
    taken += [p.typed.strip() for p in phones]
    for phone in reversed(phones):
        name = name[: phone.start] + " " + name[phone.end :]
    return tidy(name), ", ".join(taken) or None


def clean(text: str) -> str:
    """Unescape once and tidy whitespace (once only: "&amp;lt;" was typed as "&lt;")."""
    return tidy(unescape(text))


def tidy(text: str) -> str:
    """Tidy whitespace and drop control characters of text already unescaped."""
    return " ".join(without_controls(text).split())


def first_word(text: str) -> tuple[str, str]:
    """(`verb`, rest) of a command text."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1] if len(parts) > 1 else ""


def strip_lead(text: str, pattern: str) -> str:
    """Remove a leading pattern (such as a dash or colon)."""
    return re.sub(rf"^\s*(?:{pattern})\s*", "", text)


def checked_name(name: str, what: str, usage: str) -> str:
    """A person's or organisation's name, non-empty and not absurdly long."""
    if not name:
        raise ParseError(f"Give the {what}.", usage)
    if len(name) > MAX_NAME:
        raise ParseError(f"The {what} is too long (at most {MAX_NAME} characters).", usage)
    return name


@dataclass(frozen=True)
class Help:
    """`/command help`."""


@dataclass(frozen=True)
class OpenForm:
    """The command on its own: open its modal."""
