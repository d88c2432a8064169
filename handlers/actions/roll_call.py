"""Buttons on the roll call ("Accounted for") and on the closing-time list of visitors."""

from __future__ import annotations

import re
import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.notices import ListenerReply, enqueue_notice
from bot.services import closing, roll_call, visitors
from handlers.blocks import closing as closing_blocks
from handlers.blocks import roll_call as roll_call_blocks
from handlers.commands.desk_board import roll_call_key
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError
from handlers.text import date_token, mention
from storage import outbox, posts
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the roll-call and closing-list buttons."""

    @app.action(re.compile(rf"^{roll_call_blocks.ACCOUNTED}_\d+$"))
    def accounted_for(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(_tell: Reply) -> None:
            try:
                entry_id = int(action["value"])
            except ValueError:  # posted before the marks were kept in the database
                raise UserError(
                    "This roll call is from before Front Desk was updated: "
                    "run `/desk roll-call` again."
                ) from None
            now = ctx.clock.now()
            with session_scope(ctx.engine) as session:
                try:
                    shown = roll_call.mark(
                        session, entry_id=entry_id, by=body["user"]["id"], now=now
                    )
                except roll_call.RollCallNotFound as error:
                    raise UserError(f"{str(error).capitalize()}.") from None
                rc_id = int(shown.roll_call.id or 0)
                for n, (text, blocks) in enumerate(roll_call_blocks.posts(shown, ctx.site_tz)):
                    posted = outbox.row_state(session, roll_call_key(rc_id, n))
                    if posted is None or posted.state != "sent" or not posted.ts:
                        continue  # not posted yet: the mark is kept, the next rewrite shows it
                    enqueue_notice(
                        session,
                        ListenerReply(text=text, blocks=tuple(blocks), update_ts=posted.ts),
                        key=f"{roll_call_key(rc_id, n)}:mark:{entry_id}",
                        target=shown.roll_call.channel,
                        now=now,
                    )

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
                        closing.sign_out_at_closing(
                            session, visit_id=visit_id, by=user_id, now=now, roles=ctx.roles
                        )
                    else:
                        closing.confirm_stays(
                            session, visit_id=visit_id, by=user_id, now=now, roles=ctx.roles
                        )
            except visitors.VisitorNotFound as error:
                raise UserError(f"{str(error).capitalize()}.") from None
            message = body.get("message") or {}
            channel = str((body.get("channel") or {}).get("id") or "")
            _rewrite_closing_list(ctx, channel, str(message.get("ts") or ""))

        ctx.button(ack, body, context, "closing list answer", work)


def _rewrite_closing_list(ctx: HandlerContext, channel: str, ts: str) -> None:
    """Rewrite the closing-time list from what is stored: every visitor answered for so far
    shows their answer, whichever press came first (the list's row is locked meanwhile)."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        posted = posts.locked(session, channel=channel, ts=ts, template="closing_on_site")
        if posted is None:
            return  # not a list the bot posted there: nothing to rewrite
        listed = [int(v["visit_id"]) for v in posted.params.get("visitors", [])]
        text, shown = closing_blocks.closing_post(posted.params, ctx.site_tz)
        for visit_id, answer in closing.answers(session, listed).items():
            at = date_token(answer.at, ctx.site_tz, "{time}")
            pass_number = next(
                (
                    v.get("pass_number")
                    for v in posted.params["visitors"]
                    if v["visit_id"] == visit_id
                ),
                "",
            )
            if answer.signed_out:
                line = f":wave: {pass_number} signed out by {mention(answer.by)} at {at}"
            else:
                line = f":ok_hand: {pass_number} is staying (confirmed by {mention(answer.by)} at {at})"
            shown = closing_blocks.mark_answered(shown, visit_id, line)
        enqueue_notice(
            session,
            ListenerReply(text=text, blocks=tuple(shown), update_ts=ts),
            key=f"{posted.key}:answered:{now.timestamp()}:{uuid.uuid4().hex[:8]}",
            target=channel,
            now=now,
        )
