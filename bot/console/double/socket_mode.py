"""Socket Mode for the Slack double: `apps.connections.open` and the websocket it points at.

As Slack does, the double answers `apps.connections.open` (app-level token only) with a
single-use websocket URL; a client that connects there gets `hello`, then envelopes
(`slash_commands`, `interactive`, `events_api`) that it must ack with their `envelope_id` (and,
for commands and forms, a `payload` carrying the answer). The double records every connection
(when it opened and closed, and the close frame the client sent, if any), every ack, and can send
`{"type": "disconnect", "reason": "refresh_requested"}` as Slack routinely does.

The server is `websockets`' threaded one (the `test` extra): a daemon thread on 127.0.0.1, so a
real `frontdesk serve` in Socket Mode talks to it exactly as it talks to Slack.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from websockets.sync.server import Server, ServerConnection

    from bot.console.double.requests import SignedRequest

APP_TOKEN: Final = "xapp-1-A0FRONTDESK-1-double"
APP_ID: Final = "A0FRONTDESK"


@dataclass(frozen=True)
class Ack:
    """An acknowledgement the app sent back: the envelope it acks and its payload, if any."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int
    at: float  # time.monotonic()


@dataclass
class Connection:
    """One websocket the app opened."""

    number: int
    ticket: str
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None  # from the app's close frame; None: dropped without one
    close_reason: str | None = None
    socket: ServerConnection | None = field(default=None, repr=False)

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def closed_cleanly(self) -> bool:
        """Closed by the app with a close frame (code 1000, normal closure)."""
        return self.closed_at is not None and self.close_code == 1000


