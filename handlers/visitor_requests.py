"""Carrying out a parsed `/visitor` request: the command, "Sign in another" and the pick
among several visitors share it (the command and the buttons both call it)."""

from __future__ import annotations

from typing import Any

from bot.domain.services import board, visitor_log, visitors
from bot.domain.services.id_check import Field, IdNumberTyped, refuse_id_numbers
from bot.domain.when import WhenError, parse_when
from handlers.blocks import visitors as blocks
from handlers.blocks.board import whereabouts_note
from handlers.blocks.visitor_record import signed_in_answer
from handlers.commands.corrections import correct_visit
from handlers.commands.visitor_parse import (
    ARRIVED_FORM,
    EXPECT_FORM,
    Arrived,
    Cancel,
    CorrectVisit,
    Expect,
    Left,
    ListOnSite,
    ShowLog,
)
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.sites import site_here
from handlers.text import date_token, esc, mention, not_found
from storage.db import session_scope


def handle(
    ctx: HandlerContext, user_id: str, request: Any, respond: Reply, channel_id: str | None = None
) -> None:
    """Carry out a parsed `/visitor` request and reply to its author, at the site of the desk
    channel it came from, else at the author's site."""
    now = ctx.clock.now()
    here = site_here(ctx, user_id, channel_id)
    tz = ctx.directory.zone_of(user_id, ctx.site_tz)
    if isinstance(request, Arrived):
        _require_host(ctx, request.host_id, ARRIVED_FORM)
        with session_scope(ctx.engine) as session:
            visitors.read_ahead_for_sign_in(
                session, name=request.name, host_id=request.host_id, site=here.site, now=now
            )
            if held_for_confirmation(session, request, respond, tz, here.site):
                return
            # The board (policy 000): an off-site host may keep the visitor waiting. Read
            # before sign_in holds the pass book.
            whereabouts = board.status_of(session, request.host_id, now=now)
            result = visitors.sign_in(
                session,
                now=now,
                tz=here.tz,
                logged_by=user_id,
                name=request.name,
                organisation=request.organisation,
                host_id=request.host_id,
                note=request.note,
                desk_channel=here.desk,
                policy=ctx.policy,
                needs=request.needs,
                managers_channel=ctx.managers_channel,
                site=here.site,
            )
            reply = blocks.signed_in_reply(
                request.name,
                result.visit.organisation,
                request.host_id,
                result.visit.pass_number or "",
                matched=result.matched_expected,
                cover=result.cover,
                tz=tz,
            )
            note = whereabouts_note(whereabouts, tz)
            assert result.visit.id is not None
            answer = signed_in_answer(
                f"{reply}\n{note}" if note else reply,
                visit_id=result.visit.id,
                check_id=ctx.policy.visitors.check_id,
                watched=result.watched,
            )
        respond(**answer)
    elif isinstance(request, Expect):
        _require_host(ctx, request.host_id, EXPECT_FORM)
        try:
            when, _ = parse_when(request.when, now=now, tz=tz, date_order=here.date_order)
        except WhenError as error:
            raise UserError(f"{esc(str(error))}.", EXPECT_FORM) from None
        if when < now:
            raise UserError(f'"{esc(request.when)}" is in the past.', EXPECT_FORM)
        with session_scope(ctx.engine) as session:
            visitors.expect(
                session,
                now=now,
                logged_by=user_id,
                name=request.name,
                organisation=request.organisation,
                host_id=request.host_id,
                expected_at=when,
                desk_channel=here.desk,
                needs=request.needs,
                teams=ctx.policy.team_book(),
                site=here.site,
            )
        respond(
            **ephemeral(
                f":calendar: {blocks.who(request.name, request.organisation)} is expected for "
                f"{mention(request.host_id)} {date_token(when, tz)}. I'll match them when they arrive."
            )
        )
    elif isinstance(request, Left | Cancel):
        _left_or_cancel(ctx, user_id, request, respond, here.site)
    elif isinstance(request, ShowLog):
        _show_log(ctx, request, respond, tz)
    elif isinstance(request, CorrectVisit):
        correct_visit(ctx, user_id, request.correction, respond)
    elif isinstance(request, ListOnSite):
        with session_scope(ctx.engine) as session:
            on_site = visitors.on_site(session, here.site)
        where = f" at {esc(here.name)}" if ctx.policy.multi_site else ""
        respond(
            **ephemeral(
                f"{len(on_site)} on site{where}",
                blocks.on_site_list(on_site, tz, with_organisations=ctx.roles.is_desk(user_id)),
            )
        )


