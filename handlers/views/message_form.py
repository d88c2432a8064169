"""The `/message` modal: for, caller, organisation, phone, e-mail, subject, message, urgent."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import board
from bot.services.messages import NewMessage
from handlers.blocks.board import whereabouts_note
from handlers.blocks.messages import MESSAGE_FORM_ID, RECIPIENT_PICKED, message_form_view
from handlers.commands.message import take_new
from handlers.context import HandlerContext, Reply
from handlers.views.values import checked, known, value
from storage.db import session_scope

log = logging.getLogger(__name__)
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the modal's submission, and for its recipient being chosen."""

    @app.action({"type": "block_actions", "action_id": RECIPIENT_PICKED})
    def recipient_picked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
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

    @app.view(MESSAGE_FORM_ID)
    def message_form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user_id = body["user"]["id"]
        values = view["state"]["values"]
        recipient, caller = value(values, "recipient"), value(values, "caller")
        email = value(values, "email")
        errors: dict[str, str] = {}
        if not recipient or not known(ctx, recipient, errors, "recipient"):
            errors.setdefault("recipient", "Choose who the message is for.")
        if not caller:
            errors["caller"] = "Give the caller's name."
        if email and not re.fullmatch(EMAIL, email):
            errors["email"] = "That does not look like an e-mail address."
        if errors:
            ack(response_action="errors", errors=errors)
            return

        def work(tell: Reply) -> None:
            new = NewMessage(
                recipient_id=recipient,
                caller=caller,
                organisation=value(values, "organisation") or None,
                phone=value(values, "phone") or None,
                email=email or None,
                subject=value(values, "subject") or None,
                body=value(values, "body", keep_lines=True) or None,
                urgent=checked(values, "urgent"),
            )
            tell(text=take_new(ctx, user_id, new))

        ctx.form(ack, body, context, "message form", work, error_block="caller")
