"""The site a request is answered for: the desk channel it came from, else its author's site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.channels import Channels
from bot.domain.services import sites
from handlers.context import HandlerContext
from storage.db import session_scope


@dataclass(frozen=True)
class Here:
    """A site, with what a listener needs of it."""

    site: str
    name: str
    desk: str  # its desk channel
    channels: Channels  # its desk and managers' channels
    tz: ZoneInfo
    date_order: str
    calendar: BusinessCalendar


def at_site(ctx: HandlerContext, site: str) -> Here:
    """The site `site`, as a listener uses it."""
    policy = ctx.policy
    config = policy.site_config(site)
    channels = ctx.channels(site)
    return Here(
        site=site,
        name=policy.site_name(site),
        desk=channels.desk,
        channels=channels,
        tz=config.tz,
        date_order=config.date_order,
        calendar=policy.calendar(site),
    )


def site_here(ctx: HandlerContext, user_id: str, channel_id: str | None = None) -> Here:
    """Where a request from `user_id` in `channel_id` is received."""
    with session_scope(ctx.engine) as session:
        site = sites.receiving_site(session, ctx.policy, channel_id=channel_id, user_id=user_id)
    return at_site(ctx, site)


def own_site(ctx: HandlerContext, user_id: str) -> Here:
    """The site a person belongs to."""
    with session_scope(ctx.engine) as session:
        site = sites.site_of_person(session, ctx.policy, user_id)
    return at_site(ctx, site)


def channel_of(command: dict[str, Any]) -> str | None:
    """The channel a slash command was typed in."""
    return str(command.get("channel_id") or "") or None
