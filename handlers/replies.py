"""Ephemeral replies, and the guard that turns failures into something the user can act on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.roles import Refusal
from handlers.blocks.common import section
from handlers.commands.parsing import ParseError
from handlers.text import esc

log = logging.getLogger(__name__)

Reply = Callable[..., Any]


class UserError(Exception):
    """Something the user can put right: said to them, with the right form."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


def error_blocks(message: str, usage: str | None) -> dict[str, Any]:
    """An ephemeral error: what was wrong, then the right form."""
    text = f":warning: {message}"
    if usage:
        text += f"\n{esc(usage)}"
    return {"text": text, "blocks": [section(text)], "response_type": "ephemeral"}


def help_reply(usage: str) -> dict[str, Any]:
    """A command's help: its forms, which contain `<placeholders>` that must be escaped."""
    return ephemeral(esc(usage))


def ephemeral(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ephemeral reply."""
    return {"text": text, "blocks": blocks or [section(text)], "response_type": "ephemeral"}


@contextmanager
def guarded(reply: Reply, what: str) -> Iterator[None]:
    """Run a handler body; turn refusals and user errors into replies, and log the rest."""
    try:
        yield
    except Refusal as refusal:
        reply(**ephemeral(f":no_entry: {refusal}"))
    except (UserError, ParseError) as error:
        reply(**error_blocks(error.message, error.usage))
    except Exception:
        # Starts with a letter so the log masking never mistakes it for a phone number.
        reference = f"E{uuid.uuid4().hex[:7]}"
        log.exception("%s failed (ref %s)", what, reference)
        reply(
            **ephemeral(
                f":warning: Sorry, something went wrong (ref `{reference}`). Please check before "
                "trying again; your admin can look the ref up in the logs."
            )
        )


def tell_submitter(client: WebClient, channel: str, user_id: str, reply: dict[str, Any]) -> None:
    """Answer someone who submitted a modal: ephemeral where they were, else by DM."""
    reply.pop("response_type", None)
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, **reply)
            return
    except SlackApiError as error:
        log.info("ephemeral reply failed (%s); sending a DM instead", error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, **reply)


def to_clicker(body: dict[str, Any], respond: Reply | None, client: WebClient) -> Reply:
    """Answer whoever pressed a button, alone: beside the message it was on, or by DM when it
    was on the Home tab (a view has no response_url to answer through)."""
    if respond is not None and body.get("response_url"):
        return lambda **reply: respond(replace_original=False, **reply)
    user_id = body["user"]["id"]
    return lambda **reply: tell_submitter(client, "", user_id, dict(reply))


def in_message(body: dict[str, Any]) -> bool:
    """Whether a button was pressed in a message (which may be rewritten), not in a view."""
    return bool(body.get("response_url")) and body.get("container", {}).get("type") != "view"
