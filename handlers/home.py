"""The App Home "My desk": published when opened and whenever one of your items changes.

Features do not publish it themselves: whatever a listener or a scheduled round commits is
noticed by `storage.touched`, and after the work (and its outbox) is done the wiring hands
those people to a `HomeRefresher`, which publishes each one's Home once.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
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


class HomeRefresher:
    """Republish the Home of people whose things changed: each once, after the work is done.

    `refresh` notes people (from any thread; repeats coalesce until published); `publish`
    publishes everyone noted so far. Publishing is serialised, so an older view of someone's
    desk never lands after a newer one.
    """

    def __init__(self, ctx: HandlerContext, client: WebClient) -> None:
        self.ctx = ctx
        self.client = client
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._publish_lock = threading.Lock()

    def refresh(self, user_ids: Iterable[str]) -> None:
        """Note people whose Home is out of date (channels have no Home)."""
        with self._pending_lock:
            self._pending.update(u for u in user_ids if u[:1] in ("U", "W"))

    def publish(self) -> list[str]:
        """Publish the Home of everyone noted; return who."""
        with self._publish_lock:
            with self._pending_lock:
                people, self._pending = sorted(self._pending), set()
            for user_id in people:
                try:
                    publish_home(self.ctx, self.client, user_id)
                except Exception:
                    log.exception("could not republish the Home of %s", user_id)
        return people


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

        def work() -> None:
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

        ctx.after_ack(work)  # and so the Home is published again
