"""One shape for every button that acts on one thing by its id (an item, a visit, a call…).

A button's value is the id; the press runs in the button's transaction (`ctx.button`), the
service's "not found" and "already done" become an answer the clicker can read, and what the
button's `answer(press)` returns is the reply (nothing when the message or Home tab says it).
A feature writes the answer and declares the listener in one line:

    take_it = item_button("item take", _take)   # wired in handlers/registry.py
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.domain.roles import Roles
from bot.domain.services import messages
from bot.domain.services.item_actions import AlreadyYours
from bot.domain.services.windows import RepeatedAttempt, WindowClosed
from handlers.blocks.common import outcome_words
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import UserError, guarded, to_clicker
from storage.db import session_scope

# An error the service raises → what the clicker is told (the change is rolled back).
Refusals = Mapping[type[Exception], Callable[[Exception], str]]


@dataclass(frozen=True)
class Press:
    """One press of a button on a thing: who pressed, which thing, and where."""

    ctx: HandlerContext
    session: Session
    user_id: str
    thing_id: int
    action_id: str
    body: dict[str, Any]
    now: datetime

    @property
    def roles(self) -> Roles:
        return self.ctx.roles

    @property
    def tz(self) -> ZoneInfo:
        """The presser's zone, for the times in the answer."""
        return self.ctx.directory.zone_of(self.user_id, self.ctx.site_tz)


# What the press answers: `reply(**message)`'s message, or None to say nothing.
Answer = Callable[[Press], dict[str, Any] | None]


def _item_refusal(error: Exception) -> str:
    if isinstance(error, messages.ItemNotFound):
        return f"Sorry: {error}."
    if isinstance(error, WindowClosed):
        return f"Nothing to do: it is already {outcome_words(error.outcome)}."
    if isinstance(error, RepeatedAttempt):
        return (
            f":telephone_receiver: Already noted: no answer, attempt {error.attempts}. "
            "A try more than five minutes later counts as another."
        )
    return str(error)


# An item's window (a message, an arrival, an enquiry's stage): the refusals of item_actions.
ITEM_REFUSALS: Refusals = {
    messages.ItemNotFound: _item_refusal,
    WindowClosed: _item_refusal,
    AlreadyYours: _item_refusal,
    RepeatedAttempt: _item_refusal,
}


@contextmanager
def refusing(refusals: Refusals) -> Iterator[None]:
    """Turn the service's refusals into a `UserError` the clicker reads."""
    try:
        yield
    except tuple(refusals) as error:
        say = next(say for kind, say in refusals.items() if isinstance(error, kind))
        raise UserError(say(error)) from None


def item_errors() -> Any:
    """Turn "no such item" and "already done" into something the clicker can read."""
    return refusing(ITEM_REFUSALS)


@dataclass(frozen=True)
class ItemButton:
    """How a button on a thing answers: `what` names it in the logs; `bad_value` is the answer
    when the value is not an id (else it is an unexpected failure); `desk_only` the refusal for
    anyone but reception and managers; `private`: the answer is read out, never stored."""

    what: str
    answer: Answer
    refusals: Refusals = field(default_factory=lambda: ITEM_REFUSALS)
    bad_value: str | None = None
    desk_only: str | None = None
    private: bool = False


def press(
    ctx: HandlerContext,
    ack: Ack,
    body: Payload,
    action: Payload,
    context: BoltContext,
    button: ItemButton,
) -> None:
    """Run the button's answer for the thing whose id is its value, in the button's transaction."""

    def work(reply: Any) -> None:
        user_id = str(body["user"]["id"])
        if button.desk_only is not None and not ctx.roles.is_desk(user_id):
            raise UserError(button.desk_only)
        try:
            thing_id = int(action["value"])
        except (KeyError, ValueError):
            if button.bad_value is None:
                raise
            raise UserError(button.bad_value) from None
        with refusing(button.refusals), session_scope(ctx.engine) as session:
            said = button.answer(
                Press(
                    ctx=ctx,
                    session=session,
                    user_id=user_id,
                    thing_id=thing_id,
                    action_id=str(action["action_id"]),
                    body=body,
                    now=ctx.clock.now(),
                )
            )
        if said is not None:
            reply(**said)

    ctx.button(ack, body, context, button.what, work, private=button.private)


# A button's listener, as registry.bind and Bolt call it (and a test may).
ButtonListener = Callable[[HandlerContext, Ack, Payload, Payload, BoltContext], None]


class How(TypedDict, total=False):
    """ItemButton's settings but `what` and `answer`."""

    refusals: Refusals
    bad_value: str | None
    desk_only: str | None
    private: bool


def item_button(what: str, answer: Answer, **how: Unpack[How]) -> ButtonListener:
    """The listener of a button on a thing by its id (`how`: ItemButton's other fields)."""
    button = ItemButton(what, answer, **how)

    def listener(
        ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, context: BoltContext
    ) -> None:
        press(ctx, ack, body, action, context, button)

    listener.__name__ = answer.__name__.lstrip("_")
    listener.__doc__ = answer.__doc__
    return listener


# A button that answers after its ack (it opens a form, or reads something out to the clicker).
OpensListener = Callable[[HandlerContext, Ack, Payload, Payload, Respond, WebClient], None]
# The form to open, from the button pressed and who pressed it.
FormFor = Callable[[HandlerContext, Payload, Payload, str], Payload]
# What to read out to the clicker: `reply(**message)`'s message.
ReadOut = Callable[[HandlerContext, Payload, str], Payload]


# What an after-ack button does: (ctx, body, action, who pressed, tell them, client).
AfterAck = Callable[[HandlerContext, Payload, Payload, str, Reply, WebClient], None]


def _after_ack(named: Callable[..., object], what: str | None, run: AfterAck) -> OpensListener:
    """A listener that acks at once, then runs; a refusal or failure is told to the clicker
    (`what` names it in the logs; the action id when None)."""

    def listener(
        ctx: HandlerContext,
        ack: Ack,
        body: Payload,
        action: Payload,
        respond: Respond,
        client: WebClient,
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        tell = to_clicker(body, respond, client)
        with guarded(tell, what or action["action_id"]):
            run(ctx, body, action, user_id, tell, client)

    listener.__name__ = named.__name__.lstrip("_")
    listener.__doc__ = named.__doc__
    return listener


def form_button(form_for: FormFor) -> OpensListener:
    """The listener of a button that opens a form at once (a trigger lasts 3 s)."""

    def run(
        ctx: HandlerContext,
        body: Payload,
        action: Payload,
        user_id: str,
        _: Reply,
        client: WebClient,
    ) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=form_for(ctx, body, action, user_id))

    return _after_ack(form_for, None, run)


def read_out_button(what: str, read_out: ReadOut) -> OpensListener:
    """The listener of a button that reads something out to the clicker only (History): nothing
    is stored."""

    def run(
        ctx: HandlerContext, _: Payload, action: Payload, user_id: str, tell: Reply, __: WebClient
    ) -> None:
        tell(**read_out(ctx, action, user_id))

    return _after_ack(read_out, what, run)
