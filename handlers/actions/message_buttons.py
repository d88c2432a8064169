"""The buttons on a phone message: "Called back", "Tried — no answer", "Interim call back…"
(opens a form, handlers/views/message_interim.py), "Show number", "History".

All but "Show number" and "History" are on the owner's DM and, with the item's id after the
action id, on the Home tab.
"""

from __future__ import annotations

import re

from bot.domain.services import message_interim, messages
from handlers.actions.item_button import (
    Press,
    form_button,
    item_button,
    item_errors,
    read_out_button,
)
from handlers.blocks import messages as blocks
from handlers.blocks.common import context as context_block
from handlers.blocks.common import section
from handlers.context import HandlerContext, Payload
from handlers.replies import ephemeral, in_message
from handlers.text import date_token, esc, mention
from storage.db import session_scope

CALLED_BACK = re.compile(r"^message_called_back(_\d+)?$")
TRIED = re.compile(r"^message_tried(_\d+)?$")
SHOW_NUMBER = re.compile(r"^message_show_number(_\d+)?$")
INTERIM = re.compile(r"^message_interim(_\d+)?$")


def _called_back(p: Press) -> Payload:
    """ "Called back": the message is done."""
    _, message = messages.called_back(
        p.session, now=p.now, item_id=p.thing_id, by=p.user_id, roles=p.roles
    )
    text, _ = blocks.answered_dm(message.caller, message.organisation, "called_back")
    done = f":white_check_mark: {mention(p.user_id)} called back."
    if in_message(p.body):
        return {
            "replace_original": True,
            "text": text,
            "blocks": [section(text), context_block(done)],
        }
    return ephemeral(f"{text}\n{done}")


def _tried(p: Press) -> Payload:
    """ "Tried — no answer": one more attempt, and a reminder later."""
    item, message = messages.tried(
        p.session, now=p.now, policy=p.ctx.policy, item_id=p.thing_id, by=p.user_id, roles=p.roles
    )
    text = f":telephone_receiver: Noted: no answer from *{esc(message.caller)}* (attempt {item.attempts})."
    if item.next_stage_at is not None:
        text += f" I'll remind you {date_token(item.next_stage_at, p.tz)}."
    return ephemeral(text)


def _show_number(p: Press) -> Payload:
    """ "Show number": the caller's number and e-mail, to the presser only."""
    contact = messages.contact_details(
        p.session, now=p.now, item_id=p.thing_id, by=p.user_id, roles=p.roles
    )
    lines = [f"*{esc(contact.caller)}*"]
    if contact.phone:
        flag = "" if contact.phone_valid else " _(as typed)_"
        lines.append(f":phone: {esc(contact.phone)}{flag}")
    if contact.email:
        lines.append(f":email: {esc(contact.email)}")
    if len(lines) == 1:
        lines.append("No number or e-mail was taken.")
    return ephemeral("\n".join(lines))


called_back = item_button("message called back", _called_back)
tried = item_button("message tried", _tried)
# The number is read out, never stored in the outbox: if the answer is lost, press again.
show_number = item_button("message show number", _show_number, private=True)


def _interim_form(ctx: HandlerContext, body: Payload, action: Payload, user_id: str) -> Payload:
    """ "Interim call back…": the form, pre-filled from `[templates] interim`."""
    item_id = int(action["value"])
    with item_errors(), session_scope(ctx.engine) as session:
        said = message_interim.prefilled(session, ctx.policy, item_id, user_id, ctx.roles)
    container = body.get("container", {})
    return blocks.interim_view(
        item_id,
        str(container.get("channel_id") or ""),
        str(container.get("message_ts") or ""),
        said=said,
        channels=ctx.policy.enquiry.channels,
    )


def _message_history(ctx: HandlerContext, action: Payload, user_id: str) -> Payload:
    """History: what the caller was told, to the presser only."""
    with item_errors(), session_scope(ctx.engine) as session:
        _, message, events, replies = message_interim.history(
            session, item_id=int(action["value"]), by=user_id, roles=ctx.roles
        )
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        shown = blocks.history_blocks(message.caller, message.organisation, events, replies, tz)
    return ephemeral("History", shown)


interim_opened = form_button(_interim_form)
message_history = read_out_button("message history", _message_history)
