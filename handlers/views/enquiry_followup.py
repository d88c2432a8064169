"""The enquiry's follow-up modals: "Reassign…" (a person) and "Running late…" (a date, why,
and whether and how the customer was told)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from sqlmodel import Session

from bot.domain.notices import ListenerReply, enqueue_notice
from bot.domain.roles import Refusal
from bot.domain.services import enquiries
from handlers.blocks import enquiries as blocks
from handlers.blocks.common import actions, button, context, plain, section
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import FormError, ephemeral, form_errors
from handlers.text import date_token, mention
from handlers.views.values import known
from handlers.views.values import value as field
from storage.db import session_scope

log = logging.getLogger(__name__)
REASSIGN_ID = "enquiry_reassign_form"
LATE_ID = "enquiry_late_form"


@dataclass(frozen=True)
class Where:
    """The enquiry, and the DM the button was pressed in (to update it afterwards)."""

    enquiry_id: int
    channel: str
    ts: str

    @classmethod
    def of(cls, view: Payload) -> Where:
        data = json.loads(view.get("private_metadata") or "{}")
        return cls(int(data["enquiry_id"]), str(data.get("channel", "")), str(data.get("ts", "")))


def reassign_view(where: Where) -> dict[str, Any]:
    """Pick the new owner."""
    return {
        "type": "modal",
        "callback_id": REASSIGN_ID,
        "title": plain("Reassign enquiry"),
        "submit": plain("Reassign"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(asdict(where)),
        "blocks": [
            {
                "type": "input",
                "block_id": "owner",
                "label": plain("Give it to"),
                "element": {"type": "users_select", "action_id": "owner"},
            },
            context("The customer's deadlines stay as they are."),
        ],
    }


TOLD_OPTIONS = (("yes", "Yes, they have been told"), ("no", "Not yet: remind me what to say"))


def late_view(where: Where, channels: tuple[str, ...] = ()) -> dict[str, Any]:
    """The revised date, the reason, and whether (and how) the customer was told."""
    told = [{"text": plain(label), "value": value} for value, label in TOLD_OPTIONS]
    mediums = [{"text": plain(c.replace("_", " ").capitalize()), "value": c} for c in channels]
    return {
        "type": "modal",
        "callback_id": LATE_ID,
        "title": plain("Running late"),
        "submit": plain("Move the date"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(asdict(where)),
        "blocks": [
            {
                "type": "input",
                "block_id": "date",
                "label": plain("New date for the answer"),
                "element": {"type": "datepicker", "action_id": "date"},
            },
            {
                "type": "input",
                "block_id": "reason",
                "label": plain("Why is it late?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "max_length": 1000,
                },
            },
            {
                "type": "input",
                "block_id": "told",
                "label": plain("Has the customer been told of the new date?"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "told",
                    "options": told,
                    "initial_option": told[1],
                },
            },
            *(
                [
                    {
                        "type": "input",
                        "block_id": "medium",
                        "optional": True,
                        "label": plain("How they were told"),
                        "element": {
                            "type": "static_select",
                            "action_id": "medium",
                            "options": mediums,
                        },
                    }
                ]
                if mediums
                else []
            ),
            context("The managers are told; you get the text to give the customer."),
        ],
    }


def reassign_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    where = Where.of(view)
    to_user = field(view["state"]["values"], "owner")
    errors: dict[str, str] = {}
    if not to_user or not known(ctx, to_user, errors, "owner"):
        errors.setdefault("owner", "Choose someone in this workspace.")
        ack(response_action="errors", errors=errors)
        return

    def work(tell: Reply) -> None:
        with session_scope(ctx.engine) as session, form_errors("owner", enquiries.EnquiryError):
            changed = enquiries.reassign(
                session,
                now=ctx.clock.now(),
                enquiry_id=where.enquiry_id,
                to_user_id=to_user,
                by=user_id,
                roles=ctx.roles,
                desk_channel=ctx.desk_channel,
                teams=ctx.policy.team_book(),
            )
            params = changed.params
            # Whoever covers, if the person chosen is away: a colleague or the desk channel.
            holder = params.get("owner_id")
            given_to = mention(str(holder)) if holder else "the desk channel"
            text = f"{blocks.headline(params)}\nPassed to {given_to} by {mention(user_id)}."
            if holder != to_user:
                text += f" ({mention(to_user)} is away.)"
            history = actions(
                f"enquiry_{where.enquiry_id}",
                button("History", "enquiry_history", str(where.enquiry_id)),
            )
            update_dm(session, ctx, where, text, [section(text), history], "reassign:")
        if not where.channel:  # pressed on the Home tab: no DM to rewrite, so say it
            tell(**ephemeral(f":arrow_right: {text}"))

    ctx.form(ack, body, context, "enquiry reassign", work, error_block="owner")


def late_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    where = Where.of(view)
    values = view["state"]["values"]
    picked = field(values, "date")
    reason = field(values, "reason")
    told_yes = field(values, "told") == "yes"
    medium = field(values, "medium") or None
    try:
        new_day = date.fromisoformat(picked)
    except ValueError:
        ack(response_action="errors", errors={"date": "Pick the new date."})
        return
    if told_yes and medium is None:
        ack(response_action="errors", errors={"medium": "Say how they were told."})
        return
    if medium is not None and medium not in ctx.policy.enquiry.channels:
        ack(response_action="errors", errors={"medium": "Choose how they were told."})
        return
    told = enquiries.Told(medium=medium if told_yes else None, told=told_yes)

    def work(tell: Reply) -> None:
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        with session_scope(ctx.engine) as session:
            try:
                changed = enquiries.running_late(
                    session,
                    now=ctx.clock.now(),
                    policy=ctx.policy,
                    enquiry_id=where.enquiry_id,
                    new_day=new_day,
                    reason=reason,
                    by=user_id,
                    roles=ctx.roles,
                    managers_channel=ctx.managers_channel,
                    told=told,
                )
            except (enquiries.EnquiryError, Refusal) as error:
                block = "reason" if "why" in str(error).lower() else "date"
                raise FormError(block, str(error)) from None
            params = changed.params
            new_due_at = changed.last.due_at
            text, updated = blocks.enquiry_dm(params, tz)
            update_dm(session, ctx, where, text, updated, "late:")
        if not where.channel:  # pressed on the Home tab: no DM to rewrite, so say it
            new_due = date_token(new_due_at, tz)
            tell(
                **ephemeral(
                    f":hourglass: {blocks.headline(params)}: the answer is now due {new_due}."
                )
            )

    ctx.form(ack, body, context, "enquiry running late", work, error_block="date")


def update_dm(
    session: Session,
    ctx: HandlerContext,
    where: Where,
    text: str,
    shown: list[dict[str, Any]],
    what: str = "",
) -> None:
    """Rewrite the DM the button was in: an outbox row in the form's transaction."""
    if not (where.channel and where.ts):
        return
    enqueue_notice(
        session,
        ListenerReply(text=text, blocks=tuple(shown), update_ts=where.ts),
        key=f"enquiry:{where.enquiry_id}:dm_update:{what}{ctx.clock.now().timestamp()}",
        target=where.channel,
        now=ctx.clock.now(),
    )
