"""The report as files: what `frontdesk report` writes and what the Slack posts attach."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine

from bot.domain import notices
from bot.domain.config import Policy
from bot.domain.reports.chart import render_png
from bot.domain.reports.csv_export import calls_csv, to_csv
from bot.domain.reports.figures import KIND_LABELS, Report, build_report
from bot.domain.reports.incidents_csv import incidents_csv
from bot.domain.reports.periods import Period
from bot.domain.reports.visits_csv import visits_csv as visitors_csv
from bot.domain.services.visitor_log import all_between
from storage import reports as data
from storage.db import session_scope


class ReportFiles(NamedTuple):
    """Where the chart and the CSVs (items, visits, calls, incidents) were written."""

    chart: Path
    csv: Path
    visits: Path
    calls_csv: Path
    incidents_csv: Path


@dataclass(frozen=True)
class Rendered:
    """A computed report, with its chart and CSV."""

    report: Report
    png: bytes
    csv: bytes
    visits_csv: bytes = b""
    calls_csv: bytes = b""
    site: str | None = None  # a report cut by site
    incidents_csv: bytes = b""

    @property
    def stem(self) -> str:
        period = self.report.period
        stem = f"frontdesk-report-{period.first.isoformat()}-to-{period.last.isoformat()}"
        return f"{stem}-{self.site}" if self.site else stem

    @property
    def visits_stem(self) -> str:
        period = self.report.period
        stem = f"frontdesk-visits-{period.first.isoformat()}-to-{period.last.isoformat()}"
        return f"{stem}-{self.site}" if self.site else stem

    def files(self) -> tuple[notices.ReportFile, ...]:
        """The chart and the CSV as the post carries them (base64), for the sender to upload."""
        label = self.report.label
        return (
            notices.ReportFile(
                filename=f"{self.stem}.png",
                title=f"Front Desk chart, {label}",
                content_b64=base64.b64encode(self.png).decode("ascii"),
            ),
            notices.ReportFile(
                filename=f"{self.stem}.csv",
                title=f"Front Desk items, {label}",
                content_b64=base64.b64encode(self.csv).decode("ascii"),
            ),
            notices.ReportFile(
                filename=f"{self.visits_stem}.csv",
                title=f"Front Desk visitor log, {label}",
                content_b64=base64.b64encode(self.visits_csv).decode("ascii"),
            ),
            notices.ReportFile(
                filename=f"{self.stem}-calls.csv",
                title=f"Front Desk calls, {label}",
                content_b64=base64.b64encode(self.calls_csv).decode("ascii"),
            ),
            notices.ReportFile(
                filename=f"{self.stem}-incidents.csv",
                title=f"Front Desk incidents, {label}",
                content_b64=base64.b64encode(self.incidents_csv).decode("ascii"),
            ),
        )

    def notice(self) -> notices.Report:
        """The report's post: its summary (as `Report.summary()` gives it), then its files."""
        report, period = self.report, self.report.period
        return notices.Report(
            first=period.first,
            last=period.last,
            label=report.label,
            kinds=tuple(
                notices.ReportKind(
                    kind=k.kind,
                    label=KIND_LABELS.get(k.kind, k.kind),
                    count=k.count,
                    answered=k.answered,
                    share_within=k.share_within,
                    median_hours=k.median_hours,
                    p90_hours=k.p90_hours,
                )
                for k in report.kinds
            ),
            breaches_by_owner=report.breaches_by_owner,
            breaches_by_team=report.breaches_by_team,
            late_notices=report.late_notices,
            visits=report.visits,
            calls=report.calls,
            calls_by_hour=tuple(report.calls_by_hour),
            calls_by_weekday=tuple(report.calls_by_weekday),
            calls_in=report.calls_in,
            calls_out=report.calls_out,
            calls_in_by_hour=tuple(report.calls_in_by_hour),
            calls_out_by_hour=tuple(report.calls_out_by_hour),
            calls_by_day=tuple(
                notices.ReportCallDay(day=d.day, calls_in=d.calls_in, calls_out=d.calls_out)
                for d in report.calls_by_day
            ),
            incidents=report.incidents,
            enquiries_by_kind=report.enquiries_by_kind,
            enquiries_by_channel=report.enquiries_by_channel,
            files=self.files(),
        )


def render_report(
    engine: Engine, policy: Policy, period: Period, as_of: datetime, site: str | None = None
) -> Rendered:
    """Compute the report of `period` (of what `site` received, or of everything) and draw its
    chart and CSV."""
    calendar = policy.calendar(site)
    name = policy.site_name(site) if site else None
    with session_scope(engine) as session:
        report = build_report(session, period, calendar, as_of, site=site, site_name=name)
        logged = all_between(session, period, tz=calendar.tz)
        if site is not None:
            logged = [visit for visit in logged if visit.site == site]
        visits = visitors_csv(logged, report.names, calendar.tz)
        start, end = period.bounds(calendar.tz)
        incidents, called = data.incidents_between(session, start, end, site)
        incidents_file = incidents_csv(incidents, called, report.names, calendar.tz)
    csv = to_csv(report, calendar.tz)
    calls = calls_csv(report, calendar.tz)
    return Rendered(report, render_png(report), csv, visits, calls, site, incidents_file)


def write_report(
    engine: Engine,
    policy: Policy,
    start: date,
    end: date,
    out_dir: Path,
    *,
    as_of: datetime | None = None,
) -> ReportFiles:
    """Write the report of the days `start`..`end` (inclusive) as PNG and CSV into `out_dir`."""
    if as_of is None:
        from bot.domain.clock import SystemClock

        as_of = SystemClock().now()
    rendered = render_report(engine, policy, Period(start, end), as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(
        out_dir / f"{rendered.stem}.png",
        out_dir / f"{rendered.stem}.csv",
        out_dir / f"{rendered.visits_stem}.csv",
        out_dir / f"{rendered.stem}-calls.csv",
        out_dir / f"{rendered.stem}-incidents.csv",
    )
    files.chart.write_bytes(rendered.png)
    files.csv.write_bytes(rendered.csv)
    files.visits.write_bytes(rendered.visits_csv)
    files.calls_csv.write_bytes(rendered.calls_csv)
    files.incidents_csv.write_bytes(rendered.incidents_csv)
    return files
