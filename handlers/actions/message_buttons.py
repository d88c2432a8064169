"""The buttons on a phone message: "Called back", "Tried — no answer", "Interim call back…"
(opens a form, handlers/views/message_interim.py), "Show number", "History".

All but "Show number" and "History" are on the owner's DM and, with the item's id after the
action id, on the Home tab.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.services import message_interim, messages
from bot.services.item_actions import AlreadyYours
from bot.services.windows import RepeatedAttempt, WindowClosed
from handlers.blocks import messages as blocks
from handlers.blocks.common import context as context_block
from handlers.blocks.common import outcome_words, section
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral, guarded, in_message, to_clicker
from handlers.text import date_token, esc, mention
from storage.db import session_scope


@contextmanager
def item_errors() -> Iterator[None]:
    """Turn "no such item" and "already done" into something the clicker can read."""
    try:
        yield
    except messages.ItemNotFound as error:
        raise UserError(f"Sorry: {error}.") from None
    except WindowClosed as error:
        raise UserError(f"Nothing to do: it is already {outcome_words(error.outcome)}.") from None
    except AlreadyYours as error:
        raise UserError(str(error)) from None
    except RepeatedAttempt as error:
        raise UserError(
            f":telephone_receiver: Already noted: no answer, attempt {error.attempts}. "
            "A try more than five minutes later counts as another."
        ) from None


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the message buttons."""

    @app.action(re.compile(r"^message_called_back(_\d+)?$"))
    def called_back(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(tell: Reply) -> None:
            user_id = body["user"]["id"]
            with item_errors():
                with session_scope(ctx.engine) as session:
                    _, message = messages.called_back(
                        session,
                        now=ctx.clock.now(),
                        item_id=int(action["value"]),
                        by=user_id,
                        roles=ctx.roles,
                    )
                    caller, organisation = message.caller, message.organisation
                text, _ = blocks.answered_dm(caller, organisation, "called_back")
                done = f":white_check_mark: {mention(user_id)} called back."
                if in_message(body):
                    tell(
                        replace_original=True,
                        text=text,
                        blocks=[section(text), context_block(done)],
                    )
                else:
                    tell(**ephemeral(f"{text}\n{done}"))

        ctx.button(ack, body, context, "message called back", work)

    @app.action(re.compile(r"^message_tried(_\d+)?$"))
    def tried(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        def work(tell: Reply) -> None:
            user_id = body["user"]["id"]
            with item_errors():
                with session_scope(ctx.engine) as session:
                    item, message = messages.tried(
                        session,
                        now=ctx.clock.now(),
                        policy=ctx.policy,
                        item_id=int(action["value"]),
                        by=user_id,
                        roles=ctx.roles,
                    )
                    attempts, remind_at = item.attempts, item.next_stage_at
                    caller = message.caller
                tz = ctx.directory.zone_of(user_id, ctx.site_tz)
                text = f":telephone_receiver: Noted: no answer from *{esc(caller)}* (attempt {attempts})."
                if remind_at is not None:
                    text += f" I'll remind you {date_token(remind_at, tz)}."
                tell(**ephemeral(text))

        ctx.button(ack, body, context, "message tried", work)

    @app.action(re.compile(r"^message_show_number(_\d+)?$"))
    def show_number(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(tell: Reply) -> None:
            user_id = body["user"]["id"]
            with item_errors(), session_scope(ctx.engine) as session:
                contact = messages.contact_details(
                    session,
                    now=ctx.clock.now(),
                    item_id=int(action["value"]),
                    by=user_id,
                    roles=ctx.roles,
                )
            lines = [f"*{esc(contact.caller)}*"]
            if contact.phone:
                flag = "" if contact.phone_valid else " _(as typed)_"
                lines.append(f":phone: {esc(contact.phone)}{flag}")
            if contact.email:
                lines.append(f":email: {esc(contact.email)}")
            if len(lines) == 1:
                lines.append("No number or e-mail was taken.")
            tell(**ephemeral("\n".join(lines)))

        # The number is read out, never stored in the outbox: if the answer is lost, press again.
        ctx.button(ack, body, context, "message show number", work, private=True)

    @app.action(re.compile(r"^message_interim(_\d+)?$"))
    def interim_opened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        item_id = int(action["value"])
        with guarded(to_clicker(body, respond, client), action["action_id"]):
            with item_errors(), session_scope(ctx.engine) as session:
                said = message_interim.prefilled(session, ctx.policy, item_id, user_id, ctx.roles)
            container = body.get("container", {})
            form = blocks.interim_view(
                item_id,
                str(container.get("channel_id") or ""),
                str(container.get("message_ts") or ""),
                said=said,
                channels=ctx.policy.enquiry.channels,
            )
            client.views_open(trigger_id=body["trigger_id"], view=form)

    @app.action("message_history")
    def message_history(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        tell = to_clicker(body, respond, client)
        with guarded(tell, "message history"):
            with item_errors(), session_scope(ctx.engine) as session:
                _, message, events, replies = message_interim.history(
                    session, item_id=int(action["value"]), by=user_id, roles=ctx.roles
                )
                tz = ctx.directory.zone_of(user_id, ctx.site_tz)
                shown = blocks.history_blocks(
                    message.caller, message.organisation, events, replies, tz
                )
            tell(**ephemeral("History", shown))
