"""Requests as Slack sends them to the app: form-encoded or `payload=` JSON, signed.

Used by the tests and the console to drive the real Bolt app, so the signature check,
the ack, the listeners and the outgoing Web API calls all run for real.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.console.double.server import SlackDouble


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str | Sequence[str]]


class SlackRequests:
    """Build signed requests from a given team to the app."""

    def __init__(
        self, double: SlackDouble, signing_secret: str, *, team_id: str | None = None
    ) -> None:
        self.double = double
        self.signing_secret = signing_secret
        self.team_id = team_id or double.team_id
        self.api_app_id = "A0FRONTDESK"

    def sign(self, body: str, *, timestamp: int | None = None, content_type: str) -> SignedRequest:
        """Sign `body` the way Slack does (v0 HMAC-SHA256 of `v0:ts:body`)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(self.signing_secret).generate_signature(
            timestamp=ts, body=body
        )
        return SignedRequest(
            body=body,
            headers={
                "content-type": content_type,
                "x-slack-request-timestamp": ts,
                "x-slack-signature": signature or "",
            },
        )

    def command(
        self,
        command: str,
        text: str,
        *,
        user_id: str,
        channel_id: str = "C0DESK",
        timestamp: int | None = None,
    ) -> SignedRequest:
        """A slash command, form-encoded."""
        user_name = self._name(user_id)
        body = urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "frontdesk",
                "channel_id": channel_id,
                "channel_name": "front-desk",
                "user_id": user_id,
                "user_name": user_name,
                "command": command,
                "text": text,
                "api_app_id": self.api_app_id,
                "is_enterprise_install": "false",
                "response_url": self.double.response_url(user_id, channel_id),
                "trigger_id": self.trigger_id(),
            }
        )
        return self.sign(
            body, timestamp=timestamp, content_type="application/x-www-form-urlencoded"
        )

    def block_action(
        self,
        *,
        user_id: str,
        action: dict[str, Any],
        channel_id: str,
        message: dict[str, Any] | None = None,
        message_ts: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> SignedRequest:
        """A button press (`block_actions`), in a message or a view."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "frontdesk"},
            "user": {"id": user_id, "username": self._name(user_id), "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.trigger_id(),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "")}
            payload["view"] = view
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": message_ts is None,
            }
            payload["channel"] = {"id": channel_id, "name": channel_id}
            payload["message"] = message or {}
            payload["response_url"] = self.double.response_url(
                user_id, channel_id, message_ts=message_ts
            )
        return self._payload(payload)

    def view_submission(
        self, *, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> SignedRequest:
        """A modal's submit, with `values` as Slack's view.state.values."""
        submitted = {**view, "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "frontdesk"},
            "user": {"id": user_id, "username": self._name(user_id), "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.trigger_id(),
            "view": submitted,
        }
        return self._payload(payload)

    def event(self, event: dict[str, Any]) -> SignedRequest:
        """An Events API callback (e.g. `app_home_opened`, `message`)."""
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "api_app_id": self.api_app_id,
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
                "event_time": int(time.time()),
                "authorizations": [
                    {"team_id": self.team_id, "user_id": self.double.bot_user_id, "is_bot": True}
                ],
            }
        )
        return self.sign(body, content_type="application/json")

    def _name(self, user_id: str) -> str:
        user = self.double.user(user_id)
        return str(user["name"]) if user else user_id

    def _payload(self, payload: dict[str, Any]) -> SignedRequest:
        body = urlencode({"payload": json.dumps(payload)})
        return self.sign(body, content_type="application/x-www-form-urlencoded")

    @staticmethod
    def trigger_id() -> str:
        return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}"
