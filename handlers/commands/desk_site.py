"""`/desk site <id>`: a member of staff says which site they work at."""

from __future__ import annotations

from bot.domain.services import sites
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.people import remember
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage.db import session_scope

USAGE = "• `/desk site <id>` (the site you work at: its board, roll call and calendar are yours)"
FORM = "`/desk site <id>`"


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """Record the caller's own site."""
    typed = clean(call.rest)
    known = ", ".join(f"`{site}`" for site in ctx.policy.site_ids())
    if not typed:
        with session_scope(ctx.engine) as session:
            site = sites.site_of_person(session, ctx.policy, call.user_id)
        call.respond(
            **ephemeral(
                f":round_pushpin: You are at *{esc(ctx.policy.site_name(site))}*. "
                f"The sites: {known}. Change with {esc(FORM)}."
            )
        )
        return
    remember(ctx, [call.user_id])
    try:
        with session_scope(ctx.engine) as session:
            chosen = sites.choose_site(
                session, ctx.policy, user_id=call.user_id, typed=typed, now=ctx.clock.now()
            )
    except (sites.UnknownSite, sites.SitePinned) as error:
        said = esc(str(error))
        raise UserError(f"{said[:1].upper()}{said[1:]}.", FORM) from None
    name = esc(ctx.policy.site_name(chosen.site))
    text = (
        f":round_pushpin: You were already at *{name}*."
        if chosen.site == chosen.was
        else f":round_pushpin: You are now at *{name}*: `/desk board` shows its people."
    )
    call.respond(**ephemeral(text))


add_verb(("site",), USAGE, run)
