"""Words for where the routing rules sent something, for the receptionist's reply."""

from __future__ import annotations

from bot.domain.services.cover import Cover
from handlers.text import esc, mention


def cover_words(cover: Cover | None) -> str:
    """`; @alice is away, so @bob covers` when the person a rule named is away, else ""."""
    if cover is None or not cover.redirected:
        return ""
    if cover.owner.user_id is None:
        return f"; {mention(cover.intended_id)} is away and nobody who covers is in"
    how = f"a teammate in {esc(cover.team)}" if cover.team else "their backup"
    return f"; {mention(cover.intended_id)} is away, so {how} {mention(cover.owner.user_id)} has it"


def holder_text(owner_id: object, owner_channel: object, managers_channel: str) -> str:
    """Who has it, as the receptionist reads it: `@bob`, the managers' or the desk channel."""
    if owner_id:
        return mention(str(owner_id))
    return "the managers' channel" if owner_channel == managers_channel else "the desk channel"
