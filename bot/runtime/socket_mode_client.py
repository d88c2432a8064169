"""The Socket Mode connection of `frontdesk serve`: slack_bolt's websocket-client handler, with
its connections retired from the thread that reads them.

slack_sdk's built-in client is not used: after Slack's routine `disconnect` (refresh_requested)
it reads nothing for 3 s (it waits out the old socket's 3 s read timeout before switching to the
new one), so the next command's ack came after 3.02 s, past Slack's limit; and on close it drops
the socket without a close frame.

The websocket-client one reconnects within half a second and closes with a close frame, but it
closes a connection from another thread with a blocking close handshake (send the close frame,
then read until Slack's answer) while the connection's own thread is still reading it: when the
closing thread reads Slack's answer, the reading thread sleeps on the closed socket for its
10 s select timeout, and the new connection is not read until then. Here a connection being
replaced or closed is only sent its close frame; its own thread reads Slack's answer and tears it
down. And a connection just made is given time to open before it counts as lost, so neither a
start nor a refresh asks Slack for a second URL (tests/process/socket_mode/test_socket_mode.py).
"""

from __future__ import annotations

import contextlib
import struct
import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import ABNF, STATUS_NORMAL

# How long a new connection is left to open before it counts as lost. The parent's monitor,
# which runs as soon as the first connection is made, and its close handler otherwise see a
# connection the reading thread has not opened yet as lost and open another, each time.
OPENING_S = 5.0


class PromptSocketModeClient(SocketModeClient):
    """websocket-client's Socket Mode client; a retired connection is closed by its reader,
    and a connection being opened is given the time to open."""

    _created_at: float | None = None

    def connect(self) -> None:
        old = self.current_session
        self.current_session = None  # or the parent would close it from this thread
        self._created_at = time.monotonic()
        try:
            super().connect()
        finally:
            if old is not None:
                retire(old)

    def is_connected(self) -> bool:
        return bool(super().is_connected()) or self._opening()

    def _monitor_current_session(self) -> None:
        if not self._opening():
            super()._monitor_current_session()

    def _opening(self) -> bool:
        session = self.current_session
        created = self._created_at
        return (
            session is not None
            and session.sock is None
            and created is not None
            and time.monotonic() - created < OPENING_S
        )

    def disconnect(self) -> None:
        if self.current_session is not None:
            retire(self.current_session)


def retire(session: Any) -> None:
    """Send a `WebSocketApp` its close frame and let its own thread read the answer and close."""
    session.keep_running = False  # its reader tears down on the next frame: Slack's answer
    socket = session.sock
    if socket is not None and socket.connected:
        with contextlib.suppress(Exception):  # already gone: its reader finds out by itself
            # Not `send_close()`: it marks the socket closed, and the reader's teardown would
            # then leave the connection open.
            socket.send(struct.pack("!H", STATUS_NORMAL), ABNF.OPCODE_CLOSE)


class FrontDeskSocketModeHandler(SocketModeHandler):
    """slack_bolt's websocket-client Socket Mode handler on `PromptSocketModeClient`."""

    def __init__(self, app: App, app_token: str) -> None:
        # Not the parent's __init__: it would start a second client's threads.
        self.app = app
        self.app_token = app_token
        self.client = PromptSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
