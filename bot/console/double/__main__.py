"""`python -m bot.console.double`: the Slack double on its own, for trying `frontdesk serve`.

It serves the Web API (with the console's demo people and channels) and Socket Mode, prints the
settings to give `frontdesk serve`, and sends the slash commands typed at its prompt as Reception
(`/visitor arrived Jane Doe for @alice`): over Socket Mode to a connected `frontdesk serve`, or,
with `--send-to URL`, signed, to an HTTP front's /slack/events. It prints each reply and each
message the bot posts. Needs the `websockets` package (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from bot.console import demo
from bot.console.double.requests import SignedRequest, SlackRequests
from bot.console.double.server import SlackDouble
from bot.console.double.socket_mode import APP_TOKEN

HANDLES = {user.handle: user.id for user in demo.DEMO_USERS}
SENDER = "U0RECEPTION"


def main(argv: list[str] | None = None) -> int:
    """Run the double until Ctrl-C or end of input."""
    parser = argparse.ArgumentParser(prog="python -m bot.console.double", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="Web API port (default: any free)")
    parser.add_argument("--send-to", metavar="URL", help="an HTTP front's /slack/events URL")
    parser.add_argument(
        "--signing-secret", default=demo.SIGNING_SECRET, help="what the HTTP front is given"
    )
    args = parser.parse_args(argv)
    try:
        import websockets  # noqa: F401
    except ImportError:
        _say("the Slack double's Socket Mode needs websockets: pip install -e '.[test]'")
        return 2
    double = SlackDouble(bot_token=demo.BOT_TOKEN)
    for user in demo.DEMO_USERS:
        double.add_user(user.id, user.handle, real_name=user.real_name, tz=user.tz)
    double.add_channel(*demo.DESK_CHANNEL)
    double.add_channel(*demo.WEST_DESK_CHANNEL)
    double.add_channel(*demo.MANAGERS_CHANNEL)
    double._port = args.port  # start() listens there; 0: any free port
    double.start()
    socket = double.enable_socket_mode(APP_TOKEN)
    _say(_banner(double, socket.url, args.signing_secret))
    requests = SlackRequests(double, args.signing_secret)
    seen = 0
    try:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            if not text.startswith("/"):
                _say("type a slash command, e.g. /visitor arrived Jane Doe for @alice")
                continue
            command, _, rest = text.partition(" ")
            request = requests.command(command, _mentions(rest), user_id=SENDER)
            if args.send_to:
                _say(_post(args.send_to, request))
            else:
                _say(_over_socket_mode(double, request))
            time.sleep(1.0)  # what the worker posts just after
            seen = _print_posts(double, seen)
    except KeyboardInterrupt:
        pass
    finally:
        socket.stop()
        double.stop()
    return 0


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _banner(double: SlackDouble, socket_url: str, secret: str) -> str:
    return f"""Slack double running (Ctrl-C stops it)
  Web API:      {double.base_url}
  Socket Mode:  {socket_url}  (handed out by apps.connections.open)

In another terminal, with FRONTDESK_CONFIG=frontdesk.example.toml (its channels are the
double's) and a DATABASE_URL:
  export SLACK_API_URL={double.base_url}
  export SLACK_BOT_TOKEN={double.bot_token}
  export SLACK_APP_TOKEN={APP_TOKEN}
  frontdesk serve                                   # Socket Mode
or, for HTTP:  SLACK_SIGNING_SECRET={secret} frontdesk serve --http --port 3000
  (and start this with --send-to http://127.0.0.1:3000/slack/events)

Then type commands here as Reception, e.g.  /visitor arrived Jane Doe for @alice"""


def _mentions(text: str) -> str:
    """`@alice` as Slack sends a mention of a known person: `<@U0ALICE|alice>`."""

    def mention(found: re.Match[str]) -> str:
        user_id = HANDLES.get(found.group(1))
        return f"<@{user_id}|{found.group(1)}>" if user_id else found.group(0)

    return re.sub(r"(?<![<\w])@(\w+)", mention, text)


def _over_socket_mode(double: SlackDouble, request: SignedRequest) -> str:
    socket = double.socket_mode
    assert socket is not None
    try:
        envelope = socket.send_request(request)
        ack = socket.wait_for_ack(envelope, timeout=3)
    except AssertionError as error:
        return f"(no answer: {str(error).splitlines()[0][:200]})"
    return _reply_text(ack.payload or {})


def _post(url: str, request: SignedRequest) -> str:
    headers = {k: v if isinstance(v, str) else v[0] for k, v in request.headers.items()}
    sent = urllib.request.Request(url, data=request.body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(sent, timeout=5) as answer:
            body = answer.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return f"({error.code}: {error.read().decode(errors='replace').strip()})"
    except OSError as error:
        return f"(cannot reach {url}: {error})"
    try:
        return _reply_text(json.loads(body))
    except ValueError:
        return body or "(acked)"


def _reply_text(payload: dict[str, Any]) -> str:
    return str(payload.get("text") or payload.get("response_action") or "(acked)")


def _print_posts(double: SlackDouble, seen: int) -> int:
    posts = double.calls_to("chat.postMessage")
    for call in posts[seen:]:
        channel = str(call.args.get("channel"))
        where = double.channel_name(channel) or double.user_for_dm(channel) or channel
        text = str(call.args.get("text") or "").splitlines()[0:1]
        _say(f"  [bot → {where}] {text[0] if text else ''}")
    return len(posts)


if __name__ == "__main__":
    sys.exit(main())
