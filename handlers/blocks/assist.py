"""Block Kit for a call for help at the desk: the channels' alert, its louder repeat, the
rewrite naming whoever answered, and the button at the top of reception's Home tab."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, actions, button, context, section
from handlers.text import channel_text, date_token, esc, mention

ON_MY_WAY = "assist_on_my_way"
COMPLETE_INCIDENT = "assist_complete_incident"
CALL_FOR_HELP = "assist_call"  # the Home tab's button
ASSIST_FORM = "`/desk assist [: <what is happening>]`"


def assist_alert(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The alert in a channel: who called, what they said (masked), "On my way" — or, once
    answered, who is on the way and no button."""
    caller = mention(str(params["called_by"]))
    called_at = date_token(datetime.fromisoformat(str(params["called_at"])), tz, "{time}")
    answered_by = params.get("answered_by")
    managers = " ".join(mention(str(m)) for m in params.get("mention_ids") or [])
    if answered_by:
        head = f":white_check_mark: *Help at the front desk:* {mention(str(answered_by))} is on the way"
        if params.get("answered_at"):
            at = datetime.fromisoformat(str(params["answered_at"]))
            head += f" (answered {date_token(at, tz, '{time}')})"
        head += f". {caller} called for help at {called_at}."
        text = f"{mention(str(answered_by))} is on the way to the front desk"
    elif params.get("louder"):
        head = (
            f":rotating_light::rotating_light: *STILL NO ONE — help needed at the front desk.* "
            f"{caller} called for help at {called_at} and nobody has answered."
        )
        if managers:
            head += f"\n{managers}: please go, or send someone, now."
        text = "Still no one: help needed at the front desk"
    else:
        head = f":sos: *Help needed at the front desk* — {caller} is asking for help ({called_at})."
        if managers:
            head += f"\n{managers}"
        text = "Help needed at the front desk"
    lines = [head]
    if params.get("what"):
        lines.append(f"> {channel_text(str(params['what']), tz)}")
    blocks: list[Block] = [section("\n".join(lines))]
    incident_id = params.get("incident_id")
    offered = []
    if not answered_by:
        offered.append(button("On my way", ON_MY_WAY, str(params["assist_id"]), style="danger"))
    if incident_id and params.get("for_managers"):
        offered.append(
            button(f"Complete incident #{incident_id}", COMPLETE_INCIDENT, str(incident_id))
        )
    if offered:
        blocks.append(actions(f"assist_{params['assist_id']}", *offered))
    if incident_id:
        blocks.append(context(f"Incident #{incident_id} is open for the managers to complete."))
    return text, blocks


def home_assist_blocks() -> list[Block]:
    """The top of reception's Home tab: one press calls for help."""
    return [
        actions(
            "assist_home",
            button("Call for help", CALL_FOR_HELP, "home", style="danger"),
        ),
        context(
            "Alerts the desk and managers' channels at once, and again, louder, if nobody "
            f"answers in two minutes. Or type {esc(ASSIST_FORM)}."
        ),
        {"type": "divider"},
    ]


def called_reply(incident_id: int | None) -> str:
    """The confirmation to whoever called for help."""
    text = (
        ":sos: Help is being called: the desk and managers' channels are being alerted now. "
        "If nobody answers within two minutes they are alerted again, louder."
    )
    if incident_id:
        text += f"\nIncident #{incident_id} is open for the managers to complete."
    return text
