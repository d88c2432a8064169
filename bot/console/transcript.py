"""What the bot did, as the console prints it: one labelled event per post, DM, reply or modal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.response import BoltResponse

from bot.console.double import Call, SlackDouble
from bot.console.render import Button, Rendered, render_message, render_view


@dataclass(frozen=True)
class Pressable:
    """A button shown on screen, with where it was shown (to build the click)."""

    button: Button
    viewer: str
    channel: str
    message_ts: str | None
    message: dict[str, Any] | None
    view: dict[str, Any] | None


@dataclass
class Transcript:
    """Turns the double's new calls into printed lines, numbering buttons as it goes."""

    double: SlackDouble
    site_tz: ZoneInfo
    write: Callable[[str], None]
    seen: int = 0
    buttons: list[Pressable] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    modal_user: str | None = None
    home_wanted: str | None = None  # who asked to see their Home (/home): shown in full

    def name(self, user_id: str) -> str:
        user = self.double.user(user_id)
        return str(user["name"]) if user else user_id

    def zone(self, user_id: str | None) -> ZoneInfo:
        user = self.double.user(user_id) if user_id else None
        if user and user.get("tz"):
            return ZoneInfo(str(user["tz"]))
        return self.site_tz

    def skip_existing(self) -> None:
        self.seen = len(self.double.calls)

    def show_ack(self, response: BoltResponse, user_id: str) -> None:
        """An ack that carried a reply is an ephemeral message to the person who typed."""
        if response.status != 200 or not response.body or not response.body.startswith("{"):
            if response.status >= 400:
                self.write(f"[error] Slack would show: HTTP {response.status}")
            return
        body = json.loads(response.body)
        if body.get("response_action") == "errors":
            for block_id, error in (body.get("errors") or {}).items():
                self.write(f"[modal error] {block_id}: {error}")
            return
        if body.get("text") or body.get("blocks"):
            self._message(f"[ephemeral → @{self.name(user_id)}]", user_id, "", None, body)

    def show_new(self) -> None:
        """Print everything the bot did since the last call."""
        calls = self.double.calls
        for call in calls[self.seen :]:
            self._show(call)
        self.seen = len(calls)

    def _show(self, call: Call) -> None:
        args = call.args
        if not call.ok:
            detail = "; ".join(call.response.get("errors") or [])
            self.write(
                f"[slack refused {call.method}: {call.error}{' — ' + detail if detail else ''}]"
            )
            return
        if call.method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            viewer = self.double.user_for_dm(channel)
            where = (
                f"[DM → @{self.name(viewer)}]" if viewer else f"[#{self._channel_name(channel)}]"
            )
            if args.get("thread_ts"):
                where = where[:-1] + ", in thread]"
            self._message(where, viewer, channel, str(call.response.get("ts")), args)
        elif call.method == "chat.postEphemeral":
            user = str(args.get("user"))
            self._message(
                f"[ephemeral → @{self.name(user)}]", user, str(args.get("channel")), None, args
            )
        elif call.method == "response_url":
            user = str(args.get("user"))
            label = (
                "[ephemeral → @"
                + self.name(user)
                + ("], replacing the last" if args.get("replace_original") else "]")
            )
            if args.get("delete_original"):
                self.write(f"[ephemeral → @{self.name(user)}] (removed)")
                return
            self._message(label, user, str(args.get("channel")), None, args)
        elif call.method == "chat.update":
            channel = str(args.get("channel", ""))
            viewer = self.double.user_for_dm(channel)
            where = (
                f"[DM → @{self.name(viewer)}, updated]"
                if viewer
                else f"[#{self._channel_name(channel)}, updated]"
            )
            self._message(where, viewer, channel, str(args.get("ts")), args)
        elif call.method in ("views.open", "views.push", "views.update"):
            view = dict(call.response.get("view") or args.get("view") or {})
            self.modal = view
            self._view("[modal]", self.modal_user, view)
            self.write("  (fill it in with /submit field=value; field=value … or /cancel)")
        elif call.method == "views.publish":
            user = str(args.get("user_id"))
            label = f"[home → @{self.name(user)}]"
            if user == self.home_wanted:
                self.home_wanted = None
                self._view(label, user, dict(call.response.get("view") or {}))
            else:  # republished because something of theirs changed: say so, not all of it
                self.write(f"{label} My desk updated")
        elif call.method == "files.completeUploadExternal":
            files = args.get("files") or []
            titles = ", ".join(str(f.get("title") or f.get("id")) for f in files)
            self.write(f"[file → {args.get('channel_id') or args.get('channels')}] {titles}")

    def _channel_name(self, channel: str) -> str:
        return self.double.channel_name(channel) or channel

    def _message(
        self, label: str, viewer: str | None, channel: str, ts: str | None, args: dict[str, Any]
    ) -> None:
        rendered = render_message(
            args.get("text"),
            args.get("blocks"),
            viewer_tz=self.zone(viewer),
            user_name=self.name,
            first_button_number=len(self.buttons) + 1,
        )
        message = {"ts": ts, "text": args.get("text"), "blocks": args.get("blocks")}
        self._print(label, rendered, viewer or "", channel, ts, message, None)

    def _view(self, label: str, viewer: str | None, view: dict[str, Any]) -> None:
        rendered = render_view(
            view,
            viewer_tz=self.zone(viewer),
            user_name=self.name,
            first_button_number=len(self.buttons) + 1,
        )
        self._print(label, rendered, viewer or "", "", None, None, view)

    def _print(
        self,
        label: str,
        rendered: Rendered,
        viewer: str,
        channel: str,
        ts: str | None,
        message: dict[str, Any] | None,
        view: dict[str, Any] | None,
    ) -> None:
        self.write(label)
        for line in rendered.lines:
            self.write(f"  {line}")
        for button in rendered.buttons:
            self.buttons.append(Pressable(button, viewer, channel, ts, message, view))
