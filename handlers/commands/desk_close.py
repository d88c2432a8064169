"""`/desk close <date> [: <reason>]`: managers close a day; open deadlines move."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.roles import require_manager
from bot.domain.services import sites
from bot.domain.services.closures import AlreadyClosed, close_day
from bot.domain.when import WhenError, parse_when
from handlers.blocks.common import Block, section
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.sites import at_site, own_site
from handlers.text import channel_text, esc, mention
from storage.db import session_scope

USAGE = (
    "• `/desk close <date> [site <id>] [: <reason>]` (managers: a closure decided today, "
    "e.g. `/desk close tomorrow: snow`; your own site unless you name one)"
)
FORM = "`/desk close <date> [site <id>] [: <reason>]`"
_SITE = re.compile(r"(?:^|\s)site\s+(\S+)\s*$", re.IGNORECASE)


def parse_close(rest: str) -> tuple[str, str | None]:
    """(date phrase, reason) from the text after `close`."""
    phrase, _, reason = clean(rest).partition(":")
    if not phrase.strip():
        raise UserError("Which day is closed?", FORM)
    return phrase.strip(), reason.strip()[:200] or None


def site_named(phrase: str) -> tuple[str, str | None]:
    """Take a trailing `site <id>` off the date phrase: (date phrase, the id typed or None)."""
    found = _SITE.search(phrase)
    if found is None:
        return phrase, None
    return phrase[: found.start()].strip(), found.group(1)


def run(ctx: HandlerContext, call: DeskCall) -> None:
    """Close a day."""
    require_manager(ctx.roles, call.user_id, "close the site for a day")
    phrase, reason = parse_close(call.rest)
    phrase, typed_site = site_named(phrase)
    if not phrase:
        raise UserError("Which day is closed?", FORM)
    if typed_site is None:
        here = own_site(ctx, call.user_id)
    else:
        try:
            here = at_site(ctx, sites.find_site(ctx.policy, typed_site))
        except sites.UnknownSite as error:
            said = esc(str(error))
            raise UserError(f"{said[:1].upper()}{said[1:]}.", FORM) from None
    now = ctx.clock.now()
    tz = here.tz
    day = _day(phrase, now, tz, here.date_order)
    if day < now.astimezone(tz).date():
        raise UserError(f"{day:%a %d %b %Y} is in the past.", FORM)
    try:
        with session_scope(ctx.engine) as session:
            result = close_day(
                session,
                policy=ctx.policy,
                day=day,
                reason=reason,
                by=call.user_id,
                now=now,
                desk_channel=here.desk,
                site=here.site,
            )
    except AlreadyClosed as error:
        raise UserError(f"{error}.", FORM) from None
    call.respond(
        **ephemeral(
            f":snowflake: {result.day:%a %d %b %Y} is now closed"
            + (f" at *{esc(here.name)}*" if ctx.policy.multi_site else "")
            + (f" ({esc(reason)})" if reason else "")
            + f". {result.moved} open deadline{'s' if result.moved != 1 else ''} moved."
        )
    )


def _day(phrase: str, now: Any, tz: ZoneInfo, date_order: str) -> date:
    try:
        return date.fromisoformat(phrase)
    except ValueError:
        pass
    try:
        instant, _ = parse_when(phrase, now=now, tz=tz, date_order=date_order)
    except WhenError as error:
        raise UserError(f"{esc(str(error))}.", FORM) from None
    return instant.astimezone(tz).date()


def closure_notice(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk channel hears of the closure (the reason as typed, masked for a channel)."""
    day = date.fromisoformat(params["day"])
    text = f":snowflake: {mention(params['by'])} closed the site on *{day:%a %d %b %Y}*"
    if params.get("reason"):
        text += f" ({channel_text(str(params['reason']), tz)})"
    text += f". {params['moved']} open deadline{'s' if params['moved'] != 1 else ''} moved."
    return text, [section(text)]


add_verb(("close",), USAGE, run)
