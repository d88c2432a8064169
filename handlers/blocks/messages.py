"""Block Kit for phone messages: the owner's post, the receptionist's confirmation, usage."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.my_desk import ItemLine
from handlers.blocks.common import Block, actions, button, context, outcome_words, plain, section
from handlers.blocks.enquiries import told_line
from handlers.text import channel_text, date_token, esc, free_text, mention

MESSAGE_FORM = "`/message @recipient <caller name> [(<organisation>)] [<phone>] [: <message>]`"
MESSAGE_USAGE = (
    "*Phone messages*\n"
    f"• {MESSAGE_FORM}\n"
    "   e.g. `/message @alice Jane Doe (Acme) 416-555-0199: about the invoice`\n"
    "• `urgent` before or right after the recipient marks it urgent "
    "(`/message @alice urgent Dana: the alarm`)\n"
    "• With no colon, what follows the number is the message "
    "(`/message @alice Sam Roe 416-555-0100 re the invoice`)\n"
    "• With no `@recipient` the policy's routing rules say who has it, else the desk channel "
    "(`/message Sam Roe: a complaint about parking`)\n"
    "• `/message` on its own opens a form (with e-mail, subject and urgent)\n"
    "• A wrong entry (reception, managers): `/message correct <caller> caller <right name>`, "
    "or `/message correct <caller> for @right-person` (it moves to them)\n"
    "• `/desk mine` lists your open items"
)
MESSAGE_FORM_ID = "message_form"
RECIPIENT_PICKED = "recipient"  # the form's "For" menu (its action id and value key)
RECIPIENT_STATUS = "recipient_status"
INTERIM_FORM_ID = "message_interim_form"
MAX_INTERIM_SAID = 3000
OUTCOME_LINES = {"called_back": ":white_check_mark: You called back."}
HISTORY_ACTIONS = {
    "created": "took the message",
    "reassigned": "passed it on",
    "called_back": "called back",
    "tried": "tried, no answer",
    "revised": "moved the deadline",
    "showed_number": "read the number",
    "erased": "erased the personal data",
}


def caller_line(params: dict[str, Any], tz: ZoneInfo | None = None) -> str:
    """`*Jane Doe* (Acme)`, escaped; with `tz`, fit for a channel (no contact details)."""
    shown = free_text if tz is None else shown_in_channel(tz)
    text = f"*{shown(str(params.get('caller') or params.get('who') or 'someone'))}*"
    if params.get("organisation"):
        text += f" ({shown(str(params['organisation']))})"
    return text


def shown_in_channel(tz: ZoneInfo) -> Callable[[str], str]:
    """Free text as a channel shows it: no phone numbers, no e-mail addresses, no formatting."""
    return lambda text: channel_text(text, tz)


def urgent_mark(params: dict[str, Any]) -> str:
    return ":rotating_light: *URGENT* " if params.get("urgent") else ""


def answer_buttons(item_id: str, suffix: str = "") -> list[dict[str, Any]]:
    """Called back / Tried — no answer / Interim call back… / Reassign…; `suffix` keeps
    action ids unique on Home."""
    return [
        button("Called back", f"message_called_back{suffix}", item_id, style="primary"),
        button("Tried — no answer", f"message_tried{suffix}", item_id),
        button("Interim call back…", f"message_interim{suffix}", item_id),
        button("Reassign…", f"item_reassign{suffix}", item_id),
    ]


def message_buttons(params: dict[str, Any]) -> Block:
    """The answers (and Show number on the desk's items), then History."""
    item_id = str(params["item_id"])
    elements = answer_buttons(item_id)
    if params.get("desk_owned") and params.get("has_contact", True):
        elements.append(button("Show number", "message_show_number", item_id))
    elements.append(button("History", "message_history", item_id))
    return actions(f"message_{item_id}", *elements)


def deadline_line(params: dict[str, Any], tz: ZoneInfo) -> str:
    """Who took it and by when: the call back, or the full answer promised at an interim one."""
    due = date_token(datetime.fromisoformat(params["due_at"]), tz)
    if params.get("promised"):
        return (
            f"Taken by {mention(params['taken_by'])} · called back; full answer promised by {due}"
        )
    return f"Taken by {mention(params['taken_by'])} · call back by {due}"


def history_blocks(
    caller: str,
    organisation: str | None,
    events: Sequence[Any],
    replies: Sequence[Any],
    tz: ZoneInfo,
) -> list[Block]:
    """The message's audit trail, oldest first, with what the caller was told at each
    interim call back under the deadline it moved."""
    lines: list[tuple[str, str]] = []
    for event in events:
        what = HISTORY_ACTIONS.get(event.action, esc(event.action.replace("_", " ")))
        detail = ""
        if event.action == "revised" and event.detail:
            new_due, _, reason = event.detail.partition(": ")
            detail = f" to {date_token(datetime.fromisoformat(new_due), tz)}: _{esc(reason)}_"
        elif event.action == "tried" and event.detail:
            detail = f" ({esc(event.detail)})"
        lines.append(
            (event.action, f"• {date_token(event.at, tz)} {mention(event.actor_id)} {what}{detail}")
        )
    revised = [n for n, (action, _) in enumerate(lines) if action == "revised"]
    # Each reply goes under the deadline move it made (they are recorded together, in order).
    for reply, at in reversed(list(zip(replies, revised, strict=False))):
        lines.insert(at + 1, ("told", told_line(reply, tz)))
    body = "\n".join(line for _, line in lines) or "Nothing recorded yet."
    who = caller_line({"caller": caller, "organisation": organisation})
    text = f"*History* of the message from {who}\n{body}"
    if len(text) > 2900:
        text = text[:2899] + "…"
    return [section(text)]


def home_message_buttons(line: ItemLine) -> list[dict[str, Any]]:
    """The owner's buttons for a phone message on the Home tab (the same actions as the DM's)."""
    return answer_buttons(str(line.item_id), f"_{line.item_id}")


def message_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The owner's post: who called, how to reach them, what about, and by when."""
    owner = params.get("owner_id")
    whom = "for you" if owner else "for the desk"
    intended = params.get("intended_id")
    if intended and intended != owner:
        # Rows from before `intended_away` was written only differed while someone was away.
        away = params.get("intended_away", True)
        whom += f" (meant for {mention(intended)}{', who is away' if away else ''})"
    # The desk's copy goes to a channel: what was typed is shown without contact details.
    in_channel = tz if not owner else None
    shown = free_text if in_channel is None else shown_in_channel(in_channel)
    lines = [
        f"{urgent_mark(params)}:telephone_receiver: Message {whom} from "
        f"{caller_line(params, in_channel)}"
    ]
    if params.get("phone"):
        phone = esc(str(params["phone"]))
        if params.get("phone_valid", True):
            lines.append(f":phone: {phone}")
        else:
            lines.append(f":phone: {phone} _(as typed: I could not read it as a number)_")
    if params.get("email"):
        lines.append(f":email: {esc(str(params['email']))}")
    if params.get("subject"):
        lines.append(f"*{shown(str(params['subject']))}*")
    if params.get("body"):
        lines.append("> " + shown(str(params["body"])).replace("\n", "\n> "))
    blocks: list[Block] = [
        section("\n".join(lines)),
        context(deadline_line(params, tz)),
        message_buttons(params),
    ]
    fallback = (
        f"{'URGENT: ' if params.get('urgent') else ''}Message from {shown(str(params['caller']))}"
    )
    return fallback, blocks


def answered_dm(caller: str, organisation: str | None, outcome: str) -> tuple[str, list[Block]]:
    """The owner's post once answered: the buttons give way to what was done."""
    text = f"Message from {caller_line({'caller': caller, 'organisation': organisation})}"
    done = OUTCOME_LINES.get(outcome, f"Done: {esc(outcome_words(outcome))}")
    return text, [section(text), context(done)]


def taken_reply(
    *,
    caller: str,
    organisation: str | None,
    recipient_id: str,
    owner_id: str | None,
    away_until: datetime | None,
    due_at: datetime,
    urgent: bool,
    phone_typed: str | None,
    team: str | None = None,
    phone_valid: bool,
    tz: ZoneInfo,
) -> str:
    """The receptionist's confirmation: who has it, and when it is due."""
    who = caller_line({"caller": caller, "organisation": organisation})
    due = date_token(due_at, tz)
    mark = ":rotating_light: *URGENT* " if urgent else ""
    if owner_id == recipient_id:
        text = f":white_check_mark: {mark}Message from {who} for {mention(recipient_id)}: "
        text += f"{mention(recipient_id)} has it, due {due}."
    else:
        why = f"is out of office until {date_token(away_until, tz)}" if away_until else "is away"
        holder = mention(owner_id) if owner_id else "the desk channel"
        if team and owner_id:
            holder += f" (their teammate in {esc(team)}, who is in: no backup was named)"
        text = f":arrow_right: {mark}Message from {who} for {mention(recipient_id)}, who {why}: "
        text += f"{holder} has it instead, due {due}."
    if phone_typed and not phone_valid:
        text += (
            f'\n:warning: I could not read "{esc(phone_typed)}" as a phone number; kept as typed.'
        )
    return text


def routed_reply(
    *,
    caller: str,
    organisation: str | None,
    holder: str,
    reason: str,
    covering: str,
    due_at: datetime,
    urgent: bool,
    tz: ZoneInfo,
) -> str:
    """The receptionist's confirmation of a message taken with no recipient: where the
    routing rules sent it, and why."""
    who = caller_line({"caller": caller, "organisation": organisation})
    mark = ":rotating_light: *URGENT* " if urgent else ""
    text = f":arrow_right: {mark}Message from {who}: {holder} has it ({esc(reason)}{covering})"
    return text + f", due {date_token(due_at, tz)}."


def _text_input(
    block_id: str,
    label: str,
    *,
    optional: bool = True,
    multiline: bool = False,
    max_length: int = 200,
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": block_id,
            "multiline": multiline,
            "max_length": max_length,
        },
    }


