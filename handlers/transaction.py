"""Acknowledged means saved: each Slack request's work commits in one transaction before its ack.

A listener parses, then hands its work to one of the shapes below (through `HandlerContext`).
The work runs inside `storage.db.request_session`, so every `session_scope` it opens joins one
transaction, together with the request's id (storage.request_log: a retry or a replay is done
once) and the outbox and task rows for everything to do after the ack. Then:

- just before COMMIT the deadline is checked: arrival + BUDGET_S on the context's monotonic
  timer. Past it, the work is rolled back and no ack is sent, so Slack tells the user it failed
  and a retry does not duplicate; on PostgreSQL lock and statement timeouts are set from the
  budget left, so a blocked statement cannot outlast it;
- the reply rides in the ack where it is a reply to the user: a command's ephemeral text, a
  form's `response_action`. A button's ack carries nothing, so its answer is an outbox row to
  its `response_url` (a DM when it was pressed on the Home tab), written before the commit;
- errors a user can put right (a refusal, a bad value, an unknown person) roll the work back
  and are answered like a reply; anything else is logged with a reference and answered too.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.domain.clock import RequestClock
from handlers.blocks.common import plain
from handlers.replies import FormError, button_reply_rows, failure_reply, to_clicker, user_reply
from storage import request_log
from storage.db import limit_waits, request_session, session_scope

if TYPE_CHECKING:
    from handlers.context import HandlerContext, Work

log = logging.getLogger(__name__)

BUDGET_S = 2.5  # Slack waits 3 s for an ack; what is left covers the way back
# The Bolt context keys the arrival middleware (bot.runtime.app.stamp_arrival) sets: the monotonic
# instant, for the deadline, and the clock's instant, the request's now.
ARRIVED = "frontdesk_arrived"
ARRIVED_AT = "frontdesk_arrived_at"
late_acks = 0  # commits whose ack left after Slack's 3 s: the one case DESIGN allows


class DeadlinePassed(Exception):
    """The request's budget ran out before COMMIT: roll back and send no ack."""


@dataclass
class Outcome:
    replies: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None  # what to tell the user when the work was rolled back
    block: str | None = None  # a form's field the error is about
    again: bool = False  # the request was handled before: its work is not done twice


def arrival(ctx: HandlerContext, context: Any) -> tuple[float, datetime | None]:
    """When the request arrived (the middleware's stamps): on the context's monotonic timer,
    and by the clock (None when unstamped: now)."""
    stamped = context.get(ARRIVED) if context is not None else None
    at = context.get(ARRIVED_AT) if context is not None else None
    return (float(stamped) if stamped is not None else ctx.monotonic()), at


def request_id(kind: str, body: dict[str, Any]) -> str | None:
    """The id a request is handled once by: its trigger_id (event_id for events)."""
    key = body.get("event_id") if kind == "event" else body.get("trigger_id")
    return f"{kind}:{key}" if key else None


def carry_out(
    ctx: HandlerContext,
    *,
    rid: str | None,
    arrived: float,
    what: str,
    work: Work,
    keep: Any = None,
    budget: float | None = BUDGET_S,
    instant: datetime | None = None,
) -> Outcome | None:
    """Run `work` in the request's transaction and commit; None when the deadline passed
    (`budget` None: no deadline, for events, which Bolt acks before the listener runs)."""

    def past_budget() -> bool:
        return budget is not None and ctx.monotonic() - arrived > budget

    replies: list[dict[str, Any]] = []

    def reply(**message: Any) -> None:
        replies.append(message)

    clock = ctx.clock if isinstance(ctx.clock, RequestClock) else None
    arrived_at = clock.arrived(instant) if clock else nullcontext()
    try:
        with arrived_at, request_session(ctx.engine) as session:
            left = None if budget is None else arrived + budget - ctx.monotonic()
            if rid is not None:  # with the timeouts set to the budget left, in one round trip
                request_log.claim(session, rid, now=ctx.clock.now(), wait_limit_s=left)
            elif left is not None:
                limit_waits(session, left)
            work(reply)
            if keep is not None:
                keep(session, replies)
            if rid is not None:
                request_log.keep_reply(session, rid, replies[0] if replies else None)
            if past_budget():
                raise DeadlinePassed
            session.commit()
    except request_log.AlreadyHandled as done:
        log.info("%s: request %s was handled before; not again", what, rid)
        return Outcome(replies=[done.reply] if done.reply else [], again=True)
    except DeadlinePassed:
        log.warning(
            "%s: past the %.1f s budget before COMMIT; rolled back, not acked", what, BUDGET_S
        )
        return None
    except Exception as error:
        answer = user_reply(error)
        if answer is not None:
            block = error.block if isinstance(error, FormError) else None
            return Outcome(error=answer, block=block)
        if past_budget():  # e.g. a lock or statement timeout
            log.exception("%s: failed past its budget; rolled back, not acked", what)
            return None
        return Outcome(error=failure_reply(what, then="Nothing was saved; please try again."))
    return Outcome(replies=replies)


