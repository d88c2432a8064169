"""The people a listener names, from the directory (the staff table, kept by handlers.directory)."""

from __future__ import annotations

from collections.abc import Iterable

from handlers.context import HandlerContext


def remember(ctx: HandlerContext, user_ids: Iterable[str]) -> None:
    """Make sure the directory holds everyone among `user_ids` (people who ran a command or
    were named): one who is not in it yet is asked of Slack once and stored (Directory.get)."""
    for user_id in dict.fromkeys(user_ids):
        ctx.directory.get(user_id)


def everyone(ctx: HandlerContext) -> dict[str, str]:
    """Everyone in the directory, id → name, by name."""
    known = {person.id: person.real_name or person.handle for person in ctx.directory.everyone()}
    return dict(sorted(known.items(), key=lambda pair: pair[1].casefold()))
