"""`/visitor`: the visitor log."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.roles import require_desk
from handlers.blocks import visitors as blocks
from handlers.commands.slash import kind_named, slash_command
from handlers.commands.visitor_parse import (
    Arrived,
    CorrectVisit,
    Expect,
    Help,
    ListOnSite,
    OpenForm,
    ShowLog,
    parse_visitor,
)
from handlers.context import HandlerContext, Payload
from handlers.sites import channel_of
from handlers.views import visitor_form
from handlers.visitor_requests import handle, refuse_id_numbers_in


def visitor_command(
    ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext, client: WebClient
) -> None:
    """`/visitor …`: parse, check the role, then carry it out in the command's transaction."""
    user_id = command["user_id"]

    def check() -> Any:
        request = parse_visitor(command.get("text", ""), region=ctx.phone_region)
        if isinstance(request, OpenForm):
            require_desk(ctx.roles, user_id, "log visitors")
        elif isinstance(request, ShowLog):
            require_desk(ctx.roles, user_id, "see the visitor log (`/visitor log`)")
        elif isinstance(request, CorrectVisit):
            require_desk(ctx.roles, user_id, "correct a visitor's entry")
        elif not isinstance(request, ListOnSite | Help):
            require_desk(ctx.roles, user_id, "log, sign out or cancel visitors")
        if isinstance(request, Arrived | Expect):
            refuse_id_numbers_in(ctx, request)
        return request

    slash_command(
        ctx,
        ack,
        command,
        context,
        parse=check,
        usage=blocks.VISITOR_USAGE,
        carry_out=lambda request, reply: handle(ctx, user_id, request, reply, channel_of(command)),
        what=kind_named("/visitor"),
        open_form=lambda: visitor_form.open_form(
            client, command["trigger_id"], command.get("channel_id", "")
        ),
    )


__all__ = ["visitor_command", "handle"]
