"""The host's buttons on an arrival DM, and picking one visitor among several."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain.services import visitors
from handlers.actions.item_button import Press, item_button
from handlers.blocks import visitors as blocks
from handlers.commands.visitor_parse import Arrived
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from handlers.visitor_requests import done_line, handle

RESPONSES = {
    "visitor_on_my_way": "on_my_way",
    "visitor_please_wait": "please_wait",
    "visitor_send_someone": "send_someone",
}
HOST_ANSWER = re.compile(r"^visitor_(on_my_way|please_wait|send_someone)$")
PICKED = re.compile(r"^visitor_(left|cancel)_pick_\d+$")


def _host_answered(p: Press) -> Payload:
    """The host's answer on the arrival DM: the DM is rewritten to show it."""
    response = RESPONSES[p.action_id]
    visit = visitors.record_host_response(
        p.session,
        now=p.now,
        visit_id=p.thing_id,
        response=response,
        by=p.user_id,
        roles=p.roles,
        escort=p.ctx.policy.visitors.escort,
    )
    params = {"name": visit.name, "organisation": visit.organisation}
    escort_of = visit.id if visit.escort_id == p.user_id else None
    text, answered = blocks.answered_dm(params, response, escort_of=escort_of)
    return {"replace_original": True, "text": text, "blocks": answered}


def _visitor_picked(p: Press) -> Payload:
    """One visitor picked among several to sign out or cancel."""
    left = p.action_id.startswith("visitor_left")
    visit = visitors.sign_out_or_cancel_picked(
        p.session, now=p.now, visit_id=p.thing_id, by=p.user_id, left=left
    )
    return {"replace_original": True, **ephemeral(done_line(visit, left=left))}


host_answered = item_button(
    "visitor host answer",
    _host_answered,
    refusals={visitors.VisitorNotFound: lambda e: f"Nothing to do: {esc(str(e))}."},
)
visitor_picked = item_button(
    "visitor pick",
    _visitor_picked,
    refusals={visitors.VisitorNotFound: lambda e: f"{e}."},
    desk_only="Only reception and managers may sign visitors out or cancel them.",
)


def sign_in_again(
    ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, context: BoltContext
) -> None:
    """ "Sign in another …": a second person of a name already on site.

    Pressed twice, the second press finds the sign-in the first one made and does nothing
    (visitor_requests.held_for_confirmation)."""

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


def sign_in_again_cancelled(
    ctx: HandlerContext, ack: Ack, body: Payload, context: BoltContext
) -> None:
    """ "Cancel" beside "Sign in another …": nothing is recorded."""

    def work(respond: Reply) -> None:
        respond(replace_original=True, **ephemeral("Not signed in: nothing was recorded."))

    ctx.button(ack, body, context, "visitor sign in again cancelled", work)
