"""The `/message` modal: for, caller, organisation, phone, e-mail, subject, message, urgent."""

from __future__ import annotations

import json
import logging
import re

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.services import board
from bot.domain.services.messages import NewMessage
from handlers.blocks.board import whereabouts_note
from handlers.blocks.messages import MESSAGE_FORM_ID, message_form_view
from handlers.commands.message import take_new
from handlers.commands.message_parse import MAX_BODY
from handlers.commands.parsing import contacts_out
from handlers.context import HandlerContext, Payload, Reply
from handlers.views.values import checked, known, value
from storage.db import session_scope

log = logging.getLogger(__name__)
FIELD_LIMIT = 64  # the phone and e-mail columns
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"


def recipient_picked(
    ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, client: WebClient
) -> None:
    ack()
    form = body.get("view") or {}
    if form.get("callback_id") != MESSAGE_FORM_ID:
        return
    picked = str(action.get("selected_user") or "")
    note = ""
    if picked and ctx.directory.get(picked) is not None:
        with session_scope(ctx.engine) as session:
            status = board.status_of(session, picked, now=ctx.clock.now())
        tz = ctx.directory.zone_of(body["user"]["id"], ctx.site_tz)
        note = whereabouts_note(status, tz)
    channel = json.loads(form.get("private_metadata") or "{}").get("channel", "")
    try:  # the form as it was, with the board's word on who was picked
        client.views_update(
            view_id=form["id"], hash=form.get("hash"), view=message_form_view(channel, note)
        )
    except SlackApiError as error:  # edited meanwhile, or closed: the note is a nicety
        log.info("could not show the recipient's status: %s", error.response.get("error"))


def message_form_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = view["state"]["values"]
    recipient = value(values, "recipient")
    # A number, an address or "(organisation)" typed into the caller's name go to their
    # own fields, as the command does: the name is posted where a number must not be.
    errors: dict[str, str] = {}
    # A number or an address typed into the caller's name goes to its own field (or, if that
    # is filled in already, to the message): the name is posted where a number must not be.
    caller, taken = contacts_out(value(values, "caller"), ctx.phone_region)
    found = [part.strip() for part in (taken or "").split(",") if part.strip()]
    emails = [part for part in found if "@" in part and len(part) <= FIELD_LIMIT]
    phones = [part for part in found if "@" not in part and len(part) <= FIELD_LIMIT]
    rest = [part for part in found if len(part) > FIELD_LIMIT]
    email = value(values, "email") or (emails.pop(0) if emails else "")
    phone = value(values, "phone") or (phones.pop(0) if phones else "")
    also = ", ".join(emails + phones)
    if rest:
        errors["caller"] = "Take the number out of the name: it is too long to be one."
    if not recipient or not known(ctx, recipient, errors, "recipient"):
        errors.setdefault("recipient", "Choose who the message is for.")
    if not caller:
        errors["caller"] = "Give the caller's name."
    if email and not re.fullmatch(EMAIL, email):
        errors["email"] = "That does not look like an e-mail address."
    message = "\n".join(
        part for part in (value(values, "body", keep_lines=True), also and f"Also: {also}") if part
    )
    if len(message) > MAX_BODY:
        errors["body"] = (
            "With the numbers taken out of the caller's name the message is "
            f"{len(message)} characters long: shorten it to {MAX_BODY}."
        )
    if errors:
        ack(response_action="errors", errors=errors)
        return

    def work(tell: Reply) -> None:
        new = NewMessage(
            recipient_id=recipient,
            caller=caller,
            organisation=value(values, "organisation") or None,
            phone=phone or None,
            email=email or None,
            subject=value(values, "subject") or None,
            body=message or None,
            urgent=checked(values, "urgent"),
        )
        typed_in = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
        tell(text=take_new(ctx, user_id, new, typed_in))

    ctx.form(ack, body, context, "message form", work, error_block="caller")
