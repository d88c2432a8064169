""" "On my way" on a call for help, and "Call for help" at the top of reception's Home tab."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import assist
from bot.domain.services.incidents import incident_on_record
from handlers.actions.item_button import Press, item_button
from handlers.blocks.common import plain, section
from handlers.call_for_help import call_for_help
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import ephemeral
from handlers.text import date_token, mention
from handlers.views import incident_form
from storage.db import session_scope


def _on_my_way(p: Press) -> Payload:
    """ "On my way": the first to answer a call for help is named; later ones are told who."""
    answered = assist.answer(
        p.session, now=p.now, assist_id=p.thing_id, by=p.user_id, channels_of=p.ctx.channels
    )
    by, at = answered.call.answered_by, answered.call.answered_at
    if answered.first:
        text = ":white_check_mark: You're on your way: the desk and the managers are told."
    elif by == p.user_id:
        text = "You already said you're on your way."
    else:
        when = f" at {date_token(at, p.ctx.site_tz, '{time}')}" if at else ""
        text = f"{mention(str(by))} is already on the way (answered{when})."
    return ephemeral(text)


on_my_way = item_button(
    "assist on my way",
    _on_my_way,
    refusals={assist.AssistNotFound: lambda e: f"Nothing to do: {e}."},
    bad_value="That is not a call for help I know.",
)


def call_from_home(ctx: HandlerContext, ack: Ack, body: Payload, context: BoltContext) -> None:
    """ "Call for help" on reception's Home tab."""

    def work(respond: Reply) -> None:
        respond(**ephemeral(call_for_help(ctx, body["user"]["id"], None)))

    ctx.button(ack, body, context, "assist from home", work)


def complete_incident(
    ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, client: WebClient
) -> None:
    """ "Complete" on an incident: open its form (managers only)."""
    ack()
    user_id = body["user"]["id"]
    incident = None
    if ctx.roles.is_manager(user_id) and str(action.get("value", "")).isdigit():
        with session_scope(ctx.engine) as session:
            incident = incident_on_record(session, int(action["value"]))
            if incident is not None:
                session.expunge(incident)
    if incident is None:
        refused = "Only managers may complete an incident (and this one must still be on record)."
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
