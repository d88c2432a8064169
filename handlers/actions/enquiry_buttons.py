"""The buttons on an enquiry's DM: Acknowledged, Resolved, Reassign…, Running late…, History."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.services import enquiries
from handlers.blocks import enquiries as blocks
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral, guarded
from handlers.views import enquiry_followup
from storage.db import session_scope

Change = Callable[..., enquiries.EnquiryView]
CHANGES: dict[str, Change] = {
    "enquiry_ack": enquiries.acknowledge,
    "enquiry_resolve": enquiries.resolve,
}


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the enquiry buttons."""

    def aside(respond: Respond) -> Callable[..., Any]:
        return lambda **reply: respond(replace_original=False, **reply)

    @app.action(re.compile(r"^enquiry_(ack|resolve)$"))
    def enquiry_closed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        with guarded(aside(respond), action["action_id"]):
            change = CHANGES[action["action_id"]]
            with session_scope(ctx.engine) as session:
                view = _run(change, session, ctx, user_id, action)
                params = view.params
            text, updated = blocks.enquiry_dm(params, _zone(ctx, user_id))
            respond(replace_original=True, text=text, blocks=updated)
        ctx.deliver()

    @app.action(re.compile(r"^enquiry_(reassign|late)$"))
    def enquiry_followup_opened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        with guarded(aside(respond), action["action_id"]):
            enquiry_id = int(action["value"])
            with session_scope(ctx.engine) as session:
                view = enquiries.get_view(session, enquiry_id)
                if action["action_id"] == "enquiry_reassign" and user_id != view.resolve.owner_id:
                    if not ctx.roles.is_manager(user_id):
                        enquiries.may_act(ctx.roles, user_id, view.resolve)
                else:
                    enquiries.may_act(ctx.roles, user_id, view.resolve)
                if view.resolve.state == "done":
                    raise UserError(f"It is {view.resolve.outcome or 'done'} already.")
            where = enquiry_followup.Where(
                enquiry_id=enquiry_id,
                channel=str(body.get("container", {}).get("channel_id") or ""),
                ts=str(body.get("container", {}).get("message_ts") or ""),
            )
            form = (
                enquiry_followup.reassign_view
                if action["action_id"] == "enquiry_reassign"
                else enquiry_followup.late_view
            )
            client.views_open(trigger_id=body["trigger_id"], view=form(where))

    @app.action("enquiry_history")
    def enquiry_history(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        with guarded(aside(respond), "enquiry history"):
            with session_scope(ctx.engine) as session:
                view, events = enquiries.history(
                    session, enquiry_id=int(action["value"]), by=user_id, roles=ctx.roles
                )
                params = view.params
            shown = blocks.history(params, events, _zone(ctx, user_id))
            respond(replace_original=False, **ephemeral("History", shown))


def _run(
    change: Change, session: Session, ctx: HandlerContext, user_id: str, action: dict[str, Any]
) -> enquiries.EnquiryView:
    try:
        return change(
            session,
            now=ctx.clock.now(),
            enquiry_id=int(action["value"]),
            by=user_id,
            roles=ctx.roles,
        )
    except enquiries.EnquiryError as error:
        raise UserError(str(error)) from None


def _zone(ctx: HandlerContext, user_id: str) -> Any:
    return ctx.directory.zone_of(user_id, ctx.site_tz)
