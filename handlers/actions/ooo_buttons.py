"""The buttons on the reply to `/ooo from … until …`: "Keep my items" / "Hand them over"
change the hand-over stored with the planned absence, until it starts."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import absences, planned_absences
from handlers.blocks import ooo as blocks
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.sites import own_site
from handlers.text import esc
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the hand-over buttons."""

    def choose(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        hand_over = action["action_id"] == blocks.HAND_OVER

        def work(respond: Reply) -> None:
            user_id = body["user"]["id"]
            try:
                absence_id = int(action["value"])
            except (KeyError, ValueError):
                raise UserError("That button no longer says which absence it is for.") from None
            tz = ctx.directory.zone_of(user_id, own_site(ctx, user_id).tz)
            try:
                with session_scope(ctx.engine) as session:
                    absence = planned_absences.choose_hand_over(
                        session,
                        user_id=user_id,
                        absence_id=absence_id,
                        hand_over_items=hand_over,
                        now=ctx.clock.now(),
                    )
                    shown = (absence.starts_at, absence.until, absence.backup_id)
            except absences.AbsenceError as error:
                message = esc(str(error))
                raise UserError(f"{message[:1].upper()}{message[1:]}.") from None
            starts_at, until, backup_id = shown
            has_team = ctx.policy.team_book().team_of(user_id) is not None
            text = blocks.hand_over_chosen(
                starts_at=starts_at,
                until=until,
                hand_over=hand_over,
                cover=blocks.cover_words(backup_id, has_team),
                tz=tz,
            )
            respond(
                replace_original=True,
                **ephemeral(text, blocks.planned_blocks(text, absence_id, hand_over)),
            )

        what = "ooo hand over" if hand_over else "ooo keep items"
        ctx.button(ack, body, context, what, work)

    app.action(blocks.KEEP_ITEMS)(choose)
    app.action(blocks.HAND_OVER)(choose)
