"""`/desk watch <name> : <reason>`, `/desk watch list`, `/desk watch remove <name>` (managers)."""

from __future__ import annotations

from bot.domain.roles import require_manager
from bot.domain.services import watch_list
from handlers.blocks.visitor_record import WATCH_FORM, WATCH_USAGE
from handlers.blocks.visitor_record import watch_list as watch_list_blocks
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import checked_name, clean, first_word, split_at_colon
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage.db import session_scope

MAX_REASON = 500  # WatchEntry.reason


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """Add to, list or remove from the watch list."""
    require_manager(ctx.roles, call.user_id, watch_list.WATCH_ACTION)
    verb, rest = first_word(call.rest)
    now = ctx.clock.now()
    if verb == "list" and not clean(rest):
        with session_scope(ctx.engine) as session:
            entries = watch_list.entries(session, by=call.user_id, roles=ctx.roles)
        tz = ctx.directory.zone_of(call.user_id, ctx.site_tz)
        call.respond(**ephemeral(f"Watch list: {len(entries)}", watch_list_blocks(entries, tz)))
        return
    if verb == "remove":
        name = clean(rest)
        if not name:
            raise UserError("Whose name comes off the watch list?", WATCH_FORM)
        with session_scope(ctx.engine) as session:
            removed = watch_list.remove(session, name=name, by=call.user_id, roles=ctx.roles)
        if not removed:
            raise UserError(f"*{esc(name)}* is not on the watch list.", WATCH_FORM)
        call.respond(**ephemeral(f":white_check_mark: *{esc(name)}* is off the watch list."))
        return
    head, reason = split_at_colon(call.rest)
    name = checked_name(clean(head), "name to watch for", WATCH_FORM)
    reason = clean(reason or "")
    if not reason:
        raise UserError(
            "Why watch for them? Add `: &lt;reason&gt;` (managers alone see it).", WATCH_FORM
        )
    if len(reason) > MAX_REASON:
        raise UserError(f"The reason is too long (at most {MAX_REASON} characters).", WATCH_FORM)
    with session_scope(ctx.engine) as session:
        watch_list.add(session, name=name, reason=reason, by=call.user_id, now=now, roles=ctx.roles)
    call.respond(
        **ephemeral(
            f":eyes: *{esc(name)}* is on the watch list. At their sign-in the managers' channel "
            "is alerted with the reason; reception is only asked to call a manager."
        )
    )


add_verb(("watch",), WATCH_USAGE, run)
