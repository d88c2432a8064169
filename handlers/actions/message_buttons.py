"""The buttons on a phone message: "Called back", "Tried — no answer", "Show number".

They are on the owner's DM and, with the item's id after the action id, on the Home tab.
"""

from __future__ import annotations

import re

from bot.services import messages
from handlers.actions.item_button import Press, item_button
from handlers.blocks import messages as blocks
from handlers.blocks.common import context as context_block
from handlers.blocks.common import section
from handlers.context import Payload
from handlers.replies import ephemeral, in_message
from handlers.text import date_token, esc, mention

CALLED_BACK = re.compile(r"^message_called_back(_\d+)?$")
TRIED = re.compile(r"^message_tried(_\d+)?$")
SHOW_NUMBER = re.compile(r"^message_show_number(_\d+)?$")


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
