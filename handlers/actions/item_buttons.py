"""The buttons on any item's alert or DM: "Take it" and "Reassign…" (which opens a modal)."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import item_actions
from handlers.actions.item_button import Press, item_button, item_errors
from handlers.blocks.common import plain
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import ephemeral
from handlers.text import date_token, mention
from handlers.views.values import picked_person
from storage.db import session_scope

REASSIGN_FORM_ID = "item_reassign_form"
TAKE = re.compile(r"^item_take(_\d+)?$")
REASSIGN = re.compile(r"^item_reassign(_\d+)?$")


def reassign_view(item_id: int, channel_id: str) -> dict[str, Any]:
    """The modal: pick the new owner."""
    return {
        "type": "modal",
        "callback_id": REASSIGN_FORM_ID,
        "title": plain("Reassign"),
        "submit": plain("Reassign"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"item_id": item_id, "channel": channel_id}),
        "blocks": [
            {
                "type": "input",
                "block_id": "owner",
                "label": plain("Give it to"),
                "element": {"type": "users_select", "action_id": "owner"},
            }
        ],
    }


def _take_it(p: Press) -> Payload:
    """ "Take it": the item is the presser's now."""
    moved = item_actions.take(p.session, now=p.now, item_id=p.thing_id, by=p.user_id, roles=p.roles)
    text = f":raised_hand: It's yours now, due {date_token(moved.item.due_at, p.tz)}; the details are in your DMs."
    return ephemeral(text)


take_it = item_button("item take", _take_it)


def reassign_clicked(
    ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, client: WebClient
) -> None:
    """ "Reassign…": open the form."""
    ack()
    channel = (body.get("channel") or {}).get("id", "")
    client.views_open(
        trigger_id=body["trigger_id"], view=reassign_view(int(action["value"]), channel)
    )


def reassign_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    """The reassign form: give the item to whoever was picked."""
    user_id = body["user"]["id"]
    to = picked_person(ctx, ack, view, "owner")
    if to is None:
        return
    meta = json.loads(view.get("private_metadata") or "{}")

    def work(tell: Reply) -> None:
        with item_errors():
            with session_scope(ctx.engine) as session:
                moved = item_actions.reassign(
                    session,
                    now=ctx.clock.now(),
                    item_id=int(meta["item_id"]),
                    to=to,
                    by=user_id,
                    roles=ctx.roles,
                    desk_channel=ctx.desk_channel,
                    teams=ctx.policy.team_book(),
                )
                owner_id, due_at = moved.item.owner_id, moved.item.due_at
            tz = ctx.directory.zone_of(user_id, ctx.site_tz)
            holder = mention(owner_id) if owner_id else "the desk channel"
            text = f":arrow_right: Reassigned: {holder} has it now, still due {date_token(due_at, tz)}."
            if owner_id != to:
                text += f" ({mention(to)} is away.)"
            tell(**ephemeral(text))

    ctx.form(ack, body, context, "item reassign", work, error_block="owner")