def message_form_view(channel_id: str, whereabouts: str = "") -> dict[str, Any]:
    """The modal; `whereabouts` is the board's word on the chosen recipient (shown under them)."""
    board = [{**context(whereabouts), "block_id": RECIPIENT_STATUS}] if whereabouts else []
    return {
        "type": "modal",
        "callback_id": MESSAGE_FORM_ID,
        "title": plain("Phone message"),
        "submit": plain("Take message"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": [
            {
                "type": "input",
                "block_id": "recipient",
                # Choosing someone tells the app at once, so the form can show where they are.
                "dispatch_action": True,
                "label": plain("For"),
                "element": {"type": "users_select", "action_id": RECIPIENT_PICKED},
            },
            *board,
            _text_input("caller", "Caller's name", optional=False),
            _text_input("organisation", "Organisation"),
            _text_input("phone", "Phone", max_length=64),
            _text_input("email", "E-mail", max_length=254),
            _text_input("subject", "Subject"),
            _text_input("body", "Message", multiline=True, max_length=3000),
            {
                "type": "input",
                "block_id": "urgent",
                "optional": True,
                "label": plain("Urgent"),
                "element": {
                    "type": "checkboxes",
                    "action_id": "urgent",
                    "options": [{"text": plain("Urgent: call back soon"), "value": "urgent"}],
                },
            },
        ],
    }


