""" "On my way" on a call for help, and "Call for help" at the top of reception's Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import assist
from handlers.blocks.assist import CALL_FOR_HELP, COMPLETE_INCIDENT, ON_MY_WAY
from handlers.blocks.common import plain, section
from handlers.commands.desk_assist import call_for_help
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import date_token, mention
from handlers.views import incident_form
from storage import incidents
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the call-for-help buttons."""

    @app.action(ON_MY_WAY)
    def on_my_way(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(respond: Reply) -> None:
            user_id = body["user"]["id"]
            try:
                assist_id = int(action["value"])
            except ValueError:
                raise UserError("That is not a call for help I know.") from None
            try:
                with session_scope(ctx.engine) as session:
                    answered = assist.answer(
                        session,
                        now=ctx.clock.now(),
                        assist_id=assist_id,
                        by=user_id,
                        channels_of=ctx.channels,
                    )
                    by, at = answered.call.answered_by, answered.call.answered_at
            except assist.AssistNotFound as error:
                raise UserError(f"Nothing to do: {error}.") from None
            if answered.first:
                text = ":white_check_mark: You're on your way: the desk and the managers are told."
            elif by == user_id:
                text = "You already said you're on your way."
            else:
                when = f" at {date_token(at, ctx.site_tz, '{time}')}" if at else ""
                text = f"{mention(str(by))} is already on the way (answered{when})."
            respond(**ephemeral(text))

        ctx.button(ack, body, context, "assist on my way", work)

    @app.action(CALL_FOR_HELP)
    def call_from_home(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        def work(respond: Reply) -> None:
            respond(**ephemeral(call_for_help(ctx, body["user"]["id"], None)))

        ctx.button(ack, body, context, "assist from home", work)

    @app.action(COMPLETE_INCIDENT)
    def complete_incident(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        incident = None
        if ctx.roles.is_manager(user_id) and str(action.get("value", "")).isdigit():
            with session_scope(ctx.engine) as session:
                incident = incidents.get(session, int(action["value"]))
                if incident is not None:
                    session.expunge(incident)
        if incident is None:
            refused = (
                "Only managers may complete an incident (and this one must still be on record)."
            )
            view = {
                "type": "modal",
                "title": plain("Incident"),
                "close": plain("Close"),
                "blocks": [section(refused)],
            }
        else:
            tz = ctx.directory.zone_of(user_id, ctx.site_tz)
            view = incident_form.form_view(ctx.clock.now(), tz, incident)
        client.views_open(trigger_id=body["trigger_id"], view=view)
