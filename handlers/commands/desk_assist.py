"""`/desk assist [: <what is happening>]`: the desk calls for help (anyone may)."""

from __future__ import annotations

from bot.services import assist
from handlers.blocks.assist import ASSIST_FORM, called_reply
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.message_parse import unescape_body
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from storage.db import session_scope

MAX_WHAT = 1000


def parse_assist(rest: str) -> str | None:
    """What is happening, as typed after an optional colon (unescaped once), or None."""
    what = unescape_body(rest.strip().removeprefix(":"))
    if len(what) > MAX_WHAT:
        raise UserError(f"Say it in at most {MAX_WHAT} characters.", ASSIST_FORM)
    return what or None


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


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """Call for help."""
    what = parse_assist(call.rest)
    call.respond(**ephemeral(call_for_help(ctx, call.user_id, what)))


add_verb(
    ("assist",),
    f"• {ASSIST_FORM} call for help: the desk and managers' channels are alerted at once",
    run,
)
