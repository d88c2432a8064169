"""The incident modal (`/desk incident`): when, where, who, what happened."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import incidents
from handlers.blocks.common import plain
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import ephemeral, form_errors
from handlers.sites import site_here
from handlers.views.values import value
from storage.db import session_scope
from storage.models import Incident

CALLBACK_ID = "incident_form"


def _text(
    block_id: str,
    label: str,
    *,
    optional: bool = False,
    multiline: bool = False,
    initial: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "max_length": 3000 if multiline else 200,
    }
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": element,
    }


def form_view(now: datetime, tz: ZoneInfo, incident: Incident | None = None) -> dict[str, Any]:
    """The modal, with "when" filled in as now; with `incident`, the form that completes it
    (a manager's, for one a call for help opened), filled in with what it holds."""
    when = (incident.occurred_at if incident is not None else now).astimezone(tz)
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Report an incident"),
        "submit": plain("Report"),
        "close": plain("Cancel"),
        "blocks": [
            _text("occurred", "When", initial=when.strftime("%a %d %b %Y %H:%M")),
            _text("location", "Where", optional=True, initial=_held(incident, "location")),
            _text("who", "Who was involved", optional=True, initial=_held(incident, "who")),
            _text("what", "What happened", multiline=True, initial=_held(incident, "what")),
        ],
    }
    if incident is not None:
        view["title"] = plain(f"Incident #{incident.id}")
        view["submit"] = plain("Save")
        view["private_metadata"] = json.dumps({"incident_id": incident.id})
    return view


def _held(incident: Incident | None, field: str) -> str | None:
    """What the incident holds in `field` (not the placeholder a call for help starts with)."""
    if incident is None:
        return None
    held = getattr(incident, field)
    return None if held in (None, "", incidents.NOTHING_SAID) else str(held)


def open_form(
    client: WebClient, trigger_id: str, now: datetime, tz: ZoneInfo, channel: str | None = None
) -> None:
    """Open the modal at once (the trigger expires in 3 seconds), remembering the channel it
    was opened from (the incident is logged at that desk's site)."""
    view = form_view(now, tz)
    if channel:
        view["private_metadata"] = json.dumps({"channel": channel})
    client.views_open(trigger_id=trigger_id, view=view)


def incident_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = view["state"]["values"]
    occurred, what = value(values, "occurred"), value(values, "what")
    errors: dict[str, str] = {}
    if not occurred:
        errors["occurred"] = "Say when it happened."
    if not what:
        errors["what"] = "Say what happened."
    if errors:
        ack(response_action="errors", errors=errors)
        return

    meta = json.loads(view.get("private_metadata") or "{}")
    if meta.get("incident_id"):
        complete(ctx, ack, body, context, int(meta["incident_id"]), occurred, what)
        return

    def work(_tell: Reply) -> None:
        here = site_here(ctx, user_id, meta.get("channel"))
        with (
            form_errors("occurred", incidents.IncidentWhenError),
            session_scope(ctx.engine) as session,
        ):
            incidents.report_incident(
                session,
                now=ctx.clock.now(),
                reported_by=user_id,
                occurred=occurred,
                location=value(values, "location") or None,
                who=value(values, "who") or None,
                what=what,
                managers_channel=here.channels.managers,
                tz=here.tz,
                date_order=here.date_order,
                site=here.site,
            )

    ctx.form(ack, body, context, "incident form", work, error_block="what")


def complete(
    ctx: HandlerContext,
    ack: Ack,
    body: Payload,
    context: BoltContext,
    incident_id: int,
    occurred: str,
    what: str,
) -> None:
    """A manager completes an incident a call for help opened."""
    values = body["view"]["state"]["values"]

    def work(tell: Reply) -> None:
        with (
            form_errors("occurred", incidents.IncidentWhenError),
            form_errors("what", incidents.IncidentNotFound),
            session_scope(ctx.engine) as session,
        ):
            incidents.complete_incident(
                session,
                now=ctx.clock.now(),
                incident_id=incident_id,
                by=body["user"]["id"],
                roles=ctx.roles,
                occurred=occurred,
                location=value(values, "location") or None,
                who=value(values, "who") or None,
                what=what,
                tz=ctx.site_tz,
                date_order=ctx.policy.site.date_order,
            )
        tell(**ephemeral(f":white_check_mark: Incident #{incident_id} is saved."))

    ctx.form(ack, body, context, "incident completed", work, error_block="what")
