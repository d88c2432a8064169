"""The report's CSVs: one row per window (due or answered in the period), and one row per call
(in or out), with no caller's or visitor's name or contact details; owners and whoever logged
a call are shown by their Slack handle."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.reports.csv_cells import typed
from bot.domain.reports.figures import Report

HEADER = (
    "item_id",
    "kind",
    "enquiry_kind",
    "enquiry_channel",
    "owner",
    "team",
    "started",
    "due",
    "done",
    "outcome",
    "answered_within_window",
    "business_hours_to_answer",
    "breached",
    "deadline_revised",
    "enquiry_ref",
    "customer_told_by",
    "customer_outcome",
)


def _local(instant: datetime | None, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M") if instant else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def to_csv(report: Report, tz: ZoneInfo) -> bytes:
    """The items of the report as CSV (UTF-8, a header row, times in the site's zone)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for outcome in report.outcomes:
        facts = outcome.facts
        writer.writerow(
            (
                facts.id,
                facts.kind,
                facts.enquiry_kind or "",
                (facts.enquiry_channel or "").replace("_", " "),
                report.owner_name(facts),
                outcome.team,
                _local(facts.started_at, tz),
                _local(facts.due_at, tz),
                _local(facts.done_at if outcome.answered else None, tz),
                typed(facts.outcome or ""),
                _yes_no(outcome.within if outcome.decided else None),
                "" if outcome.business_hours is None else f"{outcome.business_hours:.2f}",
                _yes_no(outcome.breached),
                _yes_no(facts.revised),
                facts.enquiry_ref or "",
                (facts.told_by or "").replace("_", " "),
                typed(facts.customer_outcome or ""),
            )
        )
    return buffer.getvalue().encode("utf-8")


CALLS_HEADER = ("call", "source", "direction", "day", "weekday", "time", "hour")
SOURCES = {"call": "/call", "phone_message": "phone message", "enquiry": "enquiry by phone"}


def calls_csv(report: Report, tz: ZoneInfo) -> bytes:
    """The calls of the report, one a row (times in the site's zone): the calls by hour and by
    day of the summary and the chart are counts of these rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CALLS_HEADER)
    for call in report.call_list:
        local = call.at.astimezone(tz)
        writer.writerow(
            (
                f"{call.source}:{call.id}",
                SOURCES.get(call.source, call.source),
                call.direction,
                local.date().isoformat(),
                local.strftime("%a"),
                local.strftime("%H:%M"),
                local.hour,
            )
        )
    return buffer.getvalue().encode("utf-8")
