"""Slack Web API and `response_url` calls over kept-alive connections.

slack-sdk's sync clients open a new connection (a new TLS handshake, against Slack) for every
call. These subclasses send through one urllib3 pool instead, and keep slack-sdk's contract:
an HTTP error status raises `urllib.error.HTTPError` (so its retry handlers and error
responses work as before), and a connection that fails raises an `OSError`.
"""

from __future__ import annotations

import http.client
import io
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

# A few connections per host: the outbox sender, Home refreshes and the after-ack work.
POOL = urllib3.PoolManager(num_pools=4, maxsize=4, block=False, retries=False)


class Reply:
    """What came back: status, headers as `http.client.HTTPMessage`, body as text."""

    def __init__(self, status: int, headers: http.client.HTTPMessage, body: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def send(request: Request, timeout: float) -> Reply:
    """Send a urllib `Request` on a pooled connection; raise as `urlopen` would."""
    url = request.full_url
    if not url.lower().startswith(("http://", "https://")):
        raise URLError(f"not an HTTP URL: {url}")
    try:
        answer = POOL.request(
            request.get_method(),
            url,
            body=request.data,  # type: ignore[arg-type]
            headers=dict(request.header_items()),
            timeout=timeout,
        )
    except urllib3.exceptions.HTTPError as error:  # refused, reset, timed out, closed mid-answer
        raise _as_os_error(error) from error
    headers = http.client.HTTPMessage()
    for name, value in answer.headers.items():
        headers[name] = value
    data: bytes = answer.data
    if answer.status >= 400:
        raise HTTPError(url, answer.status, answer.reason or "", headers, io.BytesIO(data))
    charset = headers.get_content_charset() or "utf-8"
    return Reply(answer.status, headers, data.decode(charset))


def _as_os_error(error: urllib3.exceptions.HTTPError) -> OSError:
    """What `urlopen` raises for the same failure: a `URLError` around the socket's error."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, OSError):  # refused, reset: urllib3 wraps the socket's own error
        return URLError(cause)
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return TimeoutError(str(error))
    return URLError(error)


class PooledWebClient(WebClient):
    """A `WebClient` whose calls share kept-alive connections."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or self.ssl is not None:  # set up by hand: as slack-sdk does
            return super()._perform_urllib_http_request_internal(url, req)
        reply = send(req, self.timeout)
        return {"status": reply.status, "headers": reply.headers, "body": reply.body}


class PooledWebhookClient(WebhookClient):
    """A `WebhookClient` (for `response_url`) whose posts share kept-alive connections."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None or self.ssl is not None:
            return super()._perform_http_request_internal(url, req)
        reply = send(req, self.timeout)
        return WebhookResponse(
            url=url,
            status_code=reply.status,
            body=reply.body,
            headers=reply.headers,  # type: ignore[arg-type]
        )


class PooledRespond(Respond):
    """Bolt's `respond()`, posting to the `response_url` through `PooledWebhookClient`."""

    def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = PooledWebhookClient(url=self.response_url, proxy=self.proxy, ssl=self.ssl)
        if isinstance(text, dict):
            return client.send_dict(_build_message(**text))
        return client.send_dict(_build_message(text=text, **fields))


def pooled_respond(context: Any, next: Any) -> None:  # noqa: A002 (Bolt's name)
    """Middleware: listeners' `respond` posts through the pool."""
    if context.response_url:
        context["respond"] = PooledRespond(response_url=context.response_url)
    next()
