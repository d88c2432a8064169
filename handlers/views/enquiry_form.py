"""The `/enquiry` modal: log a complaint, question or request with a form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.blocks.common import plain
from handlers.commands.enquiry import log
from handlers.commands.enquiry_parse import CHANNELS, KINDS, LogEnquiry
from handlers.context import HandlerContext, Reply
from handlers.views.values import known
from handlers.views.values import value as field

CALLBACK_ID = "enquiry_form"
CHANNEL_OPTIONS = ("phone", "email", "letter", "in_person", "social", "survey")


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def _select(block_id: str, label: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"type": "static_select", "action_id": block_id, "options": options},
    }


def form_view(channel_id: str) -> dict[str, Any]:
    """The modal: kind, how it came in, from whom, owner, summary."""
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Log an enquiry"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": [
            _select("kind", "Kind", [_option(k, k.capitalize()) for k in KINDS]),
            _select(
                "channel",
                "Came in by",
                [_option(c, c.replace("_", " ").capitalize()) for c in CHANNEL_OPTIONS],
            ),
            {
                "type": "input",
                "block_id": "from_name",
                "label": plain("From"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "from_name",
                    "max_length": 200,
                },
            },
            {
                "type": "input",
                "block_id": "owner",
                "optional": True,
                "label": plain("Owner (leave empty to keep it yourself)"),
                "element": {"type": "users_select", "action_id": "owner"},
            },
            {
                "type": "input",
                "block_id": "summary",
                "label": plain("Summary"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "summary",
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def open_form(client: WebClient, trigger_id: str, channel_id: str) -> None:
    """Open the modal at once (the trigger expires in 3 seconds)."""
    client.views_open(trigger_id=trigger_id, view=form_view(channel_id))


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the modal's submission."""

    @app.view(CALLBACK_ID)
    def enquiry_form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user_id = body["user"]["id"]
        values = view["state"]["values"]
        kind, channel = field(values, "kind"), field(values, "channel")
        from_name, summary = field(values, "from_name"), field(values, "summary")
        owner_id = field(values, "owner") or None
        errors: dict[str, str] = {}
        if kind not in KINDS:
            errors["kind"] = "Choose complaint, question or request."
        if channel not in CHANNELS.values():
            errors["channel"] = "Choose how it came in."
        if not from_name:
            errors["from_name"] = "Give the name of who it is from."
        if not summary:
            errors["summary"] = "Say what it is about."
        if owner_id and not known(ctx, owner_id, errors, "owner"):
            errors.setdefault("owner", "Choose someone in this workspace.")
        if errors:
            ack(response_action="errors", errors=errors)
            return

        def work(tell: Reply) -> None:
            made = LogEnquiry(kind, channel, from_name, owner_id, summary)
            typed_in = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
            tell(text=log(ctx, user_id, made, typed_in))

        ctx.form(ack, body, context, "enquiry form", work, error_block="summary")