LOG_LINES = 25  # a reply stays readable; the report's CSV has every visit


def _show_log(ctx: HandlerContext, request: ShowLog, respond: Reply, tz: Any) -> None:
    """Past visits: arrival, departure, host and pass, earliest first."""
    now = ctx.clock.now()
    try:
        query = visitor_log.read(
            request.query, now=now, tz=tz, date_order=ctx.policy.site.date_order
        )
    except visitor_log.LogQueryError as error:
        raise UserError(esc(str(error)), visitor_log.LOG_FORM) from None
    with session_scope(ctx.engine) as session:
        found = visitor_log.page(session, query, tz=ctx.site_tz, limit=LOG_LINES)
    text, shown = blocks.visitor_log(query, found, tz)
    respond(**ephemeral(text, shown))


def held_for_confirmation(
    session: Any, request: Arrived, respond: Reply, tz: Any, site: str | None = None
) -> bool:
    """A name already on site is signed in again only through "Sign in another …"; a press
    that comes after another sign-in of that name (a second press) does nothing."""
    if request.after is not None:
        newer = visitors.already_signed_in(session, request.name, after=request.after, site=site)
        if newer:
            raise UserError(
                f"Nothing to do: {blocks.who(request.name, None)} was signed in again already "
                f"(pass {esc(newer[-1].pass_number or '')})."
            )
        return False
    same = visitors.already_signed_in(session, request.name, site=site)
    if not same:
        return False
    value = request.again_value(max(v.id or 0 for v in same))
    respond(**ephemeral(*blocks.sign_in_again(request.name, value, same, tz)))
    return True


def _left_or_cancel(
    ctx: HandlerContext, user_id: str, request: Left | Cancel, respond: Reply, site: str
) -> None:
    """Among the visitors of the receiving site only: each site has its own passes."""
    now = ctx.clock.now()
    left = isinstance(request, Left)
    query = request.query
    try:
        with session_scope(ctx.engine) as session:
            if left:
                result = visitors.sign_out(session, now=now, query=query, by=user_id, site=site)
            else:
                result = visitors.cancel(session, now=now, query=query, by=user_id, site=site)
    except visitors.VisitorNotFound as error:
        form = blocks.VISITOR_USAGE
        message = esc(str(error))
        raise UserError(f"{message[:1].upper()}{message[1:]}.", form) from None
    if isinstance(result, visitors.Ambiguous):
        action = "visitor_left_pick" if left else "visitor_cancel_pick"
        verb = "left" if left else "is cancelled"
        respond(
            **ephemeral("Several visitors match", blocks.pick_visitor(result.matches, action, verb))
        )
        return
    respond(**ephemeral(done_line(result, left=left)))


def done_line(visit: Any, *, left: bool) -> str:
    """The receptionist's confirmation of a sign-out or cancellation."""
    if left:
        return f":wave: {blocks.who(visit.name, visit.organisation)} signed out (pass {visit.pass_number})."
    return f":x: The visit of {blocks.who(visit.name, visit.organisation)} is cancelled."


def refuse_id_numbers_in(ctx: HandlerContext, request: Arrived | Expect) -> None:
    """With `[visitors] check_id`, refuse a sign-in whose typed text holds an ID number."""
    if not ctx.policy.visitors.check_id:
        return
    fields = [
        Field("name", request.name),
        Field("organisation", request.organisation),
        Field("access needs", request.needs),
    ]
    if isinstance(request, Arrived):
        fields.append(Field("note", request.note))
    form = ARRIVED_FORM if isinstance(request, Arrived) else EXPECT_FORM
    try:
        refuse_id_numbers(fields, ctx.phone_region)
    except IdNumberTyped as error:
        raise UserError(str(error), form) from None


def _require_host(ctx: HandlerContext, host_id: str, form: str) -> None:
    if ctx.directory.get(host_id) is None:
        raise UserError(not_found(host_id), form)
