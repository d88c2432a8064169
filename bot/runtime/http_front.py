"""The HTTP front's guard: what reaches Bolt is a bounded, well-formed Slack request.

A WSGI middleware in front of Bolt's adapter, so that whatever a client sends, the answer is a
status and one log line, never a 500 and a traceback:

- a body over `MAX_BODY` bytes is refused with 413 from its Content-Length, before it is read
  (a chunked one as soon as it passes the limit), so an unsigned 100 MB upload costs nothing;
- a body that is not UTF-8, a non-numeric `X-Slack-Request-Timestamp`, a `payload` that is not a
  JSON object with a `type`, a JSON body that is not an object, and a `view_submission` with no
  `view.state` are refused with 400 (Bolt's signature check then answers the rest: 401);
- the instant the request was read is stamped on it (`X-Frontdesk-Arrived`, the monotonic clock,
  which the machine's processes share), for the listeners' deadline.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
ARRIVED_HEADER = "HTTP_X_FRONTDESK_ARRIVED"  # X-Frontdesk-Arrived: seconds, time.monotonic()
ARRIVED_KEY = "frontdesk.arrived"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REASONS = {
    400: "400 Bad Request",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
}


class Refused(Exception):
    """A request answered with `status` and not passed on; `why` is logged, never the body."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


def guarded(app: WSGIApp, *, max_body: int = MAX_BODY) -> WSGIApp:
    """`app` behind the checks above; POSTs reach it with the body already read and checked."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        arrived = time.monotonic()
        environ[ARRIVED_KEY] = arrived
        environ[ARRIVED_HEADER] = f"{arrived:.6f}"  # replaces any the client sent
        try:
            if environ.get("REQUEST_METHOD") == "POST":
                body = read_body(environ, max_body)
                check_slack_body(environ, body)
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
            return app(environ, start_response)
        except Refused as refused:
            log.warning(
                "refused %s %s from %s: %d %s",
                environ.get("REQUEST_METHOD", "?"),
                environ.get("PATH_INFO", "?"),
                environ.get("REMOTE_ADDR", "?"),
                refused.status,
                refused.why,
            )
            return answer(start_response, refused.status, refused.why)
        except Exception as error:  # a bug: one line with its kind, not the request
            log.error(
                "request %s %s failed: %s: %s",
                environ.get("REQUEST_METHOD", "?"),
                environ.get("PATH_INFO", "?"),
                type(error).__name__,
                error,
            )
            return answer(start_response, 500, "internal error")

    return application


def answer(start_response: StartResponse, status: int, text: str) -> list[bytes]:
    """A plain-text answer."""
    body = f"{text}\n".encode()
    start_response(
        _REASONS.get(status, f"{status} Error"),
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def read_body(environ: dict[str, Any], max_body: int) -> bytes:
    """The request's body, at most `max_body` bytes, or Refused (413, or 400 if cut short)."""
    stream = environ.get("wsgi.input")
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.strip():
        try:
            length = int(declared)
        except ValueError:
            raise Refused(400, "Content-Length is not a number") from None
        if length < 0:
            raise Refused(400, "Content-Length is negative")
        if length > max_body:
            raise Refused(413, f"body of {length} bytes is over the {max_body}-byte limit")
        body = _read(stream, length)
        if len(body) < length:
            raise Refused(400, "body shorter than its Content-Length")
        return body
    body = _read(stream, max_body + 1)  # chunked, or no length: read only past the limit
    if len(body) > max_body:
        raise Refused(413, f"body over the {max_body}-byte limit")
    return body


def _read(stream: Any, limit: int) -> bytes:
    if stream is None or limit <= 0:
        return b""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = stream.read(min(left, 64 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def check_slack_body(environ: dict[str, Any], body: bytes) -> None:
    """Refuse (400) what Bolt could not parse; a well-formed request passes unchanged."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    if timestamp is not None and not timestamp.strip().isdigit():
        raise Refused(400, "X-Slack-Request-Timestamp is not a number")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if not text:
        return  # Bolt answers an empty body (401 unsigned, else nothing to do)
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type == "application/json" or text.lstrip().startswith("{"):
        _check_payload(_json_object(text, "body"))
        return
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        _check_payload(_json_object(form["payload"][0], "payload"))


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is not a JSON object")
    return value


def _check_payload(payload: dict[str, Any]) -> None:
    kind = payload.get("type")
    if "type" in payload and not isinstance(kind, str):
        raise Refused(400, "payload type is not a string")
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict):
            raise Refused(400, f"{kind} without a view")
        if kind == "view_submission" and not isinstance(view.get("state"), dict):
            raise Refused(400, "view_submission without view.state")
    for key in ("user", "team", "channel", "container", "event"):
        if key in payload and payload[key] is not None and not isinstance(payload[key], dict):
            raise Refused(400, f"payload {key} is not an object")
    if "actions" in payload and not isinstance(payload["actions"], list):
        raise Refused(400, "payload actions is not a list")
