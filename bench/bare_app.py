"""The bare Bolt app the ack figures are compared with: the same production server (waitress),
the same WSGI adapter and signature check, and listeners that only ack.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… [SLACK_API_URL=…] python -m bench.bare_app --port 3001
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def build() -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"])
    if os.environ.get("SLACK_API_URL"):
        client.base_url = os.environ["SLACK_API_URL"]
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    for command in ("/visitor", "/message", "/ooo", "/desk", "/enquiry"):

        @app.command(command)
        def only_ack(ack: Ack) -> None:
            ack()

    return app


def wsgi(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/slack/events":
            result: Iterable[bytes] = slack(environ, start_response)
            return result
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    waitress.serve(wsgi(build()), host="127.0.0.1", port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
