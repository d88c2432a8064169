"""The buttons on the reply to `/ooo from … until …`: "Keep my items" / "Hand them over"
change the hand-over stored with the planned absence, until it starts."""

from __future__ import annotations

from bot.domain.services import absences, planned_absences
from handlers.actions.item_button import Press, Refusals, item_button
from handlers.blocks import ooo as blocks
from handlers.context import Payload
from handlers.replies import ephemeral
from handlers.sites import own_site
from handlers.text import esc


def _choose(p: Press) -> Payload:
    """ "Keep my items" / "Hand them over": the absence's hand-over, until it starts."""
    hand_over = p.action_id == blocks.HAND_OVER
    tz = p.ctx.directory.zone_of(p.user_id, own_site(p.ctx, p.user_id).tz)
    absence = planned_absences.choose_hand_over(
        p.session, user_id=p.user_id, absence_id=p.thing_id, hand_over_items=hand_over, now=p.now
    )
    has_team = p.ctx.policy.team_book().team_of(p.user_id) is not None
    text = blocks.hand_over_chosen(
        starts_at=absence.starts_at,
        until=absence.until,
        hand_over=hand_over,
        cover=blocks.cover_words(absence.backup_id, has_team),
        tz=tz,
    )
    return {
        "replace_original": True,
        **ephemeral(text, blocks.planned_blocks(text, p.thing_id, hand_over)),
    }


def _capitalised(error: Exception) -> str:
    message = esc(str(error))
    return f"{message[:1].upper()}{message[1:]}."


REFUSALS: Refusals = {absences.AbsenceError: _capitalised}
BAD_VALUE = "That button no longer says which absence it is for."

keep_items = item_button("ooo keep items", _choose, refusals=REFUSALS, bad_value=BAD_VALUE)
hand_over = item_button("ooo hand over", _choose, refusals=REFUSALS, bad_value=BAD_VALUE)
