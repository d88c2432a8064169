"""Keep the directory (the Staff table) up to date with the people Slack tells us about."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError

from bot.services import people
from handlers.context import HandlerContext
from handlers.directory import Person
from storage.db import session_scope

log = logging.getLogger(__name__)


def _known(person: Person) -> people.KnownPerson:
    return people.KnownPerson(person.id, person.handle, person.real_name, person.tz)


def remember(ctx: HandlerContext, user_ids: Iterable[str]) -> None:
    """Remember everyone among `user_ids` whom Slack knows (people who ran a command or were named)."""
    found = [p for user_id in dict.fromkeys(user_ids) if (p := ctx.directory.get(user_id))]
    if found:
        with session_scope(ctx.engine) as session:
            people.remember(session, [_known(p) for p in found], now=ctx.clock.now())


def everyone(ctx: HandlerContext) -> dict[str, str]:
    """Everyone in the directory, id → name, by name: the workspace and all remembered."""
    try:
        workspace = ctx.directory.everyone()
    except SlackApiError as error:  # fall back to whom we remember
        log.warning("users.list failed (%s): the board lists remembered people only", error)
        workspace = []
    with session_scope(ctx.engine) as session:
        people.remember(session, [_known(p) for p in workspace], now=ctx.clock.now())
        known = {row.id: row.real_name or row.handle for row in people.everyone(session)}
    return dict(sorted(known.items(), key=lambda pair: pair[1].casefold()))
