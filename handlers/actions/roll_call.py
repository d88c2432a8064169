"""Buttons on the roll call ("Accounted for") and on the closing-time list of visitors."""

from __future__ import annotations

import re
import uuid

from sqlmodel import Session

from bot.domain.notices import ListenerReply, enqueue_notice
from bot.domain.services import closing, roll_call, visitors
from handlers.actions.item_button import Press, item_button
from handlers.blocks import closing as closing_blocks
from handlers.blocks import roll_call as roll_call_blocks
from handlers.context import HandlerContext
from handlers.text import date_token, mention

ACCOUNTED = re.compile(rf"^{roll_call_blocks.ACCOUNTED}_\d+$")
CLOSING_ANSWER = re.compile(rf"^({closing_blocks.SIGNED_OUT}|{closing_blocks.STAYS})_\d+$")


def _accounted_for(p: Press) -> None:
    """ "Accounted for" on a roll call: the mark is kept and the posted roll call rewritten."""
    entry_id = p.thing_id
    shown = roll_call.mark(p.session, entry_id=entry_id, by=p.user_id, now=p.now)
    rc_id = int(shown.roll_call.id or 0)
    for n, (text, blocks) in enumerate(roll_call_blocks.posts(shown, p.ctx.site_tz)):
        ts = roll_call.posted_ts(p.session, rc_id, n)
        if ts is None:
            continue  # not posted yet: the mark is kept, the next rewrite shows it
        enqueue_notice(
            p.session,
            ListenerReply(text=text, blocks=tuple(blocks), update_ts=ts),
            key=f"{roll_call.post_key(rc_id, n)}:mark:{entry_id}",
            target=shown.roll_call.channel,
            now=p.now,
        )


def _closing_answer(p: Press) -> None:
    """ "Signed out" or "Stays" on the closing-time list: kept, and the list rewritten."""
    if p.action_id.startswith(closing_blocks.SIGNED_OUT):
        closing.sign_out_at_closing(
            p.session, visit_id=p.thing_id, by=p.user_id, now=p.now, roles=p.roles
        )
    else:
        closing.confirm_stays(
            p.session, visit_id=p.thing_id, by=p.user_id, now=p.now, roles=p.roles
        )
    message = p.body.get("message") or {}
    channel = str((p.body.get("channel") or {}).get("id") or "")
    _rewrite_closing_list(p.ctx, p.session, channel, str(message.get("ts") or ""))


accounted_for = item_button(
    "roll call mark",
    _accounted_for,
    refusals={roll_call.RollCallNotFound: lambda e: f"{str(e).capitalize()}."},
    # posted before the marks were kept in the database
    bad_value="This roll call is from before Front Desk was updated: run `/desk roll-call` again.",
)
closing_answer = item_button(
    "closing list answer",
    _closing_answer,
    refusals={visitors.VisitorNotFound: lambda e: f"{str(e).capitalize()}."},
)


def _rewrite_closing_list(ctx: HandlerContext, session: Session, channel: str, ts: str) -> None:
    """Rewrite the closing-time list from what is stored: every visitor answered for so far
    shows their answer, whichever press came first (the list's row is locked meanwhile)."""
    now = ctx.clock.now()
    posted = closing.locked_list(session, channel=channel, ts=ts)
    if posted is None:
        return  # not a list the bot posted there: nothing to rewrite
    listed = [int(v["visit_id"]) for v in posted.params.get("visitors", [])]
    text, shown = closing_blocks.closing_post(posted.params, ctx.site_tz)
    for visit_id, answer in closing.answers(session, listed).items():
        at = date_token(answer.at, ctx.site_tz, "{time}")
        pass_number = next(
            (v.get("pass_number") for v in posted.params["visitors"] if v["visit_id"] == visit_id),
            "",
        )
        if answer.signed_out:
            line = f":wave: {pass_number} signed out by {mention(answer.by)} at {at}"
        else:
            line = f":ok_hand: {pass_number} is staying (confirmed by {mention(answer.by)} at {at})"
        shown = closing_blocks.mark_answered(shown, visit_id, line)
    enqueue_notice(
        session,
        ListenerReply(text=text, blocks=tuple(shown), update_ts=ts),
        key=f"{posted.key}:answered:{now.timestamp()}:{uuid.uuid4().hex[:8]}",
        target=channel,
        now=now,
    )
