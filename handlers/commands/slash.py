"""The shape every parsed slash command takes, written once.

Parse what was typed (and check the role) inside the ack: a mistake is answered there and
nothing is done; Help is acked at once; a form is opened right there (a trigger lasts 3 s);
anything else is carried out in the command's transaction and its reply becomes the ack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from handlers.commands.parsing import Help, OpenForm
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import checked, help_reply

Usage = str | Callable[[], str]


def slash_command(
    ctx: HandlerContext,
    ack: Ack,
    command: Payload,
    context: BoltContext,
    *,
    parse: Callable[[], Any],
    usage: Usage,
    carry_out: Callable[[Any, Reply], None],
    what: Callable[[Any], str],
    open_form: Callable[[], object] | None = None,
) -> None:
    """Answer one slash command: `parse()` gives the request, `carry_out(request, reply)` does
    it, `what(request)` names it in the logs; `open_form()` when the request is OpenForm."""
    request = checked(ack, parse)
    if request is None:
        return
    if isinstance(request, Help):
        ack(**help_reply(usage if isinstance(usage, str) else usage()))
        return
    if isinstance(request, OpenForm) and open_form is not None:
        ack()
        open_form()
        return
    ctx.command(ack, command, context, what(request), lambda reply: carry_out(request, reply))


def kind_named(command_name: str) -> Callable[[Any], str]:
    """`what` for a command whose requests are told apart in the logs: `/ooo Until`."""
    return lambda request: f"{command_name} {type(request).__name__}"


def named(command_name: str) -> Callable[[Any], str]:
    """`what` for a command logged by its name alone."""
    return lambda _request: command_name
