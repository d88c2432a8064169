"""The `/enquiry` modal: log an enquiry with a form (kinds and channels from the policy)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.config import EnquiryConfig
from handlers.blocks.common import plain
from handlers.commands.enquiry import log
from handlers.commands.enquiry_parse import MAX_CONTACT, LogEnquiry
from handlers.context import HandlerContext, Payload, Reply
from handlers.views.values import known, picked_day
from handlers.views.values import value as field

CALLBACK_ID = "enquiry_form"


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def _select(
    block_id: str, label: str, options: list[dict[str, Any]], *, optional: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"type": "static_select", "action_id": block_id, "options": options},
    }
    if optional:
        block["optional"] = True
    return block


def words(values: tuple[str, ...]) -> list[dict[str, Any]]:
    """Options for the policy's kinds or channels ("in_person" shown as "In person")."""
    return [_option(v, v.replace("_", " ").capitalize()) for v in values]


def form_view(channel_id: str, config: EnquiryConfig | None = None) -> dict[str, Any]:
    """The modal: kind, how it came in, from whom, how to reach them, the medium they
    prefer, owner, summary."""
    config = config or EnquiryConfig()
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Log an enquiry"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": [
            _select("kind", "Kind", words(config.kinds)),
            _select("channel", "Came in by", words(config.channels)),
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
                "block_id": "contact",
                "optional": True,
                "label": plain(
                    "How to reach them (e-mail, phone or address; only the owner sees it)"
                ),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "contact",
                    "max_length": MAX_CONTACT,
                },
            },
            _select("prefers", "They prefer an answer by", words(config.channels), optional=True),
            {
                "type": "input",
                "block_id": "expect_by",
                "optional": True,
                "label": plain("Told to expect a full answer by (an interim call back)"),
                "element": {"type": "datepicker", "action_id": "expect_by"},
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
            {
                "type": "input",
                "block_id": "needs",
                "optional": True,
                "label": plain("Access needs (e.g. large print, interpreter: Cree)"),
                "element": {"type": "plain_text_input", "action_id": "needs", "max_length": 200},
            },
        ],
    }


def open_form(
    client: WebClient, trigger_id: str, channel_id: str, config: EnquiryConfig | None = None
) -> None:
    """Open the modal at once (the trigger expires in 3 seconds)."""
    client.views_open(trigger_id=trigger_id, view=form_view(channel_id, config))


def enquiry_form_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = view["state"]["values"]
    kind, channel = field(values, "kind"), field(values, "channel")
    from_name, summary = field(values, "from_name"), field(values, "summary")
    owner_id = field(values, "owner") or None
    contact, prefers = field(values, "contact") or None, field(values, "prefers") or None
    picked = field(values, "expect_by")
    config = ctx.policy.enquiry
    errors: dict[str, str] = {}
    if kind not in config.kinds:
        errors["kind"] = "Choose what kind of enquiry it is."
    if channel not in config.channels:
        errors["channel"] = "Choose how it came in."
    if prefers is not None and prefers not in config.channels:
        errors["prefers"] = "Choose one of the channels, or none."
    expect_by = picked_day(picked, errors, "expect_by")
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
        needs = field(values, "needs") or None
        request = LogEnquiry(
            kind, channel, from_name, owner_id, summary, contact, prefers, needs=needs
        )
        typed_in = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
        tell(text=log(ctx, user_id, request, expect_by, channel_id=typed_in))

    ctx.form(ack, body, context, "enquiry form", work, error_block="summary")
