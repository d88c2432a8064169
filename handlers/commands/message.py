"""`/message`: take a phone message for someone."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.roles import require_desk
from bot.domain.services import board, messages
from handlers.blocks import messages as blocks
from handlers.blocks.board import whereabouts_note
from handlers.blocks.routing import cover_words, holder_text
from handlers.commands.correct_parse import MESSAGE_CORRECT_FORM, Correction, parse_correction
from handlers.commands.corrections import correct_message
from handlers.commands.message_parse import TakeMessage, parse_message
from handlers.commands.parsing import first_word
from handlers.commands.slash import named, slash_command
from handlers.context import HandlerContext, Payload
from handlers.replies import UserError, ephemeral
from handlers.sites import channel_of, site_here
from handlers.text import not_found
from storage.db import session_scope


def message_command(
    ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext, client: WebClient
) -> None:
    """`/message …`: take a phone message (or open its form), or correct one."""
    user_id = command["user_id"]
    verb, rest = first_word(command.get("text", ""))
    if verb == "correct":
        slash_command(
            ctx,
            ack,
            command,
            context,
            parse=lambda: _correction(ctx, user_id, rest),
            usage=blocks.MESSAGE_USAGE,
            carry_out=lambda correction, reply: correct_message(ctx, user_id, correction, reply),
            what=named("/message correct"),
        )
        return
    slash_command(
        ctx,
        ack,
        command,
        context,
        parse=lambda: parse_message(command.get("text", ""), region=ctx.phone_region),
        usage=blocks.MESSAGE_USAGE,
        carry_out=lambda request, reply: reply(
            **ephemeral(take(ctx, user_id, request, channel_of(command)))
        ),
        what=named("/message"),
        open_form=lambda: client.views_open(
            trigger_id=command["trigger_id"],
            view=blocks.message_form_view(command.get("channel_id", "")),
        ),
    )


def _correction(ctx: HandlerContext, user_id: str, rest: str) -> Correction:
    require_desk(ctx.roles, user_id, "correct a phone message")
    return parse_correction(
        rest, name_word="caller|name", form=MESSAGE_CORRECT_FORM, region=ctx.phone_region
    )


def take(
    ctx: HandlerContext, user_id: str, request: TakeMessage, channel_id: str | None = None
) -> str:
    """Take the message and return the receptionist's confirmation."""
    if request.recipient_id is not None and ctx.directory.get(request.recipient_id) is None:
        raise UserError(
            not_found(request.recipient_id),
            blocks.MESSAGE_FORM,
        )
    new = messages.NewMessage(
        recipient_id=request.recipient_id,
        caller=request.caller,
        organisation=request.organisation,
        phone=request.phone,
        email=request.email,
        body=request.body,
        urgent=request.urgent,
    )
    return take_new(ctx, user_id, new, channel_id)


def take_new(
    ctx: HandlerContext, user_id: str, new: messages.NewMessage, channel_id: str | None = None
) -> str:
    """Store a message (from the command or the form) and say who has it and by when; it is
    received at the site of the desk channel it came from, else at its taker's."""
    now = ctx.clock.now()
    here = site_here(ctx, user_id, channel_id)
    with session_scope(ctx.engine) as session:
        taken = messages.take_message(
            session,
            now=now,
            policy=ctx.policy,
            taken_by=user_id,
            new=new,
            desk_channel=here.desk,
            site=here.site,
            managers_channel=ctx.managers_channel,
        )
        # The board (policy 000): the receptionist can tell the caller when to expect an answer.
        whereabouts = (
            board.status_of(session, new.recipient_id, now=now) if new.recipient_id else None
        )
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    if new.recipient_id is None:
        assert taken.routed is not None
        return blocks.routed_reply(
            caller=new.caller,
            organisation=new.organisation,
            holder=holder_text(taken.item.owner_id, taken.item.owner_channel, ctx.managers_channel),
            reason=taken.routed.reason,
            covering=cover_words(taken.routed.cover),
            due_at=taken.item.due_at,
            urgent=new.urgent,
            tz=tz,
        )
    reply = blocks.taken_reply(
        caller=new.caller,
        organisation=new.organisation,
        recipient_id=new.recipient_id,
        owner_id=taken.item.owner_id,
        away_until=taken.cover.away_until,
        team=taken.cover.team,
        due_at=taken.item.due_at,
        urgent=new.urgent,
        phone_typed=taken.phone.typed if taken.phone else None,
        phone_valid=taken.phone.valid if taken.phone else True,
        tz=tz,
    )
    note = whereabouts_note(whereabouts, tz) if whereabouts else None
    return f"{reply}\n{note}" if note else reply
