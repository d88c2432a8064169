"""`/call`: log a call handled without a message (anyone: DESIGN "Who may do what")."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.domain.services import calls
from handlers.blocks.calls import CALL_USAGE, logged_reply
from handlers.commands.call_parse import LogCall, parse_call
from handlers.commands.slash import named, slash_command
from handlers.context import HandlerContext, Payload
from handlers.replies import ephemeral
from handlers.sites import channel_of, site_here
from storage.db import session_scope


def call_command(ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext) -> None:
    """`/call …`: log a call handled without a message."""
    slash_command(
        ctx,
        ack,
        command,
        context,
        parse=lambda: parse_call(command.get("text", ""), region=ctx.phone_region),
        usage=CALL_USAGE,
        carry_out=lambda request, reply: reply(
            **ephemeral(log(ctx, command["user_id"], request, channel_of(command)))
        ),
        what=named("/call"),
    )


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
