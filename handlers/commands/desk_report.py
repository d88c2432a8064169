"""`/desk report [this week | last week | <from> to <to>]`: managers only.

The manager gets the summary at once (ephemeral); the chart and the CSV follow by DM,
uploaded by the outbox sender with `files_upload_v2`.
"""

from __future__ import annotations

from bot.reports.export import render_report
from bot.reports.periods import PERIOD_FORM, PeriodError, parse_period
from bot.roles import require_manager
from handlers.blocks import reports as blocks
from handlers.blocks.common import context
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage import outbox
from storage.db import session_scope


def report(ctx: HandlerContext, call: DeskCall) -> None:
    """Compute the report, answer with its summary and send the files by DM."""
    require_manager(ctx.roles, call.user_id, "see reports (`/desk report`)")
    now = ctx.clock.now()
    try:
        period = parse_period(clean(call.rest), now.astimezone(ctx.site_tz).date())
    except PeriodError as error:
        raise UserError(esc(str(error)), PERIOD_FORM) from None
    rendered = render_report(ctx.engine, ctx.policy, period, now)
    text, shown = blocks.summary_blocks(rendered.report.summary())
    call.respond(**ephemeral(text, shown + [context("The chart and CSV follow by DM.")]))
    with session_scope(ctx.engine) as session:
        outbox.enqueue(
            session,
            key=f"report:{call.user_id}:{period.first}:{period.last}:{now.timestamp():.0f}",
            template="report",
            target=call.user_id,
            params=rendered.outbox_params(),
            now=now,
        )


add_verb(("report",), PERIOD_FORM + " managers' report", report)
