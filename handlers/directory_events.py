"""The directory hears of people as Slack changes them: `user_change` (a new name, a new time
zone, a deactivation) and `team_join` (someone new) refresh the person in the table."""

from __future__ import annotations

import logging

from handlers.context import HandlerContext, Payload

log = logging.getLogger(__name__)


def user_changed(ctx: HandlerContext, body: Payload, event: Payload) -> None:
    ctx.event(body, "user_change", lambda: person_described(ctx, event))


def team_joined(ctx: HandlerContext, body: Payload, event: Payload) -> None:
    ctx.event(body, "team_join", lambda: person_described(ctx, event))


def person_described(ctx: HandlerContext, event: Payload) -> None:
    """Store the user object an event carries (bots are not kept)."""
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("id"):
        log.warning("%s event without a user object: ignored", event.get("type"))
        return
    ctx.directory.remember(user)
