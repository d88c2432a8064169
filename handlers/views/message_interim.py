"""A phone message's "Interim call back…" form: the day the caller was told to expect a full
answer, how they were told and what was said (pre-filled from `[templates] interim`), as the
enquiry's "Acknowledged" form records them."""

from __future__ import annotations

import json
from datetime import date

from slack_bolt import Ack, BoltContext

from bot.domain.notices import ListenerReply, enqueue_notice
from bot.domain.services import message_interim
from bot.domain.services.messages import message_notice
from handlers.actions.item_button import item_errors
from handlers.blocks import messages as blocks
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import ephemeral, form_errors
from handlers.text import date_token, free_text
from handlers.views.values import picked_day
from handlers.views.values import value as field
from storage.db import session_scope

FORM_ID = blocks.INTERIM_FORM_ID


def interim_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    where = json.loads(view.get("private_metadata") or "{}")
    item_id = int(where["item_id"])
    values = view["state"]["values"]
    medium = field(values, "medium")
    said = field(values, "said", keep_lines=True)
    errors: dict[str, str] = {}
    expect_by: date | None = picked_day(field(values, "expect_by"), errors, "expect_by")
    if expect_by is None:
        errors.setdefault("expect_by", "Pick the day they were told to expect a full answer.")
    if medium not in ctx.policy.enquiry.channels:
        errors["medium"] = "Choose how they were told."
    if errors or expect_by is None:
        ack(response_action="errors", errors=errors)
        return
    interim = message_interim.Interim(expect_by=expect_by, medium=medium, said=said)

    def work(tell: Reply) -> None:
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        now = ctx.clock.now()
        with (
            item_errors(),
            session_scope(ctx.engine) as session,
            form_errors("expect_by", message_interim.InterimError),
        ):
            item, message = message_interim.record(
                session,
                now=now,
                policy=ctx.policy,
                item_id=item_id,
                by=user_id,
                roles=ctx.roles,
                interim=interim,
            )
            due_at = item.due_at
            channel, ts = str(where.get("channel") or ""), str(where.get("ts") or "")
            if channel and ts:  # rewrite the DM the button was in: the new deadline
                notice = message_notice(message, item, with_contact=item.owner_id is not None)
                text, shown = blocks.message_dm(notice.params(), tz)
                enqueue_notice(
                    session,
                    ListenerReply(text=text, blocks=tuple(shown), update_ts=ts),
                    key=f"item:{item_id}:dm_update:interim:{now.timestamp()}",
                    target=channel,
                    now=now,
                )
        tell(
            **ephemeral(
                f":telephone_receiver: Noted: *{free_text(message.caller)}* was called "
                f"back and expects a full answer by {date_token(due_at, tz)}; "
                "I'll remind you before then."
            )
        )

    ctx.form(ack, body, context, "message interim call back", work, error_block="expect_by")
