"""Ephemeral replies, and the guard that turns failures into something the user can act on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.domain.notices import ListenerReply, enqueue_notice
from bot.domain.roles import Refusal
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


class FormError(UserError):
    """A form's error, shown beside the field (`block`) it is about."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block = block


@contextmanager
def form_errors(block: str, *kinds: type[Exception]) -> Iterator[None]:
    """A refusal, or an error of one of `kinds`, in a form's work: shown beside `block`."""
    caught: tuple[type[Exception], ...] = (Refusal, *kinds)
    try:
        yield
    except caught as error:
        raise FormError(block, str(error)) from None


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


T = TypeVar("T")


def user_reply(error: BaseException) -> dict[str, Any] | None:
    """The answer to something the user can put right (a refusal, a bad value), or None."""
    if isinstance(error, Refusal):
        return ephemeral(f":no_entry: {error}")
    if isinstance(error, UserError | ParseError):
        return error_blocks(error.message, error.usage)
    return None


def failure_reply(what: str, *, then: str) -> dict[str, Any]:
    """Log the error being handled with a reference, and the answer that quotes it."""
    # Starts with a letter so the log masking never mistakes it for a phone number.
    reference = f"E{uuid.uuid4().hex[:7]}"
    log.exception("%s failed (ref %s)", what, reference)
    return ephemeral(
        f":warning: Sorry, something went wrong (ref `{reference}`). {then} "
        "Your admin can look the ref up in the logs."
    )


def checked(ack: Reply, check: Callable[[], T]) -> T | None:
    """Parse and check a request before its work: None once a refusal or an error in what was
    typed has been answered in the ack (nothing done), else what `check` returned."""
    try:
        return check()
    except (Refusal, UserError, ParseError) as error:
        ack(**(user_reply(error) or {}))
    return None


@contextmanager
def guarded(reply: Reply, what: str) -> Iterator[None]:
    """Run a handler body; turn refusals and user errors into replies, and log the rest."""
    try:
        yield
    except Exception as error:
        reply(
            **(user_reply(error) or failure_reply(what, then="Please check before trying again;"))
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


REPLY_TEMPLATE = "reply"


def stored_reply(params: dict[str, Any], _tz: Any) -> tuple[str, list[dict[str, Any]]]:
    """The outbox builder of a reply written by a listener: its text and blocks as they were."""
    text = str(params.get("text", ""))
    return text, list(params.get("blocks") or [section(text)])


def button_reply_rows(
    session: Session,
    body: dict[str, Any],
    replies: list[dict[str, Any]],
    *,
    key: str,
    now: datetime,
) -> None:
    """A button's answers as outbox rows, in the button's transaction: through its
    `response_url` when it was pressed in a message (a `chat.update` or a DM once that has
    expired: bot.runtime.outbox_extras), by DM when it was on the Home tab."""
    user_id = str(body["user"]["id"])
    container = body.get("container") or {}
    for n, reply in enumerate(replies):
        notice = ListenerReply(
            text=str(reply.get("text", "")),
            blocks=tuple(reply.get("blocks") or [section(str(reply.get("text", "")))]),
        )
        if in_message(body):
            notice = replace(
                notice,
                response_url=body["response_url"],
                replace_original=bool(reply.get("replace_original", False)),
                channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
                message_ts=container.get("message_ts"),
            )
        enqueue_notice(session, notice, key=f"reply:{key}:{n}", target=user_id, now=now)


def ephemeral_row(
    session: Session, *, key: str, channel: str, user_id: str, reply: dict[str, Any], now: datetime
) -> None:
    """An ephemeral message to `user_id` in `channel`, as an outbox row (a DM if it cannot be)."""
    notice = ListenerReply(
        text=str(reply.get("text", "")),
        blocks=tuple(reply.get("blocks") or [section(str(reply.get("text", "")))]),
        ephemeral_user=user_id,
    )
    enqueue_notice(session, notice, key=key, target=channel, now=now)
