"""Block Kit for `/call`: its usage and the confirmation (ephemeral, so the number may show)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.text import date_token, esc

CALL_FORM = "`/call in|out <name> [(<organisation>)] [<phone>] [: <subject>]`"
CALL_USAGE = (
    "*Calls handled without a message*\n"
    f"• {CALL_FORM}\n"
    "   e.g. `/call in Jane Doe (Acme) 416-555-0199: opening hours`\n"
    "   or `/call out Sam Roe: returned the invoice query`\n"
    "• Phone messages (`/message`) and enquiries by phone count as calls in already\n"
    "• The managers' report shows calls in and out by hour of day and by day"
)


def logged_reply(
    *,
    direction: str,
    name: str,
    organisation: str | None,
    phone: str | None,
    phone_valid: bool,
    subject: str | None,
    at: datetime,
    tz: ZoneInfo,
) -> str:
    """The confirmation to whoever logged the call (only they see it)."""
    way = "in from" if direction == "in" else "out to"
    text = f":telephone_receiver: Logged a call {way} *{esc(name)}*"
    if organisation:
        text += f" ({esc(organisation)})"
    if phone:
        text += f", {esc(phone)}"
        if not phone_valid:
            text += " _(kept as typed: not a number I can read)_"
    text += f" at {date_token(at, tz, '{time}')}."
    if subject:
        text += f"\n_{esc(subject)}_"
    return text
