"""Mentions of people who are out: the mentioner alone is told when they are back, and who covers.

At most once a day for each (mentioner, person mentioned); bot messages and edits are ignored.
"""

from __future__ import annotations

import logging

from bot.domain.services.mentions import absences_to_mention
from handlers.blocks.ooo import mention_notice
from handlers.context import HandlerContext, Payload
from handlers.people import remember
from handlers.replies import ephemeral_row
from handlers.text import MENTION
from storage.db import session_scope

log = logging.getLogger(__name__)


def message_posted(ctx: HandlerContext, event: Payload, body: Payload) -> None:
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return  # edits, deletions, joins and bots' posts
    ctx.event(body, "mention notices", lambda: answer_mentions(ctx, event))


def answer_mentions(ctx: HandlerContext, event: Payload) -> None:
    """Tell the author of `event` about anyone they mentioned who is out of office."""
    mentioner = str(event["user"])
    mentioned = [m.group(1) for m in MENTION.finditer(str(event.get("text") or ""))]
    mentioned = [user_id for user_id in dict.fromkeys(mentioned) if user_id != mentioner]
    if not mentioned:
        return
    remember(ctx, [mentioner, *mentioned])
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        away = absences_to_mention(
            session,
            mentioner_id=mentioner,
            mentioned_ids=mentioned,
            now=now,
            day=now.astimezone(ctx.site_tz).date(),
        )
    tz = ctx.directory.zone_of(mentioner, ctx.site_tz)
    channel = str(event["channel"])
    day = now.astimezone(ctx.site_tz).date()
    with session_scope(ctx.engine) as session:
        for absence in away:
            text, blocks = mention_notice(absence.user_id, absence.until, absence.backup_id, tz)
            ephemeral_row(
                session,
                key=f"mention:{mentioner}:{absence.user_id}:{day}",
                channel=channel,
                user_id=mentioner,
                reply={"text": text, "blocks": blocks},
                now=now,
            )
