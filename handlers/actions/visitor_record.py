"""The visitor record's buttons: the ID type seen at sign-in, and "Hand over to…" an escort."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.services import escorts, id_check
from handlers.actions.item_button import Press, item_button
from handlers.blocks.visitor_record import (
    ID_ACTION,
    hand_over_view,
    id_recorded,
)
from handlers.context import HandlerContext, Payload, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import esc, mention
from handlers.views.values import picked_person
from storage.db import session_scope

ID_BUTTON = re.compile(rf"^{ID_ACTION}_({'|'.join(id_check.ID_TYPES)})$")


def _id_seen(p: Press) -> Payload:
    """The type of ID reception saw at sign-in (never its number)."""
    found = ID_BUTTON.match(p.action_id)
    assert found is not None
    id_type = found.group(1)
    visit = id_check.record_id_type(
        p.session, visit_id=p.thing_id, id_type=id_type, by=p.user_id, now=p.now, roles=p.roles
    )
    return {"replace_original": True, **ephemeral(id_recorded(visit.name, id_type))}


id_seen = item_button(
    "visitor ID seen",
    _id_seen,
    refusals={
        id_check.IdAlreadyRecorded: lambda e: f"Nothing changed: the ID is {esc(str(e))}.",
        LookupError: lambda e: f"Nothing to do: {esc(str(e))}.",
    },
)


def hand_over_clicked(
    ctx: HandlerContext, ack: Ack, body: Payload, action: Payload, client: WebClient
) -> None:
    """ "Hand over to…": open the form."""
    ack()  # the form opens at once (its trigger lasts 3 s); the checks come at submission
    client.views_open(trigger_id=body["trigger_id"], view=hand_over_view(int(action["value"])))


def hand_over_submitted(
    ctx: HandlerContext, ack: Ack, body: Payload, view: Payload, context: BoltContext
) -> None:
    """The hand-over form: the visitor is with whoever was picked now."""
    user_id = body["user"]["id"]
    to = picked_person(ctx, ack, view, "to")
    if to is None:
        return
    visit_id = int(view.get("private_metadata") or 0)

    def work(tell: Reply) -> None:
        try:
            with session_scope(ctx.engine) as session:
                visit = escorts.hand_over(
                    session,
                    now=ctx.clock.now(),
                    visit_id=visit_id,
                    to=to,
                    by=user_id,
                    roles=ctx.roles,
                )
                name = visit.name
        except escorts.HandOverError as error:
            raise UserError(f"Nothing changed: {esc(str(error))}.") from None
        tell(
            **ephemeral(f":handshake: *{esc(name)}* is now with {mention(to)}, who has been told.")
        )

    ctx.form(ack, body, context, "escort hand-over", work, error_block="to")
