"""A local Slack Web API that answers, records and refuses calls the way Slack does.

A real HTTP server on 127.0.0.1 in a daemon thread, so the real `slack_sdk.WebClient` (and Bolt)
talk to it exactly as they talk to Slack: forms and JSON, bearer tokens, 429s with Retry-After,
refused connections, the three-step `files_upload_v2`, and `response_url` posts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.console.double.limits import split_error, validate_message, validate_view
from bot.console.double.pacing import BURST, POSTS_PER_SECOND, ChannelRateLimit
from bot.console.double.socket_mode import APP_TOKEN, SocketModeDouble

# Form fields that Slack reads as JSON even when they arrive form-encoded.
JSON_FIELDS: Final = frozenset({"blocks", "attachments", "view", "files", "metadata"})
HISTORY_LIMITS: Final = (100, 999)  # conversations.history's default and largest `limit`
REPLIES_LIMITS: Final = (1000, 1000)  # conversations.replies's
RESPONSE_URL_USES: Final = 5  # Slack accepts five posts to one response_url


@dataclass(frozen=True)
class Call:
    """One request the double answered, in the order received."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    response: dict[str, Any]
    at: float


class _ApiError(Exception):
    def __init__(self, error: str, detail: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int | None


@dataclass(frozen=True)
class _User:
    id: str
    name: str
    real_name: str
    tz: str | None
    is_bot: bool
    deleted: bool
    email: str | None


@dataclass(frozen=True)
class _Channel:
    id: str
    name: str
    is_member: bool


@dataclass
class _Upload:
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class _ResponseUrl:
    user: str
    channel: str
    message_ts: str | None
    uses: int = 0


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


# Slack method → the SlackDouble method that answers it.
_API: Final[dict[str, str]] = {
    "auth.test": "_auth_test",
    "users.info": "_users_info",
    "users.list": "_users_list",
    "conversations.open": "_conversations_open",
    "conversations.info": "_conversations_info",
    "conversations.history": "_conversations_history",
    "conversations.replies": "_conversations_replies",
    "chat.postMessage": "_chat_post_message",
    "chat.postEphemeral": "_chat_post_ephemeral",
    "chat.update": "_chat_update",
    "chat.delete": "_chat_delete",
    "views.open": "_views_open",
    "views.push": "_views_push",
    "views.update": "_views_update",
    "views.publish": "_views_publish",
    "files.getUploadURLExternal": "_files_get_upload_url",
    "files.completeUploadExternal": "_files_complete_upload",
}


class SlackDouble:
    """A fake Slack workspace with one bot, served over HTTP on 127.0.0.1."""

    def __init__(
        self, team_id: str = "T0FRONT", bot_user_id: str = "U0BOT", bot_token: str = "xoxb-test"
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.bot_id = "B" + bot_user_id[1:]
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._dm_by_user: dict[str, str] = {}
        self._user_by_dm: dict[str, str] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_by_user: dict[str, str] = {}
        self._uploads: dict[str, _Upload] = {}
        self._uploaded: list[dict[str, Any]] = []
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._serial = 0
        self._now: Callable[[], float] = time.time  # what message timestamps are read from
        self._last_ts = 0  # microseconds: every message's ts is later than the one before
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self.connections_accepted = 0  # connections kept alive carry many calls
        self.latency = 0.0  # seconds before each answer (set_latency)
        self._rate_limit: ChannelRateLimit | None = None  # off unless rate_limit_posts()
        self.socket_mode: SocketModeDouble | None = None  # off unless enable_socket_mode()
        self.add_user(bot_user_id, "frontdesk", real_name="Front Desk", is_bot=True)

    # ---- the directory ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> None:
        """Add a member of the workspace; `tz` None means Slack gives no time zone for them."""
        if tz is not None:
            ZoneInfo(tz)  # an unknown zone is a mistake in the test, not a Slack answer
        user = _User(user_id, name, real_name or name, tz, is_bot, deleted, email)
        with self._cond:
            self._users[user_id] = user

    def add_channel(self, channel_id: str, name: str, *, is_member: bool = True) -> None:
        """Add a channel; with `is_member=False` the bot is not in it (`not_in_channel`)."""
        with self._cond:
            self._channels[channel_id] = _Channel(channel_id, name, is_member)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """Return the user as `users.info` gives them, or None if there is no such user."""
        with self._cond:
            found = self._users.get(user_id)
            return self._user_object(found) if found is not None else None

    def channel_name(self, channel_id: str) -> str | None:
        """The name of a channel added with add_channel (None for others)."""
        with self._cond:
            channel = self._channels.get(channel_id)
        return channel.name if channel else None

    def dm_channel(self, user_id: str) -> str:
        """Return the D… channel `conversations.open` gives for this user (the same every time)."""
        with self._cond:
            return self._dm_for(user_id)

    def user_for_dm(self, channel_id: str) -> str | None:
        """Return whose DM channel this is, or None."""
        with self._cond:
            return self._user_by_dm.get(channel_id)

    # ---- serving ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving (on a free port the first time) and return the Web API base URL."""
        with self._cond:
            if self._server is None:
                self._server = _Server(("127.0.0.1", self._port), self)
                self._port = self._server.server_address[1]
                self._thread = threading.Thread(
                    target=self._server.serve_forever,
                    kwargs={"poll_interval": 0.01},
                    name=f"slack-double-{self._port}",
                    daemon=True,
                )
                self._thread.start()
            return self.base_url

    def stop(self) -> None:
        """Stop serving; the port is closed, so connections are refused."""
        with self._cond:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def set_clock(self, now: Callable[[], float]) -> None:
        """Stamp messages by `now` (seconds since the epoch) instead of the wall clock, as
        Slack stamps them by its own: a test on a frozen clock keeps the double beside it."""
        with self._cond:
            self._now = now

    def set_latency(self, seconds: float) -> None:
        """Answer every Web API and response_url call `seconds` after it arrives (real Slack:
        0.1-0.3 s); calls in flight at once wait side by side, as they would."""
        self.latency = max(0.0, seconds)

    def rate_limit_posts(
        self, *, per_second: float = POSTS_PER_SECOND, burst: int = BURST, on: bool = True
    ) -> None:
        """Enforce Slack's pace for `chat.postMessage`: `burst` posts to a channel at once, then
        `per_second` a second; beyond it HTTP 429 with `Retry-After` (whole seconds)."""
        self._rate_limit = ChannelRateLimit(per_second=per_second, burst=burst) if on else None

    def enable_socket_mode(self, app_token: str = APP_TOKEN) -> SocketModeDouble:
        """Answer `apps.connections.open` for `app_token` with a websocket served on 127.0.0.1
        (bot.console.double.socket_mode; needs the `websockets` package, in the test extra)."""
        if self.socket_mode is None:
            self.socket_mode = SocketModeDouble(app_token)
            self.socket_mode.start()
        return self.socket_mode

    def refuse_connections(self) -> None:
        """Close the listening socket so connecting fails with ECONNREFUSED."""
        self.stop()

    def accept_connections(self) -> None:
        """Listen again, on the same port as before."""
        self.start()

    def __enter__(self) -> SlackDouble:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}api/"

    # ---- what was received -----------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call so far, in order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str, *, include_failed: bool = False) -> list[Call]:
        """Return the calls of one method: the ok ones, or all with `include_failed`."""
        with self._cond:
            return [c for c in self._calls if c.method == method and (c.ok or include_failed)]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Block until `count` ok calls of `method` match `predicate`; return all that match."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [
                    c
                    for c in self._calls
                    if c.ok and c.method == method and (predicate is None or predicate(c))
                ]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n".join(f"  {_describe(c)}" for c in self._calls) or "  (none)"
                    raise AssertionError(
                        f"waited {timeout}s for {count} ok {method} call(s) matching; "
                        f"{len(matching)} matched. Calls seen:\n{seen}"
                    )
                self._cond.wait(remaining)

    def clear(self) -> None:
        """Forget the recorded calls (the workspace's state stays)."""
        with self._cond:
            self._calls.clear()

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """Return a posted message as it is now (after any chat.update), or None."""
        with self._cond:
            channel = self._dm_by_user.get(channel, channel)
            found = self._messages.get((channel, ts))
            return copy.deepcopy(found) if found is not None else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        """Return a view as it is now, or None."""
        with self._cond:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """Return the Home tab last published for this user, or None."""
        with self._cond:
            view_id = self._home_by_user.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    @property
    def uploaded_files(self) -> list[dict[str, Any]]:
        """Files completed by files.completeUploadExternal, with their bytes."""
        with self._cond:
            return [dict(f) for f in self._uploaded]

    def response_url(self, user_id: str, channel_id: str, *, message_ts: str | None = None) -> str:
        """Return a response_url on the double for an interaction by this user in this channel.

        With `message_ts`, `replace_original` and `delete_original` act on that message.
        """
        with self._cond:
            key = f"R{self._next_serial():06d}"
            self._response_urls[key] = _ResponseUrl(user_id, channel_id, message_ts)
            return f"{self.root_url}response/{key}"

    # ---- failures on demand ----------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str = "ratelimited",
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail (None: until `clear_failures`).

        429 answers with a Retry-After header (`retry_after`, default 1); any status answers with
        the body `{"ok": false, "error": error}`.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._cond:
            self._failures.setdefault(method, []).append(
                _Failure(status, error, retry_after, times)
            )

    def clear_failures(self) -> None:
        """Stop failing anything."""
        with self._cond:
            self._failures.clear()

    # ---- request handling (called on the server's threads) ---------------------------------

    def _handle(self, request: _Handler) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if self.latency and not path.startswith("/upload/"):
            time.sleep(self.latency)  # on this request's own server thread
        if path.startswith("/api/"):
            reply = self._api(path.removeprefix("/api/"), request, body)
        elif path.startswith("/upload/"):
            reply = self._upload(path.removeprefix("/upload/"), body)
        elif path.startswith("/response/"):
            reply = self._respond(path.removeprefix("/response/"), body)
        else:
            reply = _Reply(404, "not found")
        _send(request, reply)

    def _api(self, method: str, request: _Handler, body: bytes) -> _Reply:
        try:
            args = _parse_args(request, body)
        except ValueError:
            return self._record(method, {}, _Reply(200, {"ok": False, "error": "invalid_json"}))
        header = request.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        token = token or args.pop("token", None)
        args.pop("token", None)
        with self._cond:
            failure = self._take_failure(method) or self._over_the_pace(method, args)
            if failure is not None:
                return self._record(method, args, _failure_reply(failure))
            if method == "apps.connections.open" and self.socket_mode is not None:
                opened = self.socket_mode.connections_open(token)
                return self._record(method, args, _Reply(200, opened))
            answer = _API.get(method)
            try:
                if answer is None:
                    raise _ApiError("unknown_method")
                if not token:
                    raise _ApiError("not_authed")
                if token != self.bot_token:
                    raise _ApiError("invalid_auth")
                response = {"ok": True, **getattr(self, answer)(args)}
            except _ApiError as refused:
                response = _refusal(refused)
            return self._record(method, args, _Reply(200, response))

    def _upload(self, file_id: str, body: bytes) -> _Reply:
        with self._cond:
            failure = self._take_failure("file_upload")
            args = {"file_id": file_id, "length": len(body)}
            if failure is not None:
                return self._record("file_upload", args, _failure_reply(failure))
            upload = self._uploads.get(file_id)
            if upload is None:
                return self._record(
                    "file_upload", args, _Reply(404, {"ok": False, "error": "file_not_found"})
                )
            upload.data = body
            self._record("file_upload", args, _Reply(200, {"ok": True}))
            return _Reply(200, f"OK - {len(body)}")

    def _respond(self, key: str, body: bytes) -> _Reply:
        with self._cond:
            target = self._response_urls.get(key)
            try:
                payload = json.loads(body or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("not an object")
            except ValueError:
                payload = {"body": body.decode("utf-8", "replace")}
                return self._record("response_url", payload, _Reply(400, "invalid_payload"))
            args = dict(payload)
            if target is not None:
                args.update(user=target.user, channel=target.channel)
            failure = self._take_failure("response_url")
            if failure is not None:
                return self._record("response_url", args, _failure_reply(failure))
            try:
                if target is None:
                    raise _ApiError("expired_url")
                if target.uses >= RESPONSE_URL_USES:
                    raise _ApiError("used_url", f"at most {RESPONSE_URL_USES} posts")
                self._apply_response(target, payload)
                target.uses += 1
            except _ApiError as refused:
                status = 404 if refused.error in {"expired_url", "used_url"} else 400
                return self._record("response_url", args, _Reply(status, _refusal(refused)))
            return self._record("response_url", args, _Reply(200, {"ok": True}))

    def _apply_response(self, target: _ResponseUrl, payload: dict[str, Any]) -> None:
        key = (self._dm_by_user.get(target.channel, target.channel), target.message_ts or "")
        if payload.get("delete_original"):
            self._messages.pop(key, None)
            return
        _check_message(payload, require_text=True)
        if payload.get("replace_original") and key in self._messages:
            self._messages[key].update(text=payload.get("text", ""))
            self._messages[key]["blocks"] = payload.get("blocks", [])

    def _record(self, method: str, args: dict[str, Any], reply: _Reply) -> _Reply:
        body = reply.body if isinstance(reply.body, dict) else {"ok": reply.status == 200}
        ok = reply.status == 200 and bool(body.get("ok"))
        error = None if ok else str(body.get("error") or reply.status)
        call = Call(method, args, ok, error, body, time.monotonic())
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        return reply

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
        return failure

    def _over_the_pace(self, method: str, args: dict[str, Any]) -> _Failure | None:
        """A 429 for a post beyond the channel's pace, when rate limits are on."""
        if self._rate_limit is None or method != "chat.postMessage":
            return None
        channel = str(args.get("channel") or "")
        if channel in self._users:  # a user's id names their DM: one pace for both names
            channel = "D" + channel[1:]
        wait = self._rate_limit.take(channel)
        return None if wait is None else _Failure(429, "ratelimited", wait, 1)

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _next_ts(self) -> str:
        """Now, as Slack writes a message's ts; a microsecond past the last if not later."""
        micros = max(int(self._now() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _dm_for(self, user_id: str) -> str:
        if user_id not in self._dm_by_user:
            channel = "D" + user_id[1:]
            self._dm_by_user[user_id] = channel
            self._user_by_dm[channel] = user_id
        return self._dm_by_user[user_id]

    def _user(self, user_id: object) -> _User:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise _ApiError("user_not_found")
        return user

    def _channel(self, channel: object) -> str:
        """Resolve a channel argument (a channel, a DM, or a user ID) to the channel posted in."""
        if not isinstance(channel, str) or not channel:
            raise _ApiError("channel_not_found")
        if channel in self._channels:
            if not self._channels[channel].is_member:
                raise _ApiError("not_in_channel")
            return channel
        if channel in self._user_by_dm:
            return channel
        if channel in self._users:
            return self._dm_for(channel)
        raise _ApiError("channel_not_found")

    # ---- the Web API methods ---------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://frontdesk-double.slack.com/",
            "team": "Front Desk (double)",
            "user": "frontdesk",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _user_object(self, user: _User) -> dict[str, Any]:
        profile: dict[str, Any] = {"real_name": user.real_name, "display_name": user.name}
        if user.email:
            profile["email"] = user.email
        found: dict[str, Any] = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": user.deleted,
            "is_bot": user.is_bot,
            "profile": profile,
        }
        if user.tz is not None:
            offset = datetime.now(ZoneInfo(user.tz)).utcoffset()
            found["tz"] = user.tz
            found["tz_offset"] = int(offset.total_seconds()) if offset else 0
        return found

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user_object(self._user(args.get("user")))}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        members = [self._user_object(u) for u in self._users.values()]
        return {"members": members, "response_metadata": {"next_cursor": ""}}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise _ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise _ApiError("invalid_arguments", "the double opens one-to-one DMs only")
        user = self._user(users[0])
        if user.deleted:
            raise _ApiError("user_disabled")
        return {"channel": {"id": self._dm_for(user.id)}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if channel in self._channels:
            found = self._channels[channel]
            return {
                "channel": {
                    "id": found.id,
                    "name": found.name,
                    "is_channel": True,
                    "is_im": False,
                    "is_member": found.is_member,
                }
            }
        if channel in self._user_by_dm:
            user = self._user_by_dm[channel]
            return {"channel": {"id": channel, "is_im": True, "user": user}}
        raise _ApiError("channel_not_found")

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channel's messages, newest first; replies in threads only where broadcast."""
        channel = self._readable(args.get("channel"))
        found = [m for (c, _), m in self._messages.items() if c == channel and _top_level(m)]
        return _page(found, args, newest_first=True, limits=HISTORY_LIMITS)

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread, oldest first: its parent, then the replies (`ts` may name either)."""
        channel = self._readable(args.get("channel"))
        named = self._messages.get((channel, str(args.get("ts") or "")))
        if named is None:
            raise _ApiError("thread_not_found")
        parent = str(named.get("thread_ts") or named["ts"])
        found = [
            m
            for (c, _), m in self._messages.items()
            if c == channel and parent in (m["ts"], m.get("thread_ts"))
        ]
        return _page(found, args, newest_first=False, limits=REPLIES_LIMITS)

    def _readable(self, channel: object) -> str:
        """A conversation whose history the bot may read: a channel it is in, or a DM (by its
        D… ID: Slack reads no history by user ID)."""
        if isinstance(channel, str) and channel in self._channels:
            if not self._channels[channel].is_member:
                raise _ApiError("not_in_channel")
            return channel
        if isinstance(channel, str) and channel in self._user_by_dm:
            return channel
        raise _ApiError("channel_not_found")

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        _check_message(args, require_text=True)
        _check_metadata(args.get("metadata"))
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": args.get("text") or "",
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        if args.get("thread_ts") and _truthy(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        self._messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        self._user(args.get("user"))
        _check_message(args, require_text=True)
        return {"channel": channel, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        message = self._messages.get((channel, ts))
        if message is None:
            raise _ApiError("message_not_found")
        _check_message(args, require_text=True)
        # As in Slack: blocks left out are kept; an empty list removes them.
        if "text" in args:
            message["text"] = args["text"] or ""
        if "blocks" in args:
            message["blocks"] = args["blocks"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        if self._messages.pop((channel, ts), None) is None:
            raise _ApiError("message_not_found")
        return {"channel": channel, "ts": ts}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise _ApiError("invalid_trigger_id")
        return {"view": self._store_view(args.get("view"), "modal", None)}

    _views_push = _views_open

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (k for k, v in self._views.items() if v["external_id"] == args["external_id"]),
                None,
            )
        current = self._views.get(view_id) if isinstance(view_id, str) else None
        if current is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        return {"view": self._store_view(args.get("view"), current["type"], current["id"])}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(args.get("user_id"))
        view = self._store_view(args.get("view"), "home", self._home_by_user.get(user.id))
        self._home_by_user[user.id] = view["id"]
        return {"view": view}

    def _store_view(
        self, view: object, surface: Literal["modal", "home"], view_id: str | None
    ) -> dict[str, Any]:
        refusal = validate_view(view, surface)
        if refusal is not None:
            raise _ApiError(*split_error(refusal))
        assert isinstance(view, dict)
        view_id = view_id or f"V{self._next_serial():08d}"
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": "A0FRONT",
            "bot_id": self.bot_id,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            **copy.deepcopy(view),
            "state": {"values": {}},
            "hash": f"{self._next_serial()}.{view_id}",
        }
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = args.get("filename")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            length = 0
        if not filename or length <= 0:
            raise _ApiError("invalid_arguments", "filename and a positive length are required")
        file_id = f"F{self._next_serial():08d}"
        self._uploads[file_id] = _Upload(str(filename), length)
        return {"upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise _ApiError("invalid_arguments", "files must be a non-empty JSON list")
        targets = [args["channel_id"]] if args.get("channel_id") else []
        targets += [c for c in str(args.get("channels") or "").split(",") if c]
        channels = [self._channel(c) for c in targets]
        completed = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            upload = self._uploads.get(file_id) if isinstance(file_id, str) else None
            if upload is None or upload.data is None:
                raise _ApiError("file_not_found", f"no uploaded bytes for {file_id!r}")
            completed.append((file_id, upload, item.get("title") or upload.filename))
        shared = []
        for file_id, upload, title in completed:
            self._uploaded.append(
                {
                    "id": file_id,
                    "filename": upload.filename,
                    "title": title,
                    "channels": channels,
                    "bytes": upload.data,
                    "initial_comment": args.get("initial_comment"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
            size = len(upload.data or b"")
            shared.append({"id": file_id, "name": upload.filename, "title": title, "size": size})
        return {"files": shared}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], double: SlackDouble) -> None:
        super().__init__(address, _Handler)
        self.double = double
        self._open: set[socket.socket] = set()  # kept-alive connections, closed on stop
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
            self.double.connections_accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop every open connection, as a Slack outage would."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # connections kept alive, as Slack's are
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def do_POST(self) -> None:
        self.server.double._handle(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def _check_message(args: dict[str, Any], *, require_text: bool) -> None:
    """Refuse what Slack refuses in a message: formatting flags, no content, bad blocks."""
    if _truthy(args.get("link_names")) or args.get("parse") == "full":
        raise _ApiError("invalid_arguments", "Front Desk never sends link_names or parse=full")
    if require_text and not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise _ApiError("no_text")
    refusal = validate_message(args.get("text"), args.get("blocks"))
    if refusal is not None:
        raise _ApiError(*split_error(refusal))


def _check_metadata(metadata: object) -> None:
    """Refuse message metadata Slack would: an `event_type` string and an `event_payload`."""
    if metadata is None:
        return
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and metadata["event_type"]
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise _ApiError("invalid_metadata_format")


def _top_level(message: dict[str, Any]) -> bool:
    """In a channel's history: not a reply in a thread, unless also sent to the channel."""
    thread = message.get("thread_ts")
    return not thread or thread == message["ts"] or message.get("subtype") == "thread_broadcast"


def _page(
    messages: list[dict[str, Any]],
    args: dict[str, Any],
    *,
    newest_first: bool,
    limits: tuple[int, int],
) -> dict[str, Any]:
    """One page of `messages` as conversations.history and .replies give it: between `oldest`
    and `latest` (each excluded unless `inclusive`), `limit` at a time from the `cursor` on,
    metadata only with `include_all_metadata`."""
    oldest = _ts_arg(args.get("oldest"), "invalid_ts_oldest") or Decimal(0)
    latest = _ts_arg(args.get("latest"), "invalid_ts_latest")
    inclusive = _truthy(args.get("inclusive"))
    after = _cursor(args.get("cursor"))
    try:
        limit = int(args.get("limit") or limits[0])
    except (TypeError, ValueError):
        raise _ApiError("invalid_limit") from None
    limit = min(max(limit, 1), limits[1])

    def wanted(ts: Decimal) -> bool:
        if ts < oldest or (ts == oldest and not inclusive):
            return False
        if latest is not None and (ts > latest or (ts == latest and not inclusive)):
            return False
        if after is not None:
            return ts < after if newest_first else ts > after
        return True

    ordered = sorted(
        (m for m in messages if wanted(Decimal(m["ts"]))),
        key=lambda m: Decimal(m["ts"]),
        reverse=newest_first,
    )
    shown = ordered[:limit]
    more = len(ordered) > limit
    metadata = _truthy(args.get("include_all_metadata"))
    page = [
        {k: copy.deepcopy(v) for k, v in m.items() if metadata or k != "metadata"} for m in shown
    ]
    cursor = _next_cursor(shown[-1]["ts"]) if more else ""
    return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def _ts_arg(value: object, error: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _ApiError(error) from None


def _next_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _cursor(value: object) -> Decimal | None:
    """The ts a page's `cursor` goes on from (None: the first page)."""
    if value in (None, ""):
        return None
    try:
        kind, _, ts = base64.b64decode(str(value), validate=True).decode().partition(":")
        if kind != "next_ts":
            raise ValueError(kind)
        return Decimal(ts)
    except (binascii.Error, UnicodeDecodeError, ValueError, InvalidOperation):
        raise _ApiError("invalid_cursor") from None


def _truthy(value: object) -> bool:
    return value not in (None, False, 0, "", "0", "false", "False")


def _refusal(refused: _ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": refused.error}
    if refused.detail:
        body["errors"] = [refused.detail]
        body["response_metadata"] = {"messages": [f"[ERROR] {refused.detail}"]}
    return body


def _failure_reply(failure: _Failure) -> _Reply:
    headers = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
    return _Reply(failure.status, {"ok": False, "error": failure.error}, headers)


def _parse_args(request: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
    """Merge query, form and JSON arguments; decode JSON given as form fields (`blocks`)."""
    args = _form(urlsplit(request.path).query)
    content_type = request.headers.get_content_type()
    if content_type == "application/json" and body:
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("a JSON body must be an object")
        args.update(loaded)
    elif content_type == "application/x-www-form-urlencoded":
        args.update(_form(body.decode("utf-8")))
    for key in JSON_FIELDS & args.keys():
        if isinstance(args[key], str):
            # Left as a string if it is not JSON: the method refuses it the way Slack does.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def _form(encoded: str) -> dict[str, Any]:
    parsed = parse_qs(encoded, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _send(request: BaseHTTPRequestHandler, reply: _Reply) -> None:
    if isinstance(reply.body, dict):
        payload = json.dumps(reply.body).encode()
        content_type = "application/json; charset=utf-8"
    else:
        payload = reply.body.encode()
        content_type = "text/plain; charset=utf-8"
    request.send_response(reply.status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(payload)))
    for name, value in reply.headers.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(payload)


def _describe(call: Call) -> str:
    outcome = "ok" if call.ok else f"failed: {call.error}"
    args = json.dumps(call.args, default=repr)
    if len(args) > 300:
        args = args[:300] + "…"
    return f"{call.method} ({outcome}) {args}"
