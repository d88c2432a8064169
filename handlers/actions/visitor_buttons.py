"""The host's buttons on an arrival DM, and picking one visitor among several."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import visitors
from handlers.blocks import visitors as blocks
from handlers.commands.visitor import done_line, handle
from handlers.commands.visitor_parse import Arrived
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage import visits
from storage.db import session_scope

RESPONSES = {
    "visitor_on_my_way": "on_my_way",
    "visitor_please_wait": "please_wait",
    "visitor_send_someone": "send_someone",
}


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the visitor buttons."""

    @app.action(re.compile(r"^visitor_(on_my_way|please_wait|send_someone)$"))
    def host_answered(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(respond: Reply) -> None:
            user_id = body["user"]["id"]
            response = RESPONSES[action["action_id"]]
            try:
                with session_scope(ctx.engine) as session:
                    visit = visitors.record_host_response(
                        session,
                        now=ctx.clock.now(),
                        visit_id=int(action["value"]),
                        response=response,
                        by=user_id,
                        roles=ctx.roles,
                        escort=ctx.policy.visitors.escort,
                    )
                    params = {"name": visit.name, "organisation": visit.organisation}
                    escort_of = visit.id if visit.escort_id == user_id else None
            except visitors.VisitorNotFound as error:
                raise UserError(f"Nothing to do: {esc(str(error))}.") from None
            text, answered = blocks.answered_dm(params, response, escort_of=escort_of)
            respond(replace_original=True, text=text, blocks=answered)

        ctx.button(ack, body, context, "visitor host answer", work)

    @app.action(re.compile(r"^visitor_(left|cancel)_pick_\d+$"))
    def visitor_picked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(respond: Reply) -> None:
            user_id = body["user"]["id"]
            left = action["action_id"].startswith("visitor_left")
            if not ctx.roles.is_desk(user_id):
                raise UserError("Only reception and managers may sign visitors out or cancel them.")
            now = ctx.clock.now()
            with session_scope(ctx.engine) as session:
                visit = visits.get(session, int(action["value"]))
                if visit is None:
                    raise UserError("That visit is no longer on record.")
                try:
                    if left:
                        visitors.sign_out_visit(session, now=now, visit=visit, by=user_id)
                    else:
                        visitors.cancel_visit(session, now=now, visit=visit, by=user_id)
                except visitors.VisitorNotFound as error:
                    raise UserError(f"{error}.") from None
            respond(replace_original=True, **ephemeral(done_line(visit, left=left)))

        ctx.button(ack, body, context, "visitor pick", work)

    @app.action(blocks.SIGN_IN_AGAIN)
    def sign_in_again(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        # A second person of a name already on site. Pressed twice, the second press finds the
        # sign-in the first one made and does nothing (visitor.held_for_confirmation).
        def work(respond: Reply) -> None:
            user_id = body["user"]["id"]
            if not ctx.roles.is_desk(user_id):
                raise UserError("Only reception and managers may log visitors.")
            try:
                request = Arrived.from_again_value(str(action.get("value", "")))
            except (ValueError, KeyError, TypeError):
                raise UserError("That button no longer says who to sign in.") from None

            def replace(**message: Any) -> None:
                respond(replace_original=True, **message)

            handle(ctx, user_id, request, replace)

        ctx.button(ack, body, context, "visitor sign in again", work)

    @app.action(blocks.SIGN_IN_AGAIN_CANCEL)
    def sign_in_again_cancelled(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(respond: Reply) -> None:
            respond(replace_original=True, **ephemeral("Not signed in: nothing was recorded."))

        ctx.button(ack, body, context, "visitor sign in again cancelled", work)
