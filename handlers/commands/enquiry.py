"""`/enquiry`: log a complaint, question or request; the owner gets its DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import enquiries
from handlers.blocks import enquiries as blocks
from handlers.commands.enquiry_parse import Help, LogEnquiry, OpenForm, parse_enquiry
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, checked, ephemeral, help_reply
from handlers.sites import channel_of, site_here
from handlers.text import not_found
from storage.db import session_scope


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for `/enquiry`."""

    @app.command("/enquiry")
    def enquiry_command(
        ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        user_id = command["user_id"]
        request = checked(
            ack, lambda: parse_enquiry(command.get("text", ""), region=ctx.phone_region)
        )
        if request is None:
            return
        if isinstance(request, Help):
            ack(**help_reply(blocks.ENQUIRY_USAGE))
            return
        if isinstance(request, OpenForm):
            from handlers.views import enquiry_form  # it imports `log` from here

            ack()
            enquiry_form.open_form(client, command["trigger_id"], command.get("channel_id", ""))
            return

        def work(reply: Reply) -> None:
            reply(**ephemeral(log(ctx, user_id, request, channel_of(command))))

        ctx.command(ack, command, context, "/enquiry", work)


def log(
    ctx: HandlerContext, user_id: str, request: LogEnquiry, channel_id: str | None = None
) -> str:
    """Record the enquiry (received at the desk channel's site, else the logger's) and return
    the logger's confirmation."""
    here = site_here(ctx, user_id, channel_id)
    if request.owner_id and ctx.directory.get(request.owner_id) is None:
        raise UserError(
            not_found(request.owner_id),
            blocks.ENQUIRY_FORM,
        )
    try:
        with session_scope(ctx.engine) as session:
            view = enquiries.log_enquiry(
                session,
                now=ctx.clock.now(),
                policy=ctx.policy,
                kind=request.kind,
                channel=request.channel,
                from_name=request.from_name,
                summary=request.summary,
                logged_by=user_id,
                owner_id=request.owner_id,
                desk_channel=here.desk,
                site=here.site,
            )
            params = view.params
    except enquiries.EnquiryError as error:
        raise UserError(f"{error}.", blocks.ENQUIRY_FORM) from None
    intended = request.owner_id or user_id
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    return blocks.logged_reply(params, tz, redirected=params.get("owner_id") != intended)
