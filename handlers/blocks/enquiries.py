"""Block Kit for enquiries: the owner's DM, the logger's reply, late notices, the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.my_desk import ItemLine
from handlers.blocks.common import Block, actions, button, context, section
from handlers.text import channel_text, date_token, esc, free_text, mention

ENQUIRY_FORM = (
    "`/enquiry <complaint|question|request> via <phone|email|letter|in person|social|survey> "
    "from <name> [for @owner]: <summary>`"
)
ENQUIRY_USAGE = (
    "*Enquiries* (complaints, questions, requests)\n"
    f"• {ENQUIRY_FORM}\n"
    "  e.g. `/enquiry complaint via letter from Jane Doe for @alice: parking refund refused`\n"
    "• Without `for @owner` the enquiry is yours.\n"
    "• `/enquiry` on its own opens a form"
)
ICONS = {"complaint": ":warning:", "question": ":grey_question:", "request": ":inbox_tray:"}
OUTCOMES = {"acknowledged": "acknowledged", "resolved": "resolved"}
# How the customer is answered: the way the enquiry came in (no telephone for an e-mail).
REPLY_ICONS = {
    "phone": ":telephone_receiver:",
    "email": ":email:",
    "letter": ":envelope:",
    "in_person": ":wave:",
    "social": ":speech_balloon:",
    "survey": ":clipboard:",
}
ACTIONS = {
    "created": "logged it",
    "reassigned": "reassigned it",
    "acknowledged": "acknowledged it",
    "resolved": "resolved it",
    "revised": "moved the deadline",
    "late_notice": "gave a late notice",
    "erased": "erased the personal data",
}


def owner_text(params: dict[str, Any]) -> str:
    """Who has it: a mention, or the channel."""
    if params.get("owner_id"):
        return mention(str(params["owner_id"]))
    return f"<#{params.get('owner_channel')}>"


def headline(params: dict[str, Any], tz: ZoneInfo | None = None) -> str:
    """`:warning: *Complaint* via letter from *Jane Doe*`, escaped; with `tz`, fit for a channel."""
    kind = str(params["kind"])
    name = str(params["from_name"])
    shown = free_text(name) if tz is None else channel_text(name, tz)
    via = esc(str(params["channel"]).replace("_", " "))
    return f"{ICONS.get(kind, ':speech_balloon:')} *{kind.capitalize()}* via {via} from *{shown}*"


def deadlines(params: dict[str, Any], tz: ZoneInfo) -> str:
    """The two deadlines, each with its window, or how it ended."""
    lines = []
    for stage, label in (("ack", "Acknowledge"), ("resolve", "Resolve")):
        outcome = params.get(f"{stage}_outcome")
        if params.get(f"{stage}_state") == "done":
            lines.append(f":white_check_mark: {label}: {esc(str(outcome or 'done'))}")
            continue
        due = date_token(datetime.fromisoformat(params[f"{stage}_due"]), tz)
        late = " :red_circle: overdue" if params.get(f"{stage}_state") == "breached" else ""
        window = esc(str(params[f"{stage}_window"]))
        if stage == "resolve" and params.get("revised_reason"):
            window = f"revised; the policy gives {window}"
        lines.append(f"*{label} by* {due} ({window}){late}")
    if params.get("revised_reason") and params.get("resolve_state") != "done":
        lines.append(f"_Deadline moved: {esc(str(params['revised_reason']))}_")
    return "\n".join(lines)


def enquiry_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The owner's DM: the enquiry, its deadlines and the buttons that are still useful."""
    enquiry_id = str(params["enquiry_id"])
    # Owned by a channel (no owner): nothing private may show.
    in_channel = None if params.get("owner_id") else tz
    text = headline(params, in_channel)
    if params.get("summary"):
        summary = str(params["summary"])
        shown = free_text(summary) if in_channel is None else channel_text(summary, in_channel)
        text += f"\n>{shown.replace(chr(10), chr(10) + '>')}"
    if params.get("needs") and in_channel is None:  # to the owner, never a channel
        text += f"\n:information_source: Access needs: {free_text(str(params['needs']))}"
    blocks: list[Block] = [section(text), section(deadlines(params, tz))]
    if params.get("reassigned_by"):
        passed = f"Passed to you by {mention(str(params['reassigned_by']))}"
        if params.get("covering_for"):
            away = params.get("away_until")
            until = f" until {date_token(datetime.fromisoformat(away), tz)}" if away else ""
            passed += (
                f" for {mention(str(params['covering_for']))}, who is out of office{until}: "
                "you are covering"
            )
        blocks.append(context(passed))
    elif params.get("logged_by"):
        blocks.append(context(f"Logged by {mention(str(params['logged_by']))}"))
    buttons = []
    if params.get("ack_state") != "done" and params.get("resolve_state") != "done":
        buttons.append(button("Acknowledged", "enquiry_ack", enquiry_id, style="primary"))
    if params.get("resolve_state") != "done":
        buttons += [
            button("Resolved", "enquiry_resolve", enquiry_id),
            button("Reassign…", "enquiry_reassign", enquiry_id),
            button("Running late…", "enquiry_late", enquiry_id),
        ]
    buttons.append(button("History", "enquiry_history", enquiry_id))
    blocks.append(actions(f"enquiry_{enquiry_id}", *buttons))
    name = str(params["from_name"])
    shown_name = free_text(name) if in_channel is None else channel_text(name, in_channel)
    fallback = f"{str(params['kind']).capitalize()} from {shown_name}"
    return fallback, blocks


