"""`/desk in`, `/desk out …`, `/desk board`, `/desk roll-call`: the in/out board (policy 000)."""

from __future__ import annotations

import re

from bot.domain.notices import ListenerReply, enqueue_notice
from bot.domain.services import board as board_service
from bot.domain.services import roll_call as roll_call_service
from bot.domain.services import sites, visitors
from handlers.blocks import board as blocks
from handlers.blocks import roll_call as roll_call_blocks
from handlers.blocks.ooo import back_on
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.people import everyone, remember
from handlers.replies import UserError, ephemeral
from handlers.sites import own_site, site_here
from handlers.text import date_token, esc
from storage.db import session_scope

_FOR_THE_DAY = re.compile(
    r"^(?:for\s+(?:the\s+)?day|for\s+today|today|for\s+the\s+rest\s+of\s+the\s+day)$",
    re.IGNORECASE,
)
_BACK = re.compile(r"^(?:back|until|till|returning)\s+(?:at\s+|on\s+)?(.+)$", re.IGNORECASE)


def check_in(ctx: HandlerContext, call: DeskCall) -> None:
    """`/desk in`."""
    remember(ctx, [call.user_id])
    now = ctx.clock.now()
    tz = ctx.directory.zone_of(call.user_id, ctx.site_tz)
    with session_scope(ctx.engine) as session:
        board_service.check_in(session, user_id=call.user_id, now=now)
        status = board_service.status_of(session, call.user_id, now=now)
    text = ":office: You are in the office. The board shows it."
    if status.state == board_service.AWAY and status.back_at:
        text += (
            f"\nYou are still set out of office until {back_on(status.back_at, tz)}: "
            "`/ooo back` ends that."
        )
    call.respond(**ephemeral(text))


def check_out(ctx: HandlerContext, call: DeskCall) -> None:
    """`/desk out back <when>` or `/desk out for the day`."""
    rest = clean(call.rest)
    now = ctx.clock.now()
    here = own_site(ctx, call.user_id)  # back at the next opening of the person's own site
    tz = ctx.directory.zone_of(call.user_id, here.tz)
    if _FOR_THE_DAY.match(rest):
        remember(ctx, [call.user_id])
        with session_scope(ctx.engine) as session:
            gone = board_service.out_for_the_day(
                session, user_id=call.user_id, now=now, calendar=here.calendar
            )
        back_at = f" ({date_token(gone.back_at, tz)})" if gone.back_at else ""
        text = (
            ":house: You are out for the day; the board shows you back at the next opening"
            f"{back_at}."
        )
    else:
        back = _BACK.match(rest) if rest else None
        if back is None:
            raise UserError(
                "Say when you will be back, or that you are out for the day.", blocks.OUT_FORM
            )
        remember(ctx, [call.user_id])
        try:
            with session_scope(ctx.engine) as session:
                off = board_service.out_until(
                    session,
                    user_id=call.user_id,
                    phrase=back.group(1),
                    now=now,
                    tz=tz,
                    date_order=here.date_order,
                )
        except board_service.BoardError as error:
            raise UserError(esc(str(error)), blocks.OUT_FORM) from None
        text = f":car: You are off-site, back {date_token(off.back_at, tz)}."
        if off.rolled_to_tomorrow:
            text += " That time has passed today, so I took it as *tomorrow*."
    call.respond(**ephemeral(text))


def show_board(ctx: HandlerContext, call: DeskCall) -> None:
    """`/desk board` (your site's) or `/desk board all` (every site's, each under its name)."""
    every = clean(call.rest).lower()
    if every not in ("", "all"):
        raise UserError(f"I don't know `/desk board {esc(every[:40])}`.", "`/desk board [all]`")
    remember(ctx, [call.user_id])
    names = everyone(ctx)
    tz = ctx.directory.zone_of(call.user_id, ctx.site_tz)
    policy = ctx.policy
    with session_scope(ctx.engine) as session:
        site_of = sites.sites_of(session, policy, names)
        own = sites.site_of_person(session, policy, call.user_id)
        shown = policy.site_ids() if every else (own,)
        boards = [
            (
                policy.site_name(site),
                board_service.board(
                    session, [u for u in names if site_of[u] == site], now=ctx.clock.now()
                ),
            )
            for site in shown
        ]
    if every:
        view = blocks.all_boards_blocks(boards, names, tz)
    else:
        view = blocks.board_blocks(
            boards[0][1], names, tz, boards[0][0] if policy.multi_site else None
        )
    call.respond(**ephemeral("The in/out board", view))


def roll_call(ctx: HandlerContext, call: DeskCall) -> None:
    """`/desk roll-call`: post everyone on site to this channel, with *Accounted for* buttons."""
    remember(ctx, [call.user_id])
    names = everyone(ctx)
    now = ctx.clock.now()
    channel = str(call.command.get("channel_id") or "")
    here = site_here(ctx, call.user_id, channel)  # the desk channel's site, else the caller's
    with session_scope(ctx.engine) as session:
        site_of = sites.sites_of(session, ctx.policy, names)
        grouped = board_service.board(
            session, [u for u in names if site_of[u] == here.site], now=now
        )
        on_site = visitors.on_site(session, here.site)
    if not channel:
        raise UserError("Run the roll call in a channel.", blocks.ROLL_CALL_USAGE)
    tz = here.tz
    with session_scope(ctx.engine) as session:
        shown = roll_call_service.start(
            session,
            now=now,
            channel=channel,
            called_by=call.user_id,
            head=roll_call_blocks.head(grouped, names, on_site, run_by=call.user_id, at=now, tz=tz),
            labels=roll_call_blocks.labels(grouped, names, on_site, tz),
        )
        for n, (text, message_blocks) in enumerate(roll_call_blocks.posts(shown, tz)):
            enqueue_notice(
                session,
                ListenerReply(text=text, blocks=tuple(message_blocks)),
                key=roll_call_service.post_key(int(shown.roll_call.id or 0), n),
                target=channel,
                now=now,
            )
    call.respond(
        **ephemeral(
            ":rotating_light: The roll call is being posted here: click *Accounted for* as each "
            "person is found. (If it does not appear, invite me with `/invite @Front Desk`, "
            "or run it in the desk channel.)"
        )
    )


add_verb(("in",), blocks.IN_USAGE, check_in)
add_verb(("out",), blocks.OUT_USAGE, check_out)
add_verb(("board",), blocks.BOARD_USAGE, show_board)
add_verb(("roll-call", "rollcall", "roll"), blocks.ROLL_CALL_USAGE, roll_call)
