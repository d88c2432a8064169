"""`/ooo`: out of office, with a backup who covers visitors and messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain.services import absences, planned_absences
from handlers.blocks import ooo as blocks
from handlers.commands.ooo_parse import (
    OOO_FORM,
    PLAN_FORM,
    Back,
    CancelNext,
    ListAbsences,
    PlanAbsence,
    ShowStatus,
    Until,
    parse_ooo,
)
from handlers.commands.slash import kind_named, slash_command
from handlers.context import HandlerContext, Payload, Reply
from handlers.people import remember
from handlers.replies import UserError, ephemeral
from handlers.sites import own_site
from handlers.text import esc, not_found
from storage.db import session_scope


def ooo_command(ctx: HandlerContext, ack: Ack, command: Payload, context: BoltContext) -> None:
    """`/ooo …`: out of office, planned absences, back."""
    slash_command(
        ctx,
        ack,
        command,
        context,
        parse=lambda: parse_ooo(command.get("text", "")),
        usage=blocks.OOO_USAGE,
        carry_out=lambda request, reply: handle(ctx, command["user_id"], request, reply),
        what=kind_named("/ooo"),
    )


def handle(ctx: HandlerContext, user_id: str, request: Any, respond: Reply) -> None:
    """Carry out a parsed `/ooo` request and reply to its author."""
    now = ctx.clock.now()
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    if isinstance(request, ShowStatus):
        with session_scope(ctx.engine) as session:
            absence = absences.current(session, user_id, now=now)
        respond(
            **ephemeral(
                blocks.status_text(
                    until=absence.until if absence else None,
                    backup_id=absence.backup_id if absence else None,
                    note=absence.note if absence else None,
                    tz=tz,
                )
            )
        )
    elif isinstance(request, Back) and request.when:
        _move_return(ctx, user_id, request.when, respond)
    elif isinstance(request, Back):
        with session_scope(ctx.engine) as session:
            ended = absences.come_back(session, user_id=user_id, now=now)
        respond(**ephemeral(blocks.back_reply(ended is not None)))
    elif isinstance(request, Until):
        remember(ctx, [user_id])
        _set(ctx, user_id, request, respond)
    elif isinstance(request, PlanAbsence):
        remember(ctx, [user_id])
        _plan(ctx, user_id, request, respond)
    elif isinstance(request, ListAbsences):
        with session_scope(ctx.engine) as session:
            ahead = planned_absences.ahead(session, user_id=user_id, now=now)
            entries = [
                (a.starts_at, a.until, a.backup_id, a.hand_over, a.starts_at > now) for a in ahead
            ]
        respond(**ephemeral(blocks.absences_list(entries, now, tz)))
    elif isinstance(request, CancelNext):
        with session_scope(ctx.engine) as session:
            gone = planned_absences.cancel_next(session, user_id=user_id, now=now)
            starts, until = (gone.starts_at, gone.until) if gone else (None, None)
        respond(**ephemeral(blocks.cancelled_reply(starts, until, tz)))


def _move_return(ctx: HandlerContext, user_id: str, when: str, respond: Reply) -> None:
    """`/ooo back <when>` while away: the return moves; the absence goes on until then."""
    now = ctx.clock.now()
    here = own_site(ctx, user_id)
    tz = ctx.directory.zone_of(user_id, here.tz)
    try:
        back = absences.return_instant(
            when, now=now, tz=tz, calendar=here.calendar, date_order=here.date_order
        )
        with session_scope(ctx.engine) as session:
            absence = absences.move_return(session, user_id=user_id, until=back.at, now=now)
    except absences.AbsenceError as error:
        raise UserError(esc(str(error)), OOO_FORM) from None
    respond(**ephemeral(blocks.moved_return_reply(absence.until, tz)))


def _set(ctx: HandlerContext, user_id: str, request: Until, respond: Reply) -> None:
    now = ctx.clock.now()
    here = own_site(ctx, user_id)  # the person's own site: its zone, calendar and date order
    tz = ctx.directory.zone_of(user_id, here.tz)
    calendar = here.calendar
    _check_backup(ctx, user_id, request.backup_id, OOO_FORM)
    try:
        back = absences.return_instant(
            request.when, now=now, tz=tz, calendar=calendar, date_order=here.date_order
        )
        with session_scope(ctx.engine) as session:
            result = absences.set_absence(
                session,
                user_id=user_id,
                until=back.at,
                backup_id=request.backup_id,
                note=request.note,
                now=now,
                calendar=calendar,
            )
            # The open items go with the cover while the person is away (DESIGN: yes by
            # default), deadlines unchanged; each new owner gets the item's DM.
            handed = absences.hand_over(
                session,
                user_id=user_id,
                now=now,
                desk_channel=here.desk,  # the person's own site's desk, when nobody covers
                teams=ctx.policy.team_book(),
            )
    except absences.AbsenceError as error:
        raise UserError(esc(str(error)), OOO_FORM) from None
    respond(
        **ephemeral(
            blocks.set_reply(
                until=back.at,
                tz=tz,
                backup_id=request.backup_id,
                note=request.note,
                replaced=result.replaced,
                backup_reminder=result.backup_reminder,
                backup_away_until=result.backup_away_until,
                moved_to_working_day=back.moved_to_working_day,
                handed_over=len(handed.items),
                handed_to=handed.to_user_id,
                has_team=ctx.policy.team_book().team_of(user_id) is not None,
            )
        )
    )


def _check_backup(ctx: HandlerContext, user_id: str, backup_id: str | None, form: str) -> None:
    if backup_id is None:
        return
    if backup_id == user_id:
        raise UserError("You can't be your own backup: name someone who will be in.", form)
    if ctx.directory.get(backup_id) is None:
        raise UserError(not_found(backup_id), form)
    remember(ctx, [backup_id])


def _plan(ctx: HandlerContext, user_id: str, request: PlanAbsence, respond: Reply) -> None:
    """`/ooo from <when> until <when>`: stored now, begun by the `absences.start` job."""
    now = ctx.clock.now()
    here = own_site(ctx, user_id)  # 00:00 and the first opening of the person's own site
    tz = ctx.directory.zone_of(user_id, here.tz)
    calendar = here.calendar
    _check_backup(ctx, user_id, request.backup_id, PLAN_FORM)
    date_order = here.date_order
    try:
        starts_at = planned_absences.start_instant(
            request.start, now=now, tz=here.tz, date_order=date_order
        )
        if starts_at <= now:
            # "from today": it starts now, as `/ooo until` does.
            _set(ctx, user_id, Until(request.when, request.backup_id, request.note), respond)
            return
        back = absences.return_instant(
            request.when, now=now, tz=tz, calendar=calendar, date_order=date_order
        )
        with session_scope(ctx.engine) as session:
            planned = planned_absences.plan_absence(
                session,
                user_id=user_id,
                starts_at=starts_at,
                until=back.at,
                backup_id=request.backup_id,
                note=request.note,
                hand_over_items=request.hand_over,
                now=now,
            )
    except absences.AbsenceError as error:
        raise UserError(esc(str(error)), PLAN_FORM) from None
    text = blocks.planned_reply(
        starts_at=starts_at,
        until=planned.absence.until,
        tz=tz,
        backup_id=request.backup_id,
        note=request.note,
        hand_over=request.hand_over,
        backup_away_until=planned.backup_away_until,
        moved_to_working_day=back.moved_to_working_day,
        has_team=ctx.policy.team_book().team_of(user_id) is not None,
    )
    assert planned.absence.id is not None
    respond(**ephemeral(text, blocks.planned_blocks(text, planned.absence.id, request.hand_over)))