def interim_view(
    item_id: int, channel: str, ts: str, *, said: str, channels: tuple[str, ...]
) -> dict[str, Any]:
    """The form: the day promised, how they were told (the phone, chosen already) and the
    template's text to copy."""
    options = [{"text": plain(c.replace("_", " ").capitalize()), "value": c} for c in channels]
    select: dict[str, Any] = {"type": "static_select", "action_id": "medium", "options": options}
    chosen = [o for o in options if o["value"] == "phone"]
    if chosen:
        select["initial_option"] = chosen[0]
    said_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "said",
        "multiline": True,
        "max_length": MAX_INTERIM_SAID,
    }
    if said:
        said_input["initial_value"] = said[:MAX_INTERIM_SAID]
    return {
        "type": "modal",
        "callback_id": INTERIM_FORM_ID,
        "title": plain("Interim call back"),
        "submit": plain("Record it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"item_id": item_id, "channel": channel, "ts": ts}),
        "blocks": [
            {
                "type": "input",
                "block_id": "expect_by",
                "label": plain("When they were told to expect a full answer"),
                "element": {"type": "datepicker", "action_id": "expect_by"},
            },
            {
                "type": "input",
                "block_id": "medium",
                "label": plain("How they were told"),
                "element": select,
            },
            {
                "type": "input",
                "block_id": "said",
                "optional": True,
                "label": plain("What was said"),
                "element": said_input,
            },
            context(
                "The text is filled in from the policy's template; left as it is, it is "
                "recorded with the day you pick. The message is then due by the end of that day."
            ),
        ],
    }
