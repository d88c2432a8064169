"""The "Acknowledged" and "Resolved" forms: how the customer was told and what was said.

The text is pre-filled from the policy's `[templates]`, filled for the enquiry, so the owner
can copy it into a letter or an e-mail; "Acknowledged" may carry when the customer was told to
expect a full answer (an interim call back), "Resolved" records the outcome.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain.config import EnquiryConfig
from bot.domain.services import enquiries
from handlers.blocks import enquiries as blocks
from handlers.blocks.common import context, plain
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import ephemeral, form_errors
from handlers.views.enquiry_followup import Where, update_dm
from handlers.views.enquiry_form import words
from handlers.views.values import picked_day
from handlers.views.values import value as field
from storage.db import session_scope

ACK_ID = "enquiry_ack_form"
RESOLVE_ID = "enquiry_resolve_form"
STAGES = {ACK_ID: "acknowledge", RESOLVE_ID: "resolve"}
TITLES = {"acknowledge": "Acknowledged", "resolve": "Resolved"}
MAX_SAID = 3000
MAX_OUTCOME = 500


def told_view(
    stage: str,
    where: Where,
    *,
    ref: str,
    said: str,
    medium: str | None,
    config: EnquiryConfig,
) -> dict[str, Any]:
    """The form: how they were told (the medium they prefer, else the one they used, chosen
    already), what was said (the template, filled), and the outcome or the interim date."""
    options = words(config.channels)
    select: dict[str, Any] = {"type": "static_select", "action_id": "medium", "options": options}
    chosen = [o for o in options if o["value"] == medium]
    if chosen:
        select["initial_option"] = chosen[0]
    said_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "said",
        "multiline": True,
        "max_length": MAX_SAID,
    }
    if said:
        said_input["initial_value"] = said[:MAX_SAID]
    shown: list[dict[str, Any]] = [
        context(f"{ref}: the text below is filled in from the policy's template; copy it."),
        {
            "type": "input",
            "block_id": "medium",
            "label": plain("How the customer was told"),
            "element": select,
        },
        {
            "type": "input",
            "block_id": "said",
            "optional": True,
            "label": plain("What was said"),
            "element": said_input,
        },
    ]
    if stage == "resolve":
        shown.append(
            {
                "type": "input",
                "block_id": "outcome",
                "label": plain("Outcome (what was decided)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "outcome",
                    "max_length": MAX_OUTCOME,
                },
            }
        )
    else:
        shown.append(
            {
                "type": "input",
                "block_id": "expect_by",
                "optional": True,
                "label": plain("When they were told to expect a full answer"),
                "element": {"type": "datepicker", "action_id": "expect_by"},
            }
        )
    return {
        "type": "modal",
        "callback_id": ACK_ID if stage == "acknowledge" else RESOLVE_ID,
        "title": plain(TITLES[stage]),
        "submit": plain("Record it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(asdict(where)),
        "blocks": shown,
    }


def form_for(ctx: HandlerContext, stage: str, where: Where, user_id: str) -> dict[str, Any]:
    """The form for `stage` of the enquiry, after checking the clicker may close it now
    (raises the service's refusal or EnquiryError otherwise)."""
    with session_scope(ctx.engine) as session:
        view = enquiries.get_view(session, where.enquiry_id)
        item = enquiries.check_stage(view, stage)
        enquiries.may_act(ctx.roles, user_id, item)
        said = enquiries.prefilled(session, ctx.policy, view, stage)
        medium = view.enquiry.prefers or view.enquiry.channel
        ref = view.ref
    return told_view(stage, where, ref=ref, said=said, medium=medium, config=ctx.policy.enquiry)


def acknowledged_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    submitted(ctx, ack, body, view, context)


def resolved_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    submitted(ctx, ack, body, view, context)


def submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    stage = STAGES[str(view["callback_id"])]
    where = Where.of(view)
    values = view["state"]["values"]
    medium = field(values, "medium")
    said = field(values, "said", keep_lines=True)
    outcome = field(values, "outcome")
    picked = field(values, "expect_by")
    errors: dict[str, str] = {}
    if medium not in ctx.policy.enquiry.channels:
        errors["medium"] = "Choose how the customer was told."
    if stage == "resolve" and not outcome:
        errors["outcome"] = "Say what was decided."
    expect_by = picked_day(picked, errors, "expect_by")
    if expect_by is not None and expect_by < ctx.clock.now().astimezone(ctx.site_tz).date():
        errors["expect_by"] = "Pick a date from today on."
    if errors:
        ack(response_action="errors", errors=errors)
        return
    told = enquiries.Told(medium=medium, said=said, outcome=outcome, expect_by=expect_by)
    change = enquiries.acknowledge if stage == "acknowledge" else enquiries.resolve

    def work(tell: Reply) -> None:
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        with (
            session_scope(ctx.engine) as session,
            form_errors("medium", enquiries.EnquiryError),
        ):
            change(
                session,
                now=ctx.clock.now(),
                enquiry_id=where.enquiry_id,
                by=user_id,
                roles=ctx.roles,
                told=told,
                policy=ctx.policy,
            )
            params = enquiries.get_view(session, where.enquiry_id).params
            text, updated = blocks.enquiry_dm(params, tz)
            update_dm(session, ctx, where, text, updated, f"{stage}:")
        if not where.channel:  # pressed on the Home tab or a reminder: say it
            tell(**ephemeral(f":white_check_mark: {TITLES[stage]}: {blocks.headline(params)}"))

    ctx.form(ack, body, context, f"enquiry {stage}", work, error_block="medium")
