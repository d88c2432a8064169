"""Every listener, registered in one place; the manifest test reads COMMANDS.

A listener is a top-level function whose first parameter is the HandlerContext; `bind` fills
it in. Bolt injects the other parameters by their NAMES (`ack`, `body`, `action`, `command`,
`view`, `event`, `context`, `client`, `respond`; slack_bolt.kwargs_injection), reading them
with `inspect.getfullargspec(inspect.unwrap(listener))`: a `functools.partial` with `ctx` as its
first positional argument shows exactly the rest (so no `functools.wraps`, whose `__wrapped__`
would show `ctx` again). The order below is the order Bolt tries them in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt import App

from handlers import directory_events, home, mentions
from handlers.actions import (
    assist_buttons,
    enquiry_buttons,
    item_buttons,
    message_buttons,
    ooo_buttons,
    roll_call,
    visitor_buttons,
    visitor_record,
)
from handlers.blocks import assist as assist_blocks
from handlers.blocks import messages as message_blocks
from handlers.blocks import ooo as ooo_blocks
from handlers.blocks import visitor_record as visitor_record_blocks
from handlers.blocks import visitors as visitor_blocks
from handlers.commands import call, desk, enquiry, message, ooo, visitor
from handlers.context import HandlerContext
from handlers.views import (
    enquiry_followup,
    enquiry_form,
    enquiry_told,
    incident_form,
    message_form,
    message_interim,
    visitor_form,
)

Listener = Callable[..., None]  # (ctx, <what Bolt injects by name>) -> None
Kind = Literal["action", "view", "event"]

COMMANDS: dict[str, Listener] = {
    "/visitor": visitor.visitor_command,
    "/desk": desk.desk_command,
    "/message": message.message_command,
    "/enquiry": enquiry.enquiry_command,
    "/ooo": ooo.ooo_command,
    "/call": call.call_command,
}

# (kind, what it listens for: an event type, an action id or pattern, a callback id; listener)
LISTENERS: list[tuple[Kind, Any, Listener]] = [
    ("event", "app_home_opened", home.home_opened),
    ("action", home.HOME_VISITOR_ANSWER, home.home_visitor_answer),
    ("event", "message", mentions.message_posted),
    ("action", roll_call.ACCOUNTED, roll_call.accounted_for),
    ("action", roll_call.CLOSING_ANSWER, roll_call.closing_answer),
    ("view", visitor_form.CALLBACK_ID, visitor_form.visitor_form_submitted),
    ("action", visitor_buttons.HOST_ANSWER, visitor_buttons.host_answered),
    ("action", visitor_buttons.PICKED, visitor_buttons.visitor_picked),
    ("action", visitor_blocks.SIGN_IN_AGAIN, visitor_buttons.sign_in_again),
    ("action", visitor_blocks.SIGN_IN_AGAIN_CANCEL, visitor_buttons.sign_in_again_cancelled),
    ("action", visitor_record.ID_BUTTON, visitor_record.id_seen),
    ("action", visitor_record_blocks.HAND_OVER_ACTION, visitor_record.hand_over_clicked),
    ("view", visitor_record_blocks.HAND_OVER_FORM, visitor_record.hand_over_submitted),
    (
        "action",
        {"type": "block_actions", "action_id": message_blocks.RECIPIENT_PICKED},
        message_form.recipient_picked,
    ),
    ("view", message_form.MESSAGE_FORM_ID, message_form.message_form_submitted),
    ("action", message_buttons.CALLED_BACK, message_buttons.called_back),
    ("action", message_buttons.TRIED, message_buttons.tried),
    ("action", message_buttons.SHOW_NUMBER, message_buttons.show_number),
    ("action", message_buttons.INTERIM, message_buttons.interim_opened),
    ("action", "message_history", message_buttons.message_history),
    ("action", item_buttons.TAKE, item_buttons.take_it),
    ("action", item_buttons.REASSIGN, item_buttons.reassign_clicked),
    ("view", item_buttons.REASSIGN_FORM_ID, item_buttons.reassign_submitted),
    ("view", enquiry_form.CALLBACK_ID, enquiry_form.enquiry_form_submitted),
    ("view", enquiry_followup.REASSIGN_ID, enquiry_followup.reassign_submitted),
    ("view", enquiry_followup.LATE_ID, enquiry_followup.late_submitted),
    ("view", enquiry_told.ACK_ID, enquiry_told.acknowledged_submitted),
    ("view", enquiry_told.RESOLVE_ID, enquiry_told.resolved_submitted),
    ("view", message_interim.FORM_ID, message_interim.interim_submitted),
    ("action", enquiry_buttons.TOLD_OPENED, enquiry_buttons.enquiry_told_opened),
    ("action", enquiry_buttons.FOLLOWUP_OPENED, enquiry_buttons.enquiry_followup_opened),
    ("action", "enquiry_show_contact", enquiry_buttons.enquiry_show_contact),
    ("action", "enquiry_history", enquiry_buttons.enquiry_history),
    ("view", incident_form.CALLBACK_ID, incident_form.incident_submitted),
    ("action", assist_blocks.ON_MY_WAY, assist_buttons.on_my_way),
    ("action", assist_blocks.CALL_FOR_HELP, assist_buttons.call_from_home),
    ("action", assist_blocks.COMPLETE_INCIDENT, assist_buttons.complete_incident),
    ("action", ooo_blocks.KEEP_ITEMS, ooo_buttons.keep_items),
    ("action", ooo_blocks.HAND_OVER, ooo_buttons.hand_over),
    ("event", "user_change", directory_events.user_changed),
    ("event", "team_join", directory_events.team_joined),
]


def bind(ctx: HandlerContext, listener: Listener) -> Listener:
    """`listener` with its context filled in, as Bolt calls it (the rest injected by name)."""
    bound = functools.partial(listener, ctx)
    bound.__name__ = listener.__name__  # type: ignore[attr-defined]  # Bolt's logs name it
    return bound


def register_all(app: App, ctx: HandlerContext) -> None:
    """Attach every command, action, view and event listener to `app`."""
    desk.load_verbs()
    for name, listener in COMMANDS.items():
        app.command(name)(bind(ctx, listener))
    for kind, matches, listener in LISTENERS:
        on = {"action": app.action, "view": app.view, "event": app.event}[kind]
        on(matches)(bind(ctx, listener))
