"""The buttons on an enquiry's DM: Acknowledged, Resolved, Reassign…, Running late…, History.

All but History are on the Home tab too, with the item's id after the action id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.services import enquiries
from handlers.blocks import enquiries as blocks
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral, guarded, in_message, to_clicker
from handlers.views import enquiry_followup
from storage.db import session_scope

Change = Callable[..., enquiries.EnquiryView]
CHANGES: dict[str, Change] = {
    "enquiry_ack": enquiries.acknowledge,
    "enquiry_resolve": enquiries.resolve,
}
DONE = {"enquiry_ack": "Acknowledged", "enquiry_resolve": "Resolved"}
HOME_SUFFIX = re.compile(r"_\d+$")  # the Home tab's buttons end with the item's id


def verb(action: dict[str, Any]) -> str:
    """The action id without the Home tab's item suffix: `enquiry_ack_12` → `enquiry_ack`."""
    return HOME_SUFFIX.sub("", str(action["action_id"]))


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the enquiry buttons."""

    @app.action(re.compile(r"^enquiry_(ack|resolve)(_\d+)?$"))
    def enquiry_closed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(tell: Reply) -> None:
            user_id = body["user"]["id"]
            change = CHANGES[verb(action)]
            with session_scope(ctx.engine) as session:
                view = _run(change, session, ctx, user_id, action)
                params = view.params
            if in_message(body):
                text, updated = blocks.enquiry_dm(params, _zone(ctx, user_id))
                tell(replace_original=True, text=text, blocks=updated)
            else:
                tell(
                    **ephemeral(
                        f":white_check_mark: {DONE[verb(action)]}: {blocks.headline(params)}"
                    )
                )

        ctx.button(ack, body, context, str(action["action_id"]), work)

    @app.action(re.compile(r"^enquiry_(reassign|late)(_\d+)?$"))
    def enquiry_followup_opened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        with guarded(to_clicker(body, respond, client), action["action_id"]):
            enquiry_id = int(action["value"])
            reassigning = verb(action) == "enquiry_reassign"
            with session_scope(ctx.engine) as session:
                view = enquiries.get_view(session, enquiry_id)
                if reassigning and user_id != view.resolve.owner_id:
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
            form = enquiry_followup.reassign_view if reassigning else enquiry_followup.late_view
            client.views_open(trigger_id=body["trigger_id"], view=form(where))

    @app.action("enquiry_history")
    def enquiry_history(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        tell = to_clicker(body, respond, client)
        with guarded(tell, "enquiry history"):
            with session_scope(ctx.engine) as session:
                view, events = enquiries.history(
                    session, enquiry_id=int(action["value"]), by=user_id, roles=ctx.roles
                )
                params = view.params
            shown = blocks.history(params, events, _zone(ctx, user_id))
            tell(**ephemeral("History", shown))


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
