"""Calling for help: `/desk assist` and the Home tab's "Call for help" button share it."""

from __future__ import annotations

from bot.services import assist
from handlers.blocks.assist import called_reply
from handlers.context import HandlerContext
from storage.db import session_scope


def channels(ctx: HandlerContext) -> assist.Channels:
    """Where a call for help is posted."""
    return assist.Channels(desk=ctx.desk_channel, managers=ctx.managers_channel)


def call_for_help(ctx: HandlerContext, user_id: str, what: str | None) -> str:
    """Call for help as `user_id`; return the confirmation."""
    with session_scope(ctx.engine) as session:
        called = assist.call_for_help(
            session,
            now=ctx.clock.now(),
            called_by=user_id,
            what=what,
            channels=channels(ctx),
            managers=sorted(ctx.roles.managers),
        )
        incident_id = called.incident_id
    return called_reply(incident_id)
