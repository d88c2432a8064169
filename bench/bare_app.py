"""The durable bare Bolt app the ack figures are compared with: a listener that commits one row,
then acks — the least an app can do and still keep "acknowledged means saved".

It runs on the same server stack as `frontdesk serve --http`: gunicorn with `gthread` web
processes (bot.runtime.http_server.FrontDeskServer, so the same worker class, keep-alive and timeouts),
the same number of processes and threads, Bolt's WSGI adapter with the signature check, Bolt's
listener pool of the same size (bot.runtime.serve.LISTENER_WORKERS), and the same engine settings
(storage.db.make_engine: WAL and synchronous=NORMAL on SQLite; psycopg on PostgreSQL). It has
no worker process: nothing happens after its ack.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… DATABASE_URL=… [SLACK_API_URL=…] \\
        python -m bench.bare_app --port 3001 [--workers 1] [--threads 8]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, insert

from bot.runtime.http_server import FrontDeskServer
from bot.runtime.serve import LISTENER_WORKERS, HttpOptions
from storage.db import make_engine

METADATA = MetaData()
ACKED = Table(
    "bare_acked",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("trigger_id", String(120), unique=True, nullable=False),
    Column("command", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def build(engine: Engine) -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"])
    if os.environ.get("SLACK_API_URL"):
        client.base_url = os.environ["SLACK_API_URL"]
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_WORKERS),
    )

    for command in ("/visitor", "/message", "/ooo", "/desk", "/enquiry"):

        @app.command(command)
        def commit_then_ack(ack: Ack, body: dict[str, Any]) -> None:
            with engine.begin() as connection:  # one row, committed before the ack
                connection.execute(
                    insert(ACKED).values(
                        trigger_id=body["trigger_id"],
                        command=body["command"],
                        at=datetime.now(UTC),
                    )
                )
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
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    setup = make_engine(url)
    METADATA.create_all(setup)  # here, before the fork: the web processes only insert
    setup.dispose()

    def load() -> Any:  # in each web process, after the fork
        return wsgi(build(make_engine(url)))

    options = HttpOptions(host="127.0.0.1", port=args.port, threads=args.threads)
    FrontDeskServer(load, options, workers=args.workers, worker_command=None).run()


if __name__ == "__main__":
    main()
