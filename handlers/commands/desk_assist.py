"""`/desk assist [: <what is happening>]`: the desk calls for help (anyone may)."""

from __future__ import annotations

from handlers.blocks.assist import ASSIST_FORM
from handlers.call_for_help import call_for_help
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.message_parse import unescape_body
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral

MAX_WHAT = 1000


def parse_assist(rest: str) -> str | None:
    """What is happening, as typed after an optional colon (unescaped once), or None."""
    what = unescape_body(rest.strip().removeprefix(":"))
    if len(what) > MAX_WHAT:
        raise UserError(f"Say it in at most {MAX_WHAT} characters.", ASSIST_FORM)
    return what or None


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
