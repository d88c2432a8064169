"""`/desk forget <name>`: a manager erases one person's data on their request."""

from __future__ import annotations

from bot.domain.roles import require_manager
from bot.domain.services import privacy
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage.db import session_scope

FORGET_FORM = "`/desk forget <visitor or caller name>` (managers)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def forget(ctx: HandlerContext, call: DeskCall) -> None:
    """Erase the named person's data and say how many records it touched."""
    require_manager(ctx.roles, call.user_id, "erase a person's data (`/desk forget`)")
    name = clean(call.rest)
    if not name:
        raise UserError("Whose data should I erase? Give their name as it was logged.", FORGET_FORM)
    with session_scope(ctx.engine) as session:
        erased = privacy.forget(
            session, now=ctx.clock.now(), name=name, by=call.user_id, roles=ctx.roles
        )
    if not erased.records:
        call.respond(
            **ephemeral(
                f"No visit, message, enquiry, call or incident names *{esc(name)}*. "
                "Nothing was changed."
            )
        )
        return
    parts = [
        _plural(erased.visits, "visit"),
        _plural(erased.messages, "phone message"),
        _plural(erased.enquiries, "enquiry").replace("enquirys", "enquiries"),
    ]
    parts += [_plural(erased.calls, "call")] if erased.calls else []
    parts += [_plural(erased.incidents, "incident")] if erased.incidents else []
    if erased.watch_entries:
        parts.append(_plural(erased.watch_entries, "watch-list entry").replace("entrys", "entries"))
    call.respond(
        **ephemeral(
            f":wastebasket: Erased the personal data of *{esc(name)}*: "
            f"{_plural(erased.records, 'record')} touched ({', '.join(parts)}); "
            f"{_plural(erased.posts, 'earlier post')} redacted. The counts stay for the reports."
        )
    )


add_verb(("forget",), FORGET_FORM + " erase one person's data", forget)
