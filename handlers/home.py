"""The App Home "My desk": published when opened and whenever one of your items changes.

Other features call `publish_home(ctx, client, user_id)` after changing someone's items.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import visitors
from bot.services.my_desk import my_desk
from handlers.blocks.home import ITEM_LIMIT, home_view
from handlers.context import HandlerContext
from handlers.people import remember
from handlers.replies import UserError, guarded
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
        client.views_publish(user_id=user_id, view=home_view(desk, tz, now=now))
    except SlackApiError as error:
        log.error("views.publish for %s failed: %s", user_id, error.response.get("error"))


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the Home tab being opened, and for its buttons."""

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event["user"])
        remember(ctx, [user_id])
        publish_home(ctx, client, user_id)

    @app.action(re.compile(r"^home_visitor_(on_my_way|please_wait|send_someone)_\d+$"))
    def home_visitor_answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        response = re.sub(r"^home_visitor_|_\d+$", "", action["action_id"])

        def tell(**reply: Any) -> None:
            # The Home tab has no thread to answer in: say it in the app's DM.
            client.chat_postMessage(channel=user_id, text=reply["text"], blocks=reply["blocks"])

        with guarded(tell, "home visitor answer"):
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
        publish_home(ctx, client, user_id)
        ctx.deliver()