def _acked(ctx: HandlerContext, arrived: float, what: str) -> None:
    """After the ack: count an ack that left late, and wake delivery."""
    global late_acks
    if ctx.monotonic() - arrived > 3.0:
        late_acks += 1
        log.warning("%s: committed but acked after 3 s (%d so far)", what, late_acks)
    ctx.deliver()


def command(
    ctx: HandlerContext, ack: Any, body: dict[str, Any], context: Any, what: str, work: Work
) -> None:
    arrived, instant = arrival(ctx, context)
    outcome = carry_out(
        ctx, rid=request_id("command", body), arrived=arrived, what=what, work=work, instant=instant
    )
    if outcome is None:
        return
    answer = outcome.error or (outcome.replies[0] if outcome.replies else None)
    if answer is None:
        ack()
    else:
        ack(**answer)
    _acked(ctx, arrived, what)


def button(
    ctx: HandlerContext,
    ack: Any,
    body: dict[str, Any],
    context: Any,
    what: str,
    work: Work,
    *,
    private: bool = False,
) -> None:
    arrived, instant = arrival(ctx, context)
    rid = request_id("action", body)
    now = ctx.clock.now()

    def keep(session: Session, replies: list[dict[str, Any]]) -> None:
        if not private:
            button_reply_rows(session, body, replies, key=rid or uuid.uuid4().hex, now=now)

    outcome = carry_out(
        ctx, rid=rid, arrived=arrived, what=what, work=work, keep=keep, instant=instant
    )
    if outcome is None:
        return
    if private:
        ack()
        for message in [outcome.error] if outcome.error else outcome.replies:
            _answer_now(ctx, body, context, message)
        return
    if outcome.error is not None:  # the work was rolled back; its answer is written alone
        with session_scope(ctx.engine) as session:
            key = f"{rid or uuid.uuid4().hex}:error"
            button_reply_rows(session, body, [outcome.error], key=key, now=now)
    ack()
    _acked(ctx, arrived, what)


def _answer_now(ctx: HandlerContext, body: dict[str, Any], context: Any, message: Any) -> None:
    """A private answer, straight to the clicker (nothing stored; logged if Slack refuses)."""
    try:
        respond = context.get("respond") if context is not None else None
        to_clicker(body, respond, ctx.directory.client)(**message)
    except Exception:
        log.exception("could not answer a button press")


def form(
    ctx: HandlerContext,
    ack: Any,
    body: dict[str, Any],
    context: Any,
    what: str,
    work: Work,
    *,
    error_block: str | None,
) -> None:
    arrived, instant = arrival(ctx, context)
    outcome = carry_out(
        ctx, rid=request_id("view", body), arrived=arrived, what=what, work=work, instant=instant
    )
    if outcome is None:
        return
    block = outcome.block or error_block
    if outcome.error is not None and block is not None:
        ack(response_action="errors", errors={block: _plain_text(outcome.error)[:150]})
    else:
        answer = outcome.error or (outcome.replies[0] if outcome.replies else None)
        if answer is None:
            ack()
        else:
            ack(response_action="update", view=answer_view(body, answer))
    _acked(ctx, arrived, what)


def event(ctx: HandlerContext, body: dict[str, Any], what: str, work: Any) -> None:
    outcome = carry_out(
        ctx,
        rid=request_id("event", body),
        arrived=ctx.monotonic(),
        what=what,
        work=lambda _reply: work(),
        budget=None,  # Bolt acks an event itself, before its listener runs
    )
    if outcome is not None and outcome.error is not None:
        log.warning("%s: %s", what, outcome.error.get("text"))
    ctx.deliver()


def answer_view(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The form, replaced by what the submitter is told (`response_action: update`)."""
    title = ((body.get("view") or {}).get("title") or {}).get("text") or "Done"
    blocks = answer.get("blocks") or [
        {"type": "section", "text": {"type": "mrkdwn", "text": answer.get("text", "")}}
    ]
    return {"type": "modal", "title": plain(title[:24]), "close": plain("Close"), "blocks": blocks}


def _plain_text(message: dict[str, Any]) -> str:
    return str(message.get("text", "")).replace(":warning: ", "").split("\n")[0]
