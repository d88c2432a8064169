"""Block Kit for incidents: the managers' notice, the reporter's confirmation, the list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, section
from handlers.text import channel_text, date_token, esc, mention


def notice(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The managers' channel: an incident was logged (contact details masked again here)."""
    lines = [
        f":rotating_light: *Incident #{params['incident_id']}* reported by "
        f"{mention(str(params['reported_by']))}",
        f"*When:* {occurred(params, tz)}",
    ]
    if params.get("location"):
        lines.append(f"*Where:* {channel_text(str(params['location']), tz)}")
    if params.get("who"):
        lines.append(f"*Who:* {channel_text(str(params['who']), tz)}")
    lines.append(f"*What happened:* {channel_text(str(params['what']), tz)}")
    lines.append("_`/desk incidents` shows the full record._")
    return f"Incident #{params['incident_id']} logged", [section("\n".join(lines))]


def occurred(params: dict[str, Any], tz: ZoneInfo) -> str:
    """When it happened: a date token when the service read it as an instant (`occurred_at`),
    else the words as typed."""
    if params.get("occurred_at"):
        at = date_token(datetime.fromisoformat(str(params["occurred_at"])), tz)
        typed = str(params.get("occurred") or "")
        return f"{at} (as told: {channel_text(typed, tz)})" if typed else at
    return channel_text(str(params.get("occurred") or "?"), tz)


def confirmation(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The reporter's DM."""
    text = (
        f":white_check_mark: Thank you. Incident #{params['incident_id']} "
        f"({occurred(params, tz)}) is logged and the managers have been told."
    )
    return text, [section(text)]


def incident_list(found: Sequence[Any], tz: ZoneInfo) -> list[Block]:
    """Recent incidents for a manager (ephemeral, so the full record)."""
    if not found:
        return [section("No incidents have been logged.")]
    blocks: list[Block] = [section(f"*Recent incidents ({len(found)})*")]
    for incident in found[:40]:
        parts = [
            f"*#{incident.id}* {date_token(incident.occurred_at, tz)}"
            + (f" at {esc(incident.location)}" if incident.location else "")
            + (f" (as told: {esc(incident.occurred)})" if incident.occurred else ""),
            f"Reported by {mention(incident.reported_by)} {date_token(incident.created_at, tz)}",
        ]
        if incident.responded_by:
            parts.append(f"*Answered by:* {mention(incident.responded_by)}")
        if incident.who:
            parts.append(f"*Who:* {esc(incident.who)}")
        parts.append(esc(incident.what))
        blocks.append(section("\n".join(parts)))
    return blocks