@dataclass(frozen=True)
class Sent:
    """An envelope the double sent, and when."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    connection: int
    at: float


class SocketModeDouble:
    """Slack's Socket Mode side: hands out websocket URLs, sends envelopes, records acks."""

    def __init__(self, app_token: str = APP_TOKEN, *, app_id: str = APP_ID) -> None:
        self.app_token = app_token
        self.app_id = app_id
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[Connection] = []
        self._acks: list[Ack] = []
        self._sent: list[Sent] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # ---- serving ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start the websocket server (on a free port) and return its base URL."""
        from websockets.sync.server import serve

        with self._cond:
            if self._server is None:
                self._server = serve(
                    self._serve_connection,
                    "127.0.0.1",
                    self._port,
                    compression=None,
                    ping_interval=None,  # the app pings; Slack answers, it does not ask
                    close_timeout=2,
                )
                self._port = self._server.socket.getsockname()[1]
                self._thread = threading.Thread(
                    target=self._server.serve_forever,
                    name=f"slack-double-socket-{self._port}",
                    daemon=True,
                )
                self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and drop every connection (without a close frame, as an outage would)."""
        with self._cond:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
            sockets = [c.socket for c in self._connections if c.open and c.socket is not None]
        if server is not None:
            server.shutdown()
        for socket in sockets:
            with contextlib.suppress(Exception):
                socket.close_socket()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/"

    def connections_open(self, token: str | None) -> dict[str, Any]:
        """`apps.connections.open`: a fresh single-use URL, or Slack's error for a wrong token."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        if self._server is None:
            self.start()
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        return {"ok": True, "url": f"{self.url}?ticket={ticket}&app_id={self.app_id}"}

    # ---- what happened ---------------------------------------------------------------------

    @property
    def connections(self) -> list[Connection]:
        with self._cond:
            return list(self._connections)

    @property
    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks)

    @property
    def sent(self) -> list[Sent]:
        with self._cond:
            return list(self._sent)

    def wait_for_connections(self, count: int = 1, *, timeout: float = 10.0) -> Connection:
        """Block until `count` connections have been opened; the newest open one."""
        return self._wait(
            lambda: len(self._connections) >= count and self._newest_open() is not None,
            timeout,
            f"{count} connection(s)",
            lambda: self._newest_open(),
        )

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 5.0) -> Ack:
        """Block until the envelope is acked; its ack."""
        return self._wait(
            lambda: self._ack(envelope_id) is not None,
            timeout,
            f"the ack of {envelope_id}",
            lambda: self._ack(envelope_id),
        )

    def wait_for_close(self, connection: Connection, *, timeout: float = 10.0) -> Connection:
        """Block until the connection is closed (either side)."""
        return self._wait(
            lambda: connection.closed_at is not None,
            timeout,
            f"connection {connection.number} to close",
            lambda: connection,
        )

    # ---- sending ---------------------------------------------------------------------------

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        connection: Connection | None = None,
    ) -> str:
        """Send an envelope on `connection` (default: the newest open one); its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        target = self._target(connection)
        with self._cond:
            self._sent.append(Sent(envelope_id, kind, payload, target.number, time.monotonic()))
        assert target.socket is not None
        target.socket.send(json.dumps(envelope))
        return envelope_id

    def send_request(self, request: SignedRequest, *, connection: Connection | None = None) -> str:
        """Send what `SlackRequests` built for HTTP as the envelope Socket Mode carries instead."""
        kind, payload = envelope_of(request)
        accepts = kind == "slash_commands" or payload.get("type") == "view_submission"
        return self.send(kind, payload, accepts_response_payload=accepts, connection=connection)

    def disconnect(
        self, reason: str = "refresh_requested", *, connection: Connection | None = None
    ) -> Connection:
        """Tell the app to reconnect, as Slack does before it retires a connection."""
        target = self._target(connection)
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "double"}}
        assert target.socket is not None
        target.socket.send(json.dumps(message))
        return target

    # ---- the server's side (its threads) ---------------------------------------------------

    def _serve_connection(self, socket: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        request = socket.request
        query = parse_qs(urlsplit(request.path).query) if request is not None else {}
        ticket = (query.get("ticket") or [""])[0]
        with self._cond:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # single use, as Slack's are
        if not known:
            socket.close(4001, "unknown or used ticket")
            return
        with self._cond:
            connection = Connection(
                len(self._connections) + 1, ticket, time.monotonic(), socket=socket
            )
            self._connections.append(connection)
        try:
            socket.send(json.dumps(self._hello()))
            for message in socket:
                self._received(connection, message)
        except ConnectionClosed:
            pass
        finally:
            received = socket.protocol.close_rcvd
            with self._cond:
                connection.closed_at = time.monotonic()
                if received is not None:
                    connection.close_code, connection.close_reason = received.code, received.reason
                self._cond.notify_all()

    def _received(self, connection: Connection, message: str | bytes) -> None:
        try:
            body = json.loads(message)
        except ValueError:
            return
        if not isinstance(body, dict) or "envelope_id" not in body:
            return
        payload = body.get("payload")
        ack = Ack(
            str(body["envelope_id"]),
            payload if isinstance(payload, dict) else None,
            connection.number,
            time.monotonic(),
        )
        with self._cond:
            self._acks.append(ack)
            self._cond.notify_all()

    def _hello(self) -> dict[str, Any]:
        with self._cond:
            live = sum(1 for c in self._connections if c.open)
        return {
            "type": "hello",
            "num_connections": live,
            "debug_info": {"host": "double", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    # ---- helpers ---------------------------------------------------------------------------

    def _newest_open(self) -> Connection | None:
        live = [c for c in self._connections if c.open]
        return live[-1] if live else None

    def _ack(self, envelope_id: str) -> Ack | None:
        return next((a for a in self._acks if a.envelope_id == envelope_id), None)

    def _target(self, connection: Connection | None) -> Connection:
        with self._cond:
            target = connection or self._newest_open()
        if target is None or not target.open:
            raise AssertionError("no open Socket Mode connection to send on")
        return target

    def _wait(
        self,
        done: Callable[[], bool],
        timeout: float,
        what: str,
        result: Callable[[], Any],
    ) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"waited {timeout}s for {what}; connections: {self._connections}, "
                        f"acks: {[a.envelope_id for a in self._acks]}"
                    )
                self._cond.wait(min(remaining, 0.05))
            return result()


def envelope_of(request: SignedRequest) -> tuple[str, dict[str, Any]]:
    """The Socket Mode envelope type and payload of a request built for HTTP."""
    content_type = str(request.headers.get("content-type", ""))
    if content_type.startswith("application/json"):
        return "events_api", json.loads(request.body)
    form = {k: v[0] for k, v in parse_qs(request.body, keep_blank_values=True).items()}
    if "payload" in form:
        return "interactive", json.loads(form["payload"])
    return "slash_commands", form
