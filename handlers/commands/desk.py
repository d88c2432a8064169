"""`/desk …`: one command, many verbs; each verb lives in its own module.

A verb module exposes `USAGE` (its help lines) and `run(ctx, call)`; add it to VERBS.
`run` does its work in the command's transaction (handlers.transaction) and replies with
`call.respond`, which becomes the ack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from handlers.commands.parsing import clean, first_word
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import error_blocks, help_reply
from handlers.text import esc


@dataclass(frozen=True)
class DeskCall:
    """One `/desk` command, its verb taken off."""

    user_id: str
    verb: str
    rest: str
    command: dict[str, Any]
    respond: Reply
    client: WebClient


DeskVerb = Callable[[HandlerContext, DeskCall], None]


@dataclass(frozen=True)
class Verb:
    usage: str
    run: DeskVerb


VERBS: dict[str, Verb] = {}


def add_verb(names: tuple[str, ...], usage: str, run: DeskVerb) -> None:
    """Register a verb (and its aliases)."""
    for name in names:
        VERBS[name] = Verb(usage, run)


def desk_usage() -> str:
    """Every `/desk` form, one per line."""
    seen: list[str] = []
    for verb in VERBS.values():
        if verb.usage not in seen:
            seen.append(verb.usage)
    return "*The desk*\n" + "\n".join(seen)


def load_verbs() -> None:
    """Fill VERBS: importing the verb modules has each add itself with add_verb."""
    import handlers.commands.desk_verbs  # noqa: F401


def desk_command(
    ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext, client: WebClient
) -> None:
    """`/desk <verb> …`: hand the rest to the verb's module."""
    verb, rest = first_word(command.get("text", ""))
    if verb.endswith(":") and verb[:-1] in VERBS:  # "/desk assist: …"
        verb, rest = verb[:-1], ":" + rest
    if verb in ("", "help"):
        ack(**help_reply(desk_usage()))
        return
    if verb not in VERBS:
        ack(**error_blocks(f"I don't know `/desk {esc(clean(verb)[:40])}`.", desk_usage()))
        return

    def work(reply: Reply) -> None:
        VERBS[verb].run(ctx, DeskCall(command["user_id"], verb, rest, command, reply, client))

    ctx.command(ack, command, context, f"/desk {verb}", work)
