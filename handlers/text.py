"""Text at the Slack edge: mentions, escaping, date tokens."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.contacts import DEFAULT_REGION, region_for_zone, scrub_contacts

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Control characters other than whitespace mean nothing in a name or a note, and PostgreSQL
# refuses a NUL in text outright.
# Bidi overrides and isolates (U+202E turns "exe.txt" into "txt.exe") are dropped too.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# An escaped `<@U…>` or `<@U…|name>` in free text: a mention typed into a message or a note.
_ESCAPED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)(?:\|([^&<>|]*))?&gt;")
# Slack's mrkdwn markers, as look-alikes that format nothing.
_MARKERS = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<`, `>` once (what users typed)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def without_controls(text: str) -> str:
    """What was typed, less control characters (tab, newline and the like are kept)."""
    return _CONTROLS.sub("", text)


def esc(text: str) -> str:
    """Escape user text for mrkdwn: `&`, `<`, `>` and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def free_text(text: str) -> str:
    """What someone typed, for a post: escaped, controls dropped, a typed mention shown as
    "@name" (never as raw `<@U…|name>`, and never re-emitted: the id was not validated)."""
    return _ESCAPED_MENTION.sub(_as_name, esc(without_controls(text)))


def _as_name(found: re.Match[str]) -> str:
    return "@" + (found.group(2) or "someone")


def channel_text(text: str, tz: ZoneInfo | None) -> str:
    """What someone typed, for a channel: contact details masked and formatting neutralised.

    `tz` is the site's zone: its country says how local numbers are written.
    """
    region = region_for_zone(tz.key or "") if tz is not None else DEFAULT_REGION
    masked = scrub_contacts(without_controls(text), region)
    return free_text(masked.translate(_MARKERS))


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 visitor`, `2 visitors`."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def mention(user_id: str) -> str:
    """A mention of a user ID the bot has validated."""
    return f"<@{user_id}>"


def not_found(user_id: str) -> str:
    """Someone typed a mention the directory does not know: name the id, do not mention it
    (only ids the bot has validated are re-emitted as `<@U…>`)."""
    return f"`{esc(user_id)}` is not someone I can find in this workspace."


def date_token(
    instant: datetime, fallback_tz: ZoneInfo, fmt: str = "{date_short_pretty} at {time}"
) -> str:
    """Slack's date token: each reader sees `instant` in their own zone."""
    fallback = instant.astimezone(fallback_tz).strftime("%a %d %b %H:%M %Z")
    return f"<!date^{int(instant.timestamp())}^{fmt}|{html.escape(fallback, quote=False)}>"
