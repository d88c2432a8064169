"""The report's CSV: one row per window (due or answered in the period), with no caller's or
visitor's name or contact details; owners are shown by their Slack handle."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports.figures import Report

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
                facts.outcome or "",
                _yes_no(outcome.within if outcome.decided else None),
                "" if outcome.business_hours is None else f"{outcome.business_hours:.2f}",
                _yes_no(outcome.breached),
                _yes_no(facts.revised),
                facts.enquiry_ref or "",
                (facts.told_by or "").replace("_", " "),
                facts.customer_outcome or "",
            )
        )
    return buffer.getvalue().encode("utf-8")
