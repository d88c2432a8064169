"""`/desk incident` (anyone: opens the form) and `/desk incidents` (managers: the list)."""

from __future__ import annotations

from bot.domain.roles import require_manager
from bot.domain.services import incidents
from handlers.blocks import incidents as blocks
from handlers.commands.desk import DeskCall, add_verb
from handlers.context import HandlerContext
from handlers.replies import ephemeral
from handlers.views import incident_form
from storage.db import session_scope


def open_incident_form(ctx: HandlerContext, call: DeskCall) -> None:
    """Open the incident modal."""
    tz = ctx.directory.zone_of(call.user_id, ctx.site_tz)
    channel = str(call.command.get("channel_id") or "") or None
    incident_form.open_form(call.client, call.command["trigger_id"], ctx.clock.now(), tz, channel)


def list_incidents(ctx: HandlerContext, call: DeskCall) -> None:
    """Show a manager the recent incidents."""
    require_manager(ctx.roles, call.user_id, "see incidents")
    with session_scope(ctx.engine) as session:
        found = incidents.recent_incidents(session, by=call.user_id, roles=ctx.roles)
    tz = ctx.directory.zone_of(call.user_id, ctx.site_tz)
    call.respond(**ephemeral(f"{len(found)} incidents", blocks.incident_list(found, tz)))


add_verb(("incident",), "`/desk incident` report an abusive contact (a form)", open_incident_form)
add_verb(("incidents",), "`/desk incidents` recent incidents (managers)", list_incidents)
