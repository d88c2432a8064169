"""The buttons on an enquiry's DM: Acknowledged, Resolved, Reassign…, Running late…, History.

Acknowledged and Resolved open a form (how the customer was told, what was said, the outcome).

All but History are on the Home tab too, with the item's id after the action id.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.services import enquiries
from handlers.actions.item_button import Press, form_button, item_button, read_out_button
from handlers.blocks import enquiries as blocks
from handlers.context import HandlerContext, Payload
from handlers.replies import UserError, ephemeral
from handlers.text import esc, free_text
from handlers.views import enquiry_followup, enquiry_told
from storage.db import session_scope

STAGE = {"enquiry_ack": "acknowledge", "enquiry_resolve": "resolve"}
HOME_SUFFIX = re.compile(r"_\d+$")  # the Home tab's buttons end with the item's id


def verb(action: Payload) -> str:
    """The action id without the Home tab's item suffix: `enquiry_ack_12` → `enquiry_ack`."""
    return HOME_SUFFIX.sub("", str(action["action_id"]))


TOLD_OPENED = re.compile(r"^enquiry_(ack|resolve)(_\d+)?$")
FOLLOWUP_OPENED = re.compile(r"^enquiry_(reassign|late)(_\d+)?$")


def _told_form(ctx: HandlerContext, body: Payload, action: Payload, user_id: str) -> Payload:
    """Acknowledged / Resolved: the form saying how the customer was told."""
    where = _where(body, int(action["value"]))
    try:
        return enquiry_told.form_for(ctx, STAGE[verb(action)], where, user_id)
    except enquiries.EnquiryError as error:
        raise UserError(str(error)) from None


def _followup_form(ctx: HandlerContext, body: Payload, action: Payload, user_id: str) -> Payload:
    """Reassign… / Running late…: the form, once the presser may."""
    enquiry_id = int(action["value"])
    reassigning = verb(action) == "enquiry_reassign"
    with session_scope(ctx.engine) as session:
        view = enquiries.get_view(session, enquiry_id)
        if reassigning and user_id != view.last.owner_id:
            if not ctx.roles.is_manager(user_id):
                enquiries.may_act(ctx.roles, user_id, view.last)
        else:
            enquiries.may_act(ctx.roles, user_id, view.last)
        if view.last.state == "done":
            raise UserError(f"It is {view.last.outcome or 'done'} already.")
    where = _where(body, enquiry_id)
    if reassigning:
        return enquiry_followup.reassign_view(where)
    return enquiry_followup.late_view(where, ctx.policy.enquiry.channels)


enquiry_told_opened = form_button(_told_form)
enquiry_followup_opened = form_button(_followup_form)


def _enquiry_show_contact(p: Press) -> Payload:
    """The customer's contact, to the presser only."""
    enquiry = enquiries.contact_of(p.session, enquiry_id=p.thing_id, by=p.user_id, roles=p.roles)
    lines = [f"*{esc(enquiry.ref or '')} {free_text(enquiry.from_name)}*"]
    lines.append(f":bust_in_silhouette: {free_text(enquiry.contact or 'No contact was taken.')}")
    if enquiry.prefers:
        lines.append(f"Prefers {esc(enquiry.prefers.replace('_', ' '))}")
    return ephemeral("\n".join(lines))


# The contact is read out, never stored in the outbox: if the answer is lost, press again.
enquiry_show_contact = item_button(
    "enquiry show contact",
    _enquiry_show_contact,
    refusals={enquiries.EnquiryError: str},
    private=True,
)


def _enquiry_history(ctx: HandlerContext, action: Payload, user_id: str) -> Payload:
    """History: the enquiry's events and replies, to the presser only."""
    with session_scope(ctx.engine) as session:
        view, events, replies = enquiries.history(
            session, enquiry_id=int(action["value"]), by=user_id, roles=ctx.roles
        )
        shown = blocks.history(view.params, events, _zone(ctx, user_id), replies)
    return ephemeral("History", shown)


enquiry_history = read_out_button("enquiry history", _enquiry_history)


def _where(body: Payload, enquiry_id: int) -> enquiry_followup.Where:
    """The enquiry, and the message the button was in (none on the Home tab)."""
    container = body.get("container", {})
    return enquiry_followup.Where(
        enquiry_id=enquiry_id,
        channel=str(container.get("channel_id") or ""),
        ts=str(container.get("message_ts") or ""),
    )


def _zone(ctx: HandlerContext, user_id: str) -> Any:
    return ctx.directory.zone_of(user_id, ctx.site_tz)