def stage_buttons(kind: str, enquiry_id: int, suffix: str = "") -> list[dict[str, Any]]:
    """What the owner can do at one stage: Acknowledged, or Resolved / Reassign… / Running late…"""
    value = str(enquiry_id)
    if kind == "enquiry_ack":
        return [button("Acknowledged", f"enquiry_ack{suffix}", value, style="primary")]
    return [
        button("Resolved", f"enquiry_resolve{suffix}", value),
        button("Reassign…", f"enquiry_reassign{suffix}", value),
        button("Running late…", f"enquiry_late{suffix}", value),
    ]


def home_stage_buttons(line: ItemLine) -> list[dict[str, Any]]:
    """A stage's buttons on the Home tab (action ids end with the item id: unique in the view)."""
    if line.enquiry_id is None:
        return []
    return stage_buttons(line.kind, line.enquiry_id, f"_{line.item_id}")


def logged_reply(params: dict[str, Any], tz: ZoneInfo, *, redirected: bool = False) -> str:
    """The logger's confirmation: who has it and both deadlines."""
    who = owner_text(params)
    line = f":white_check_mark: Logged. {headline(params)}, with {who}."
    if redirected:
        line += " (They are away, so it went to their cover.)"
    return line + "\n" + deadlines(params, tz)


def late_managers(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The managers' notice of a revised deadline (no contact details)."""
    new_due = date_token(datetime.fromisoformat(params["resolve_due"]), tz)
    old_due = date_token(datetime.fromisoformat(params["old_due"]), tz)
    text = (
        f":hourglass: *Running late:* {headline(params, tz)}, with {owner_text(params)}.\n"
        f"New date: {new_due} (was {old_due}).\n"
        f"Reason: _{channel_text(str(params['reason']), tz)}_ (by {mention(str(params['by']))})"
    )
    return "Running late: an enquiry's deadline moved", [section(text)]


def late_owner(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The owner's reminder to tell the customer the new date."""
    new_due = date_token(datetime.fromisoformat(params["resolve_due"]), tz, "{date_long}")
    text = (
        f"{REPLY_ICONS.get(str(params.get('channel')), ':speech_balloon:')} Please tell "
        f"*{free_text(str(params['from_name']))}* that the answer to "
        f"their {esc(str(params['kind']))} will now come by {new_due}, and why. "
        "The managers have been told."
    )
    return "Tell the customer about the new date", [section(text)]


def history(params: dict[str, Any], events: Sequence[Any], tz: ZoneInfo) -> list[Block]:
    """The audit trail of an enquiry, oldest first."""
    seen: set[tuple[str, str, int]] = set()
    lines = []
    for event in events:
        # "created"/"reassigned" are recorded on both windows: show them once.
        moment = (event.action, event.actor_id, int(event.at.timestamp()))
        if event.action in ("created", "reassigned", "resolved") and moment in seen:
            continue
        seen.add(moment)
        what = ACTIONS.get(event.action, esc(event.action))
        detail = ""
        if event.action == "reassigned" and event.detail:
            detail = f" → {_owner_detail(event.detail)}"
        elif event.action == "revised" and event.detail:
            new_due, _, reason = event.detail.partition(": ")
            detail = f" to {date_token(datetime.fromisoformat(new_due), tz)}: _{esc(reason)}_"
        lines.append(f"• {date_token(event.at, tz)} {mention(event.actor_id)} {what}{detail}")
    body = "\n".join(lines) or "Nothing recorded yet."
    return [section(f"*History* of {headline(params)}\n{body}")]


def _owner_detail(detail: str) -> str:
    kind, _, who = detail.partition(" ")
    return mention(who) if kind == "owner" else f"<#{who}>"


# On the Home tab both stages of an open enquiry are listed, each with its own buttons.
