"""`/enquiry`: log a complaint, question, request, compliment…; the owner gets its DM."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import enquiries
from bot.domain.when import WhenError, parse_when
from handlers.blocks import enquiries as blocks
from handlers.blocks.routing import cover_words, holder_text
from handlers.commands.enquiry_parse import LogEnquiry, parse_enquiry
from handlers.commands.slash import named, slash_command
from handlers.context import HandlerContext, Payload
from handlers.replies import UserError, ephemeral
from handlers.sites import channel_of, site_here
from handlers.text import esc, not_found
from storage.db import session_scope


def enquiry_command(
    ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext, client: WebClient
) -> None:
    """`/enquiry …`: log a customer enquiry (or open its form)."""
    config = ctx.policy.enquiry

    def open_form() -> None:
        from handlers.views import enquiry_form  # it imports `log` from here

        enquiry_form.open_form(client, command["trigger_id"], command.get("channel_id", ""), config)

    slash_command(
        ctx,
        ack,
        command,
        context,
        parse=lambda: parse_enquiry(
            command.get("text", ""), region=ctx.phone_region, config=config
        ),
        usage=lambda: blocks.enquiry_usage(config.kinds, config.channels),
        carry_out=lambda request, reply: reply(
            **ephemeral(log(ctx, command["user_id"], request, channel_id=channel_of(command)))
        ),
        what=named("/enquiry"),
        open_form=open_form,
    )


def log(
    ctx: HandlerContext,
    user_id: str,
    request: LogEnquiry,
    expect_by: date | None = None,
    channel_id: str | None = None,
) -> str:
    """Record the enquiry (received at the desk channel's site, else the logger's) and return
    the logger's confirmation."""
    here = site_here(ctx, user_id, channel_id)
    if request.owner_id and ctx.directory.get(request.owner_id) is None:
        raise UserError(
            not_found(request.owner_id),
            blocks.ENQUIRY_FORM,
        )
    if request.expect:
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        try:
            instant, _ = parse_when(
                request.expect,
                now=ctx.clock.now(),
                tz=tz,
                date_order=ctx.policy.site.date_order,
            )
        except WhenError as error:
            raise UserError(
                f"{error}: say when, as in `[expect friday]`.", blocks.ENQUIRY_FORM
            ) from None
        expect_by = instant.astimezone(tz).date()
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
                needs=request.needs,
                contact=request.contact,
                prefers=request.prefers,
                expect_by=expect_by,
                managers_channel=ctx.managers_channel,
            )
            params = view.params
            routed = view.routed
    except enquiries.EnquiryError as error:
        raise UserError(f"{error}.", blocks.ENQUIRY_FORM) from None
    intended = request.owner_id or user_id
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    if routed is not None and routed.rule is not None:
        # A routing rule sent it: say where and why (DESIGN "Sites, teams and routing").
        holder = holder_text(
            params.get("owner_id"), params.get("owner_channel"), ctx.managers_channel
        )
        reply = blocks.logged_reply(params, tz, redirected=False)
        return f"{reply}\n:twisted_rightwards_arrows: {holder} has it ({esc(routed.reason)}" + (
            f"{cover_words(routed.cover)})."
        )
    redirected = params.get("owner_id") != (routed.person_id if routed else intended)
    return blocks.logged_reply(params, tz, redirected=redirected)
