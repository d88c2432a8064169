"""`/desk report [this week | last week | <from> to <to>]`: managers only.

The manager gets the summary in the ack (ephemeral); drawing the chart and the CSV is a task
(storage.tasks) written with the request, which leaves an outbox row that the sender posts by DM
with the files (`files_upload_v2`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.notices import enqueue_notice
from bot.reports.export import render_report
from bot.reports.figures import build_report
from bot.reports.periods import PERIOD_FORM, Period, PeriodError, parse_period
from bot.roles import require_manager
from handlers.blocks import reports as blocks
from handlers.blocks.common import context
from handlers.commands.desk import DeskCall, add_verb
from handlers.commands.parsing import clean
from handlers.context import HandlerContext
from handlers.replies import UserError, ephemeral
from handlers.text import esc
from storage import tasks
from storage.db import session_scope

REPORT_TASK = "report_files"


def report(ctx: HandlerContext, call: DeskCall) -> None:
    """Compute the report, answer with its summary and send the files by DM."""
    require_manager(ctx.roles, call.user_id, "see reports (`/desk report`)")
    now = ctx.clock.now()
    try:
        period = parse_period(clean(call.rest), now.astimezone(ctx.site_tz).date())
    except PeriodError as error:
        raise UserError(esc(str(error)), PERIOD_FORM) from None
    with session_scope(ctx.engine) as session:
        report = build_report(session, period, ctx.policy.calendar(), now)
        key = f"report:{call.user_id}:{period.first}:{period.last}:{now.timestamp():.0f}"
        tasks.enqueue(
            session.connection(),
            key=key,
            kind=REPORT_TASK,
            params={
                "key": key,
                "user_id": call.user_id,
                "first": period.first.isoformat(),
                "last": period.last.isoformat(),
                "as_of": now.isoformat(),
            },
            now=now,
        )
    text, shown = blocks.summary_blocks(report.summary())
    call.respond(**ephemeral(text, shown + [context("The chart and CSV follow by DM.")]))


def send_report_files(ctx: HandlerContext, params: dict[str, Any]) -> None:
    """The task: draw the report's chart and CSV, and leave them in the outbox for the manager."""
    period = Period(date.fromisoformat(params["first"]), date.fromisoformat(params["last"]))
    as_of = datetime.fromisoformat(params["as_of"])
    rendered = render_report(ctx.engine, ctx.policy, period, as_of)
    with session_scope(ctx.engine) as session:
        enqueue_notice(
            session,
            rendered.notice(),
            key=str(params["key"]),
            target=str(params["user_id"]),
            now=ctx.clock.now(),
        )


add_verb(("report",), PERIOD_FORM + " managers' report", report)
