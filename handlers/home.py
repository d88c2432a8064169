"""The App Home "My desk": published when opened and whenever one of your items changes.

Features do not publish it themselves: whatever a listener or a scheduled round commits is
noticed by `storage.touched`, which writes a `home` task for each person touched in the same
transaction; a worker runs it (`publish_home`), once however many changes came together.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.roles import Role
from bot.domain.services import visitors
from bot.domain.services.my_desk import my_desk, refresh_now
from handlers.actions.item_button import Press, item_button
from handlers.blocks.home import ITEM_LIMIT, home_view
from handlers.context import HandlerContext, Payload
from handlers.people import remember
from storage.db import session_scope

log = logging.getLogger(__name__)


def publish_home(ctx: HandlerContext, client: WebClient, user_id: str) -> None:
    """Build and publish `user_id`'s Home tab; a Slack failure is logged, never raised."""
    now = ctx.clock.now()
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    with session_scope(ctx.engine) as session:
        desk = my_desk(
            session,
            user_id=user_id,
            now=now,
            tz=tz,
            is_manager=ctx.roles.is_manager(user_id),
            limit=ITEM_LIMIT,
        )
    try:
        at_the_desk = ctx.roles.of(user_id) is Role.RECEPTION
        view = home_view(desk, tz, now=now, call_for_help=at_the_desk)
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.error("views.publish for %s failed: %s", user_id, error.response.get("error"))


HOME_VISITOR_ANSWER = re.compile(r"^home_visitor_(on_my_way|please_wait|send_someone)_\d+$")


def home_opened(ctx: HandlerContext, event: Payload, body: Payload) -> None:
    """The Home tab was opened: remember who it is and publish it."""
    if event.get("tab", "home") != "home":
        return
    user_id = str(event["user"])

    def work() -> None:
        remember(ctx, [user_id])
        with session_scope(ctx.engine) as session:
            refresh_now(session, [user_id])

    ctx.event(body, "app home opened", work)


def _home_visitor_answer(p: Press) -> None:
    """A host's answer from the Home tab (which shows it once refreshed: no reply)."""
    visitors.record_host_response(
        p.session,
        now=p.now,
        visit_id=p.thing_id,
        response=re.sub(r"^home_visitor_|_\d+$", "", p.action_id),
        by=p.user_id,
        roles=p.roles,
    )


home_visitor_answer = item_button(
    "home visitor answer",
    _home_visitor_answer,
    refusals={visitors.VisitorNotFound: lambda e: f"{e}."},
)
