"""The App Home "My desk": published when opened and whenever one of your items changes.

Features do not publish it themselves: whatever a listener or a scheduled round commits is
noticed by `storage.touched`, which writes a `home` task for each person touched in the same
transaction; a worker runs it (`publish_home`), once however many changes came together.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.roles import Role
from bot.services import visitors
from bot.services.my_desk import my_desk
from handlers.blocks.home import ITEM_LIMIT, home_view
from handlers.context import HandlerContext, Reply
from handlers.people import remember
from handlers.replies import UserError
from storage.db import session_scope
from storage.touched import AT_ONCE, refresh_home

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


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the Home tab being opened, and for its buttons."""

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event["user"])

        def work() -> None:
            remember(ctx, [user_id])
            with session_scope(ctx.engine) as session:
                refresh_home(session, [user_id], now=AT_ONCE)

        ctx.event(body, "app home opened", work)

    @app.action(re.compile(r"^home_visitor_(on_my_way|please_wait|send_someone)_\d+$"))
    def home_visitor_answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(_tell: Reply) -> None:  # the Home tab shows the answer: it is refreshed
            user_id = body["user"]["id"]
            response = re.sub(r"^home_visitor_|_\d+$", "", action["action_id"])
            try:
                with session_scope(ctx.engine) as session:
                    visitors.record_host_response(
                        session,
                        now=ctx.clock.now(),
                        visit_id=int(action["value"]),
                        response=response,
                        by=user_id,
                        roles=ctx.roles,
                    )
            except visitors.VisitorNotFound as error:
                raise UserError(f"{error}.") from None

        ctx.button(ack, body, context, "home visitor answer", work)
