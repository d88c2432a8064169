"""`/desk report [this week | last week | <from> to <to>]`: managers only.

The manager gets the summary in the ack (ephemeral); drawing the chart and the CSV is a task
(storage.tasks) written with the request, which leaves an outbox row that the sender posts by DM
with the files (`files_upload_v2`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.domain.notices import enqueue_notice
from bot.domain.reports.export import render_report
from bot.domain.reports.figures import build_report
from bot.domain.reports.periods import PERIOD_FORM, Period, PeriodError, parse_period
from bot.domain.roles import require_manager
from bot.domain.services import sites
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
_SITE = re.compile(r"(?:^|\s)site\s+(\S+)", re.IGNORECASE)
FORM = PERIOD_FORM.replace("]`", "] [site <id>]`", 1)


def report(ctx: HandlerContext, call: DeskCall) -> None:
    """Compute the report, answer with its summary and send the files by DM."""
    require_manager(ctx.roles, call.user_id, "see reports (`/desk report`)")
    now = ctx.clock.now()
    rest, site = _site_cut(ctx, clean(call.rest))
    tz = ctx.policy.site_config(site).tz
    try:
        period = parse_period(rest, now.astimezone(tz).date())
    except PeriodError as error:
        raise UserError(esc(str(error)), FORM) from None
    name = ctx.policy.site_name(site) if site else None
    with session_scope(ctx.engine) as session:
        report = build_report(
            session, period, ctx.policy.calendar(site), now, site=site, site_name=name
        )
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
                "site": site,
            },
            now=now,
        )
    text, shown = blocks.summary_blocks(report.summary())
    call.respond(**ephemeral(text, shown + [context("The chart and CSV follow by DM.")]))


def _site_cut(ctx: HandlerContext, rest: str) -> tuple[str, str | None]:
    """Take `site <id>` off the text: (the period's words, the site or None for every site)."""
    found = _SITE.search(rest)
    if found is None:
        return rest, None
    try:
        site = sites.find_site(ctx.policy, found.group(1))
    except sites.UnknownSite as error:
        said = esc(str(error))
        raise UserError(f"{said[:1].upper()}{said[1:]}.", FORM) from None
    return (rest[: found.start()] + " " + rest[found.end() :]).strip(), site


def send_report_files(ctx: HandlerContext, params: dict[str, Any]) -> None:
    """The task: draw the report's chart and CSV, and leave them in the outbox for the manager."""
    period = Period(date.fromisoformat(params["first"]), date.fromisoformat(params["last"]))
    as_of = datetime.fromisoformat(params["as_of"])
    site = params.get("site")  # absent from a task written before sites
    rendered = render_report(ctx.engine, ctx.policy, period, as_of, str(site) if site else None)
    with session_scope(ctx.engine) as session:
        enqueue_notice(
            session,
            rendered.notice(),
            key=str(params["key"]),
            target=str(params["user_id"]),
            now=ctx.clock.now(),
        )


add_verb(("report",), FORM + " managers' report", report)
