"""The HTTP front's guard (bot.runtime.http_front): oversized and malformed requests get a status and one
log line, never a 500 or a traceback; well-formed ones reach Bolt unchanged."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.console.double import SlackDouble
from bot.runtime.http_front import ARRIVED_HEADER, MAX_BODY, guarded

SECRET = "front-test-secret"
FORM = "application/x-www-form-urlencoded"


class Reads(io.BytesIO):
    """A request stream that counts what was read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        part = super().read(size)
        self.taken += len(part)
        return part


def environ(
    body: bytes,
    *,
    content_type: str = FORM,
    headers: dict[str, str] | None = None,
    length: str | None = None,
    method: str = "POST",
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": Reads(body),
    }
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    text = body.decode(errors="replace")
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=text)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


class Call:
    status = ""
    headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        self.status, self.headers = status, headers


def call(app: Any, env: dict[str, Any]) -> tuple[int, str]:
    started = Call()
    body = b"".join(app(env, started))
    return int(started.status.split()[0]), body.decode()


def recording_app() -> tuple[Any, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.append({**env, "body": env["wsgi.input"].read(int(env["CONTENT_LENGTH"] or 0))})
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app, seen


def bolt_app(double: SlackDouble | None = None) -> Any:
    client = WebClient(token="xoxb-test")
    if double is not None:
        client = WebClient(token=double.bot_token, base_url=double.base_url)
    app = App(
        client=client,
        signing_secret=SECRET,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )
    app.command("/visitor")(lambda ack: ack("yes"))
    app.view("visitor_form")(lambda ack: ack())
    app.action("go")(lambda ack: ack())
    return guarded(SlackRequestHandler(app))


def test_a_body_over_1_mb_is_413_without_being_read() -> None:
    app, seen = recording_app()
    env = environ(b"x" * (MAX_BODY + 1))
    assert call(guarded(app), env)[0] == 413
    assert env["wsgi.input"].taken == 0
    assert seen == []


def test_a_declared_100_mb_body_is_413_from_its_header_alone() -> None:
    app, _ = recording_app()
    env = environ(b"x" * 10, length=str(100 * 1024 * 1024))
    assert call(guarded(app), env)[0] == 413
    assert env["wsgi.input"].taken == 0


def test_a_chunked_body_is_read_only_until_it_passes_the_limit() -> None:
    app, _ = recording_app()
    env = environ(b"x" * (3 * MAX_BODY), length="")
    assert call(guarded(app), env)[0] == 413
    assert env["wsgi.input"].taken == MAX_BODY + 1


def test_a_body_of_exactly_1_mb_passes_whole_and_is_stamped_with_its_arrival() -> None:
    app, seen = recording_app()
    body = urlencode({"text": "y" * (MAX_BODY - 10)}).encode()[:MAX_BODY]
    before = time.monotonic()
    assert call(guarded(app), environ(body, headers={"X-Frontdesk-Arrived": "1"}))[0] == 200
    (request,) = seen
    assert request["body"] == body
    assert before <= float(request[ARRIVED_HEADER]) <= time.monotonic()


def test_a_get_passes_through() -> None:
    app, seen = recording_app()
    env = environ(b"", method="GET")
    assert call(guarded(app), env)[0] == 200
    assert len(seen) == 1


MALFORMED = [
    pytest.param(
        {"X-Slack-Request-Timestamp": "soon"}, b"command=%2Fvisitor", FORM, id="timestamp"
    ),
    pytest.param({}, b"payload=%7Bnot+json", FORM, id="payload-not-json"),
    pytest.param({}, b"payload=%5B%5D", FORM, id="payload-a-list"),
    pytest.param({}, b"[]", "application/json", id="json-list-body"),
    pytest.param({}, b'"text"', "application/json", id="json-string-body"),
    pytest.param({}, b"command=\xff\xfe", FORM, id="invalid-utf8"),
    pytest.param(
        {},
        urlencode({"payload": json.dumps({"type": "view_submission"})}).encode(),
        FORM,
        id="view-submission-no-view",
    ),
    pytest.param(
        {},
        urlencode(
            {"payload": json.dumps({"type": "view_submission", "view": {"id": "V1"}})}
        ).encode(),
        FORM,
        id="view-submission-no-state",
    ),
    pytest.param({}, b"payload=%7B%22type%22%3A+5%7D", FORM, id="payload-type-not-text"),
]


@pytest.mark.parametrize(("headers", "body", "content_type"), MALFORMED)
def test_malformed_bodies_are_400_with_one_log_line(
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    body: bytes,
    content_type: str,
) -> None:
    app, seen = recording_app()
    with caplog.at_level(logging.INFO):
        status, _ = call(guarded(app), environ(body, content_type=content_type, headers=headers))
    assert status == 400
    assert seen == []
    assert len(caplog.records) == 1
    assert "refused" in caplog.text and "Traceback" not in caplog.text
    assert body.decode(errors="replace")[:20] not in caplog.text or not body


@pytest.mark.parametrize(("headers", "body", "content_type"), MALFORMED)
@pytest.mark.parametrize("sign", [False, True], ids=["unsigned", "signed"])
def test_bolt_behind_the_guard_never_answers_500(
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    body: bytes,
    content_type: str,
    sign: bool,
) -> None:
    all_headers = {**(signed(body) if sign else {}), **headers}
    with caplog.at_level(logging.DEBUG):
        status, _ = call(bolt_app(), environ(body, content_type=content_type, headers=all_headers))
    assert status in (400, 401)
    assert "Traceback" not in caplog.text


def test_a_signed_command_still_reaches_bolt_and_is_answered(double: SlackDouble) -> None:
    body = urlencode(
        {
            "command": "/visitor",
            "text": "list",
            "user_id": "U1",
            "team_id": "T1",
            "trigger_id": "1.2.3",
        }
    ).encode()
    status, text = call(bolt_app(double), environ(body, headers=signed(body)))
    assert (status, text) == (200, "yes")


def test_an_unsigned_command_is_401() -> None:
    body = b"command=%2Fvisitor&text=list"
    assert call(bolt_app(), environ(body))[0] == 401


def test_an_error_inside_the_app_is_one_line_and_a_500(caplog: pytest.LogCaptureFixture) -> None:
    def broken(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO):
        assert call(guarded(broken), environ(b"a=1"))[0] == 500
    assert len(caplog.records) == 1 and "boom" in caplog.text
    assert caplog.records[0].exc_info is None
