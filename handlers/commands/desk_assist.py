"""`/desk assist [: <what is happening>]`: the desk calls for help (anyone may)."""

from __future__ import annotations

from bot.services import assist
from handlers.blocks.assist import ASSIST_FORM, called_reply
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.message_parse import unescape_body
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.sites import site_here
from storage.db import session_scope

MAX_WHAT = 1000


def parse_assist(rest: str) -> str | None:
    """What is happening, as typed after an optional colon (unescaped once), or None."""
    what = unescape_body(rest.strip().removeprefix(":"))
    if len(what) > MAX_WHAT:
        raise UserError(f"Say it in at most {MAX_WHAT} characters.", ASSIST_FORM)
    return what or None


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


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """Call for help."""
    what = parse_assist(call.rest)
    channel_id = str(call.command.get("channel_id") or "") or None
    call.respond(**ephemeral(call_for_help(ctx, call.user_id, what, channel_id)))


add_verb(
    ("assist",),
    f"• {ASSIST_FORM} call for help: the desk and managers' channels are alerted at once",
    run,
)
