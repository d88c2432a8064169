"""The `/message` modal: for, caller, organisation, phone, e-mail, subject, message, urgent."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.messages import NewMessage
from handlers.blocks.messages import MESSAGE_FORM_ID
from handlers.commands.message import take_new
from handlers.context import HandlerContext
from handlers.replies import guarded

log = logging.getLogger(__name__)
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"


def field(values: dict[str, Any], block_id: str, *, keep_lines: bool = False) -> str:
    """A submitted value, as text ("" when empty)."""
    element = values.get(block_id, {}).get(block_id, {})
    value = str(element.get("value") or element.get("selected_user") or "")
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in value.strip().splitlines()).strip()
    return " ".join(value.split())


def checked(values: dict[str, Any], block_id: str) -> bool:
    """Whether a checkbox was ticked."""
    element = values.get(block_id, {}).get(block_id, {})
    return bool(element.get("selected_options"))


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the modal's submission."""

    @app.view(MESSAGE_FORM_ID)
    def message_form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        values = view["state"]["values"]
        recipient, caller = field(values, "recipient"), field(values, "caller")
        email = field(values, "email")
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
            organisation=field(values, "organisation") or None,
            phone=field(values, "phone") or None,
            email=email or None,
            subject=field(values, "subject") or None,
            body=field(values, "body", keep_lines=True) or None,
            urgent=checked(values, "urgent"),
        )
        with guarded(tell, "message form"):
            tell(text=take_new(ctx, user_id, new))
        ctx.deliver()


def tell_submitter(client: WebClient, channel: str, user_id: str, reply: dict[str, Any]) -> None:
    """Answer the person who submitted: ephemeral where they were, else by DM."""
    reply.pop("response_type", None)
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, **reply)
            return
    except SlackApiError as error:
        log.info("ephemeral reply failed (%s); sending a DM instead", error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, **reply)
