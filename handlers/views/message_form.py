"""The `/message` modal: for, caller, organisation, phone, e-mail, subject, message, urgent."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services.messages import NewMessage
from handlers.blocks.messages import MESSAGE_FORM_ID
from handlers.commands.message import take_new
from handlers.context import HandlerContext
from handlers.replies import guarded, tell_submitter
from handlers.views.values import checked, value

log = logging.getLogger(__name__)
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the modal's submission."""

    @app.view(MESSAGE_FORM_ID)
    def message_form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        values = view["state"]["values"]
        recipient, caller = value(values, "recipient"), value(values, "caller")
        email = value(values, "email")
        errors = {}
        if not recipient or ctx.directory.get(recipient) is None:
            errors["recipient"] = "Choose who the message is for."
        if not caller:
            errors["caller"] = "Give the caller's name."
        if email and not re.fullmatch(EMAIL, email):
            errors["email"] = "That does not look like an e-mail address."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        channel = json.loads(view.get("private_metadata") or "{}").get("channel", "")

        def tell(**reply: Any) -> None:
            tell_submitter(client, channel, user_id, reply)

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
        with guarded(tell, "message form"):
            tell(text=take_new(ctx, user_id, new))
        ctx.deliver()
