"""Listeners are top-level functions: a test calls one with the context and a payload, as Bolt
would, and reads what the user would see (the registry binds the context; Bolt names the rest)."""

from __future__ import annotations

import inspect
from typing import Any

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from handlers.actions import item_buttons, message_buttons, visitor_buttons
from handlers.registry import COMMANDS, LISTENERS, bind
from storage.models import Item
from tests.helpers import block_text, buttons, dms_to

RECEPTION, ALICE = "U0RECEPTION", "U0ALICE"
ALICE_M = "<@U0ALICE|alice>"

# What Bolt injects by name (slack_bolt.kwargs_injection.args.Args); anything else is None.
BOLT_NAMES = {
    "ack",
    "action",
    "body",
    "client",
    "command",
    "context",
    "event",
    "logger",
    "message",
    "options",
    "payload",
    "respond",
    "say",
    "shortcut",
    "view",
}


class Acks:
    """A stand-in for Bolt's `ack`: remembers each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def from_home(user_id: str, trigger: str) -> dict[str, Any]:
    """A `block_actions` body as from the Home tab (no message: the answer is a DM)."""
    return {"type": "block_actions", "user": {"id": user_id}, "trigger_id": trigger}


def dm_texts(fd: Embedded, user_id: str) -> list[str]:
    return [block_text(call) for call in dms_to(fd, user_id)]


def test_every_listener_asks_bolt_only_for_what_it_injects(fd: Embedded) -> None:
    ctx = fd.runtime.ctx
    listeners = [*COMMANDS.values(), *(listener for _, _, listener in LISTENERS)]
    for listener in listeners:
        bound = bind(ctx, listener)
        # Bolt reads the names this way (slack_bolt.util.utils.get_arg_names_of_callable).
        names = inspect.getfullargspec(inspect.unwrap(bound)).args
        assert "ctx" not in names, listener.__name__
        assert names and set(names) <= BOLT_NAMES, (listener.__name__, names)


def test_take_it_called_directly_on_an_item_that_is_not_there_says_sorry(fd: Embedded) -> None:
    acks = Acks()
    action = {"action_id": "item_take_999", "value": "999"}

    item_buttons.take_it(fd.runtime.ctx, acks, from_home(ALICE, "t-take"), action, {})
    fd.settle()

    assert acks.calls == [{}]  # acked once the (rolled back) answer was stored
    assert any("Sorry:" in text for text in dm_texts(fd, ALICE))


def test_called_back_called_directly_closes_the_message(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: about the invoice")
    (dm,) = dms_to(fd, ALICE)
    (called,) = [b for b in buttons(dm) if b["text"]["text"] == "Called back"]
    acks = Acks()

    message_buttons.called_back(
        fd.runtime.ctx, acks, from_home(ALICE, "t-called"), dict(called), {}
    )
    fd.settle()

    assert acks.calls == [{}]
    assert any("called back" in text for text in dm_texts(fd, ALICE))
    with Session(fd.runtime.ctx.engine) as session:
        item = session.exec(select(Item).where(Item.id == int(called["value"]))).one()
    assert item.state == "done"


def test_a_pick_among_visitors_is_refused_to_staff(fd: Embedded) -> None:
    acks = Acks()
    action = {"action_id": "visitor_left_pick_1", "value": "1"}

    visitor_buttons.visitor_picked(fd.runtime.ctx, acks, from_home(ALICE, "t-pick"), action, {})
    fd.settle()

    assert acks.calls == [{}]
    refusal = "Only reception and managers may sign visitors out or cancel them."
    assert any(refusal in text for text in dm_texts(fd, ALICE))
