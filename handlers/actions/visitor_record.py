"""The visitor record's buttons: the ID type seen at sign-in, and "Hand over to…" an escort."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import escorts, id_check
from handlers.blocks.visitor_record import (
    HAND_OVER_ACTION,
    HAND_OVER_FORM,
    ID_ACTION,
    hand_over_view,
    id_recorded,
)
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import esc, mention
from handlers.views.values import known
from storage.db import session_scope

_ID_BUTTON = re.compile(rf"^{ID_ACTION}_({'|'.join(id_check.ID_TYPES)})$")


def register(app: App, ctx: HandlerContext) -> None:
    """Listen for the ID buttons and the escort hand-over."""

    @app.action(_ID_BUTTON)
    def id_seen(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        def work(respond: Reply) -> None:
            found = _ID_BUTTON.match(str(action["action_id"]))
            assert found is not None
            id_type = found.group(1)
            try:
                with session_scope(ctx.engine) as session:
                    visit = id_check.record_id_type(
                        session,
                        visit_id=int(action["value"]),
                        id_type=id_type,
                        by=body["user"]["id"],
                        now=ctx.clock.now(),
                        roles=ctx.roles,
                    )
                    name = visit.name
            except id_check.IdAlreadyRecorded as error:
                raise UserError(f"Nothing changed: the ID is {esc(str(error))}.") from None
            except LookupError as error:
                raise UserError(f"Nothing to do: {esc(str(error))}.") from None
            respond(replace_original=True, **ephemeral(id_recorded(name, id_type)))

        ctx.button(ack, body, context, "visitor ID seen", work)

    @app.action(HAND_OVER_ACTION)
    def hand_over_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()  # the form opens at once (its trigger lasts 3 s); the checks come at submission
        client.views_open(trigger_id=body["trigger_id"], view=hand_over_view(int(action["value"])))

    @app.view(HAND_OVER_FORM)
    def hand_over_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user_id = body["user"]["id"]
        selected = view["state"]["values"].get("to", {}).get("to", {})
        to = str(selected.get("selected_user") or "")
        errors: dict[str, str] = {}
        if not to or not known(ctx, to, errors, "to"):
            errors.setdefault("to", "Choose someone in this workspace.")
            ack(response_action="errors", errors=errors)
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
                **ephemeral(
                    f":handshake: *{esc(name)}* is now with {mention(to)}, who has been told."
                )
            )

        ctx.form(ack, body, context, "escort hand-over", work, error_block="to")
