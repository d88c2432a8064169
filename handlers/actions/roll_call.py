"""Buttons on the roll call ("Accounted for") and on the closing-time list of visitors."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import closing, visitors
from handlers.blocks import board as board_blocks
from handlers.blocks import closing as closing_blocks
from handlers.context import HandlerContext, Reply
from handlers.replies import REPLY_TEMPLATE, UserError
from handlers.text import date_token, mention
from storage import outbox
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the roll-call and closing-list buttons."""

    @app.action(re.compile(rf"^{board_blocks.ACCOUNTED}_\d+$"))
    def accounted_for(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(_tell: Reply) -> None:
            user_id = body["user"]["id"]
            person = ctx.directory.get(user_id)
            by_name = (person.real_name or person.handle) if person else user_id
            message = body.get("message") or {}
            marked = board_blocks.mark_accounted(
                message.get("blocks") or [],
                action["action_id"],
                by_name=by_name,
                at=ctx.clock.now(),
                tz=ctx.site_tz,
            )
            done, total = board_blocks.accounted_count(marked)
            text = f"Roll call: {done} of {total} accounted for"
            _rewrite(ctx, body, text, marked)

        ctx.button(ack, body, context, "roll call mark", work)

    @app.action(re.compile(rf"^({closing_blocks.SIGNED_OUT}|{closing_blocks.STAYS})_\d+$"))
    def closing_answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(_tell: Reply) -> None:
            user_id = body["user"]["id"]
            visit_id = int(action["value"])
            signed_out = action["action_id"].startswith(closing_blocks.SIGNED_OUT)
            now = ctx.clock.now()
            try:
                with session_scope(ctx.engine) as session:
                    if signed_out:
                        visit = closing.sign_out_at_closing(
                            session, visit_id=visit_id, by=user_id, now=now, roles=ctx.roles
                        )
                    else:
                        visit = closing.confirm_stays(
                            session, visit_id=visit_id, by=user_id, now=now, roles=ctx.roles
                        )
            except visitors.VisitorNotFound as error:
                raise UserError(f"{str(error).capitalize()}.") from None
            at = date_token(now, ctx.site_tz, "{time}")
            if signed_out:
                line = f":wave: {visit.pass_number} signed out by {mention(user_id)} at {at}"
            else:
                line = f":ok_hand: {visit.pass_number} is staying (confirmed by {mention(user_id)} at {at})"
            message = body.get("message") or {}
            shown = closing_blocks.mark_answered(message.get("blocks") or [], visit_id, line)
            _rewrite(ctx, body, message.get("text") or "Closing time", shown)

        ctx.button(ack, body, context, "closing list answer", work)


def _rewrite(ctx: HandlerContext, body: dict[str, Any], text: str, shown: list[Any]) -> None:
    """Rewrite the post the button was on: an outbox row in the button's transaction."""
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or "")
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        outbox.enqueue(
            session,
            key=f"rewrite:{body.get('trigger_id') or now.timestamp()}",
            template=REPLY_TEMPLATE,
            target=channel,
            params={"text": text, "blocks": shown, "update_ts": message.get("ts")},
            now=now,
        )
