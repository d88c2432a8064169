"""Calling for help: `/desk assist` and the Home tab's "Call for help" button share it."""

from __future__ import annotations

from bot.domain.services import assist
from handlers.blocks.assist import called_reply
from handlers.context import HandlerContext
from handlers.sites import site_here
from storage.db import session_scope


def call_for_help(
    ctx: HandlerContext, user_id: str, what: str | None, channel_id: str | None = None
) -> str:
    """Call for help as `user_id`, at the site of the desk channel it came from (else the
    caller's), in that site's channels; return the confirmation."""
    here = site_here(ctx, user_id, channel_id)
    with session_scope(ctx.engine) as session:
        called = assist.call_for_help(
            session,
            now=ctx.clock.now(),
            called_by=user_id,
            what=what,
            channels=here.channels,
            managers=sorted(ctx.roles.managers),
            site=here.site,
        )
        incident_id = called.incident_id
    return called_reply(incident_id)
