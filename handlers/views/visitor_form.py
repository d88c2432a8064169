"""The `/visitor` modal: sign a visitor in with a form."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import board, visitors
from bot.domain.services.id_check import Field, IdNumberTyped, refuse_id_numbers
from handlers.blocks import visitors as blocks
from handlers.blocks.board import whereabouts_note
from handlers.blocks.common import plain
from handlers.blocks.visitor_record import signed_in_answer
from handlers.commands.parsing import contacts_out
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import UserError
from handlers.sites import site_here
from handlers.views.values import known, value
from storage.db import session_scope

log = logging.getLogger(__name__)
CALLBACK_ID = "visitor_form"


def form_view(channel_id: str) -> dict[str, Any]:
    """The modal: name, organisation, host, note."""

    def text_input(
        block_id: str, label: str, *, optional: bool = False, multiline: bool = False
    ) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": block_id,
            "optional": optional,
            "label": plain(label),
            "element": {
                "type": "plain_text_input",
                "action_id": block_id,
                "multiline": multiline,
                "max_length": 200 if not multiline else 1000,
            },
        }

    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("Visitor arrived"),
        "submit": plain("Sign in"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": [
            text_input("name", "Visitor's name"),
            text_input("organisation", "Organisation", optional=True),
            {
                "type": "input",
                "block_id": "host",
                "label": plain("Here to see"),
                "element": {"type": "users_select", "action_id": "host"},
            },
            text_input("note", "Note", optional=True, multiline=True),
            text_input("needs", "Access needs (e.g. wheelchair, interpreter: Cree)", optional=True),
        ],
    }


NOTE_LIMIT = 1000  # the visit's note column


def open_form(client: WebClient, trigger_id: str, channel_id: str) -> None:
    """Open the modal at once (the trigger expires in 3 seconds)."""
    client.views_open(trigger_id=trigger_id, view=form_view(channel_id))


ID_CHECKED_FIELDS = {
    "name": "name",
    "organisation": "organisation",
    "note": "note",
    "needs": "access needs",
}


def _refuse_id_numbers(ctx: HandlerContext, values: Any, errors: dict[str, str]) -> None:
    """`[visitors] check_id`: an ID number typed into any field is refused beside that field."""
    for block, label in ID_CHECKED_FIELDS.items():
        try:
            refuse_id_numbers([Field(label, value(values, block))], ctx.phone_region)
        except IdNumberTyped:
            errors[block] = "Looks like an ID number: record only the type of ID, never the number."


def visitor_form_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    user_id = body["user"]["id"]
    values = view["state"]["values"]
    # A number or an address typed into the name goes to the note (the name is posted in the
    # desk channel; the host's DM shows the note).
    name, taken = contacts_out(value(values, "name"), ctx.phone_region)
    host_id = value(values, "host")
    typed_note = value(values, "note")
    visit_note = " ".join(part for part in (typed_note, taken) if part) or None
    errors: dict[str, str] = {}
    if visit_note and len(visit_note) > NOTE_LIMIT:
        errors["note"] = "With the number taken out of the name, the note is too long."
    if not name:
        errors["name"] = "Give the visitor's name."
    if not host_id or not known(ctx, host_id, errors, "host"):
        errors.setdefault("host", "Choose the person they are here to see.")
    needs = value(values, "needs") or None
    if ctx.policy.visitors.check_id:
        _refuse_id_numbers(ctx, values, errors)
    if not ctx.roles.is_desk(user_id):
        errors["name"] = "Only reception and managers may log visitors."
    if errors:
        ack(response_action="errors", errors=errors)
        return

    def work(tell: Reply) -> None:
        now = ctx.clock.now()
        # Before the pass book is held: a directory miss may ask Slack and write the staff table,
        # and nothing that waits or writes shared rows may happen while passes are locked
        # (two sign-ins would each hold what the other waits for).
        tz = ctx.directory.zone_of(user_id, ctx.site_tz)
        channel = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
        here = site_here(ctx, user_id, channel)
        with session_scope(ctx.engine) as session:
            visitors.read_ahead_for_sign_in(
                session, name=name, host_id=host_id, site=here.site, now=now
            )
            same = visitors.already_signed_in(session, name, site=here.site)
            if same:
                # A form cannot carry the confirming button: the command can.
                raise UserError(
                    f"{name[:60]} is already signed in (pass {same[-1].pass_number}). "
                    "Someone else of that name: `/visitor arrived`, then confirm."
                )
            # Read before the pass book is held.
            whereabouts = board.status_of(session, host_id, now=now)
            result = visitors.sign_in(
                session,
                now=now,
                tz=here.tz,
                logged_by=user_id,
                name=name,
                organisation=value(values, "organisation") or None,
                host_id=host_id,
                note=visit_note,
                desk_channel=here.desk,
                policy=ctx.policy,
                needs=needs,
                managers_channel=ctx.managers_channel,
                site=here.site,
            )
            visit = result.visit
        reply = blocks.signed_in_reply(
            visit.name,
            visit.organisation,
            host_id,
            visit.pass_number or "",
            matched=result.matched_expected,
            cover=result.cover,
            tz=tz,
        )
        note = whereabouts_note(whereabouts, tz)  # the board: an off-site host
        assert visit.id is not None
        tell(
            **signed_in_answer(
                f"{reply}\n{note}" if note else reply,
                visit_id=visit.id,
                check_id=ctx.policy.visitors.check_id,
                watched=result.watched,
            )
        )

    ctx.form(ack, body, context, "visitor form", work, error_block="name")
