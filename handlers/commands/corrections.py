"""`/visitor correct …` and `/message correct …`: putting a wrong entry right (reception,
managers). The work is bot/domain/services/corrections.py; this answers the receptionist."""

from __future__ import annotations

from bot.domain.services import corrections
from bot.domain.services.visitors import Ambiguous, VisitorNotFound
from handlers.commands.correct_parse import MESSAGE_CORRECT_FORM, VISITOR_CORRECT_FORM, Correction
from handlers.context import HandlerContext, Reply
from handlers.replies import UserError, ephemeral
from handlers.text import date_token, esc, mention, not_found
from storage.db import session_scope


def correct_visit(ctx: HandlerContext, user_id: str, request: Correction, respond: Reply) -> None:
    """Correct a visitor's name or host."""
    _require_known(ctx, request, VISITOR_CORRECT_FORM)
    now = ctx.clock.now()
    try:
        with session_scope(ctx.engine) as session:
            visit = corrections.find_visit(session, now=now, query=request.query)
            if isinstance(visit, Ambiguous):
                passes = ", ".join(v.pass_number or "expected" for v in visit.matches[:10])
                raise UserError(
                    f"Several visitors match “{esc(request.query)}” ({esc(passes)}): give the "
                    "pass number.",
                    VISITOR_CORRECT_FORM,
                )
            if request.person_id is not None:
                done = corrections.correct_visit_host(
                    session,
                    now=now,
                    visit=visit,
                    host_id=request.person_id,
                    by=user_id,
                    roles=ctx.roles,
                    desk_channel=ctx.desk_channel,
                    teams=ctx.policy.team_book(),
                )
            else:
                assert request.name is not None
                done = corrections.correct_visit_name(
                    session, now=now, visit=visit, name=request.name, by=user_id, roles=ctx.roles
                )
            pass_number = visit.pass_number
    except (VisitorNotFound, corrections.NothingToCorrect) as error:
        raise UserError(f"Nothing corrected: {esc(str(error))}.", VISITOR_CORRECT_FORM) from None
    where = f" (pass {esc(pass_number)})" if pass_number else ""
    respond(**ephemeral(f":pencil2: Corrected{where}: {_change(done)}.{_redrawn(done)}"))


def correct_message(ctx: HandlerContext, user_id: str, request: Correction, respond: Reply) -> None:
    """Correct a phone message's caller or recipient."""
    _require_known(ctx, request, MESSAGE_CORRECT_FORM)
    now = ctx.clock.now()
    try:
        with session_scope(ctx.engine) as session:
            item, message = corrections.find_message(session, now=now, caller=request.query)
            if request.person_id is not None:
                done = corrections.correct_recipient(
                    session,
                    now=now,
                    item=item,
                    message=message,
                    to=request.person_id,
                    by=user_id,
                    roles=ctx.roles,
                    desk_channel=ctx.desk_channel,
                    teams=ctx.policy.team_book(),
                )
            else:
                assert request.name is not None
                done = corrections.correct_caller(
                    session,
                    now=now,
                    item=item,
                    message=message,
                    caller=request.name,
                    by=user_id,
                    roles=ctx.roles,
                )
            taken = date_token(message.taken_at, ctx.directory.zone_of(user_id, ctx.site_tz))
    except corrections.NothingToCorrect as error:
        raise UserError(f"Nothing corrected: {esc(str(error))}.", MESSAGE_CORRECT_FORM) from None
    line = f":pencil2: Corrected the message taken {taken}: {_change(done)}.{_redrawn(done)}"
    respond(**ephemeral(line))


def _require_known(ctx: HandlerContext, request: Correction, form: str) -> None:
    """The right host or recipient must be someone the directory knows."""
    if request.person_id is not None and ctx.directory.get(request.person_id) is None:
        raise UserError(not_found(request.person_id), form)


def _change(done: corrections.Corrected) -> str:
    if done.field in ("host", "recipient"):
        old = mention(done.old) if done.old else "nobody (routed)"
        return f"{done.field} {old} → {mention(done.new)}, who has been told"
    return f"{done.field} “{esc(done.old)}” → “{esc(done.new)}”"


def _redrawn(done: corrections.Corrected) -> str:
    if not done.posts:
        return ""
    return f" {done.posts} earlier post{'' if done.posts == 1 else 's'} will show it."
