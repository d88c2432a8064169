"""Every listener, registered in one place; the manifest test reads COMMANDS."""

from __future__ import annotations

from collections.abc import Callable

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

Register = Callable[[App, HandlerContext], None]

COMMANDS: dict[str, Register] = {
    "/visitor": visitor.register,
    "/desk": desk.register,
    "/message": message.register,
    "/enquiry": enquiry.register,
    "/ooo": ooo.register,
    "/call": call.register,
}
OTHERS: list[Register] = [
    home.register,
    mentions.register,
    roll_call.register,
    visitor_form.register,
    visitor_buttons.register,
    visitor_record.register,
    message_form.register,
    message_buttons.register,
    item_buttons.register,
    enquiry_form.register,
    enquiry_followup.register,
    enquiry_told.register,
    message_interim.register,
    enquiry_buttons.register,
    incident_form.register,
    assist_buttons.register,
    ooo_buttons.register,
    directory_events.register,
]


def register_all(app: App, ctx: HandlerContext) -> None:
    """Attach every command, action, view and event listener to `app`."""
    for register in [*COMMANDS.values(), *OTHERS]:
        register(app, ctx)
