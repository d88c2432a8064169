"""`/call`: log a call handled without a message (anyone: DESIGN "Who may do what")."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import calls
from handlers.blocks.calls import CALL_USAGE, logged_reply
from handlers.commands.call_parse import Help, LogCall, parse_call
from handlers.context import HandlerContext, Reply
from handlers.replies import checked, ephemeral, help_reply
from handlers.sites import channel_of, site_here
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for `/call`."""

    @app.command("/call")
    def call_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        user_id = command["user_id"]
        request = checked(ack, lambda: parse_call(command.get("text", ""), region=ctx.phone_region))
        if request is None:
            return
        if isinstance(request, Help):
            ack(**help_reply(CALL_USAGE))
            return

        def work(reply: Reply) -> None:
            reply(**ephemeral(log(ctx, user_id, request, channel_of(command))))

        ctx.command(ack, command, context, "/call", work)


def log(ctx: HandlerContext, user_id: str, request: LogCall, channel_id: str | None = None) -> str:
    """Log the call, at the site that received it, and say what was logged."""
    now = ctx.clock.now()
    here = site_here(ctx, user_id, channel_id)
    with session_scope(ctx.engine) as session:
        call = calls.log_call(
            session,
            now=now,
            policy=ctx.policy,
            logged_by=user_id,
            direction=request.direction,
            name=request.name,
            organisation=request.organisation,
            phone=request.phone,
            subject=request.subject,
            site=here.site,
        )
        shown = (call.direction, call.name, call.organisation, call.phone, call.phone_valid)
    direction, name, organisation, phone, phone_valid = shown
    return logged_reply(
        direction=direction,
        name=name,
        organisation=organisation,
        phone=phone,
        phone_valid=phone_valid,
        subject=request.subject,
        at=now,
        tz=ctx.directory.zone_of(user_id, ctx.site_tz),
    )
