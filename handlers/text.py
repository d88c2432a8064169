"""Text at the Slack edge: mentions, escaping, date tokens."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Control characters other than whitespace mean nothing in a name or a note, and PostgreSQL
# refuses a NUL in text outright.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<`, `>` once (what users typed)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def without_controls(text: str) -> str:
    """What was typed, less control characters (tab, newline and the like are kept)."""
    return _CONTROLS.sub("", text)


def esc(text: str) -> str:
    """Escape user text for mrkdwn: `&`, `<`, `>` and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
