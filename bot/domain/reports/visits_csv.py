"""The report's visits CSV: the visitor log of the period (the sign-in sheet, for the record).

Names and organisations are as recorded (anonymised ones say so); notes are left out, since a
note may hold a number the host was given. Hosts are shown by their Slack handle.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.contacts import scrub_contacts
from bot.domain.reports.csv_cells import typed
from storage.models import Visit

HEADER = (
    "pass",
    "visitor",
    "organisation",
    "host",
    "escort",
    "arrived",
    "left",
    "state",
    "logged_by",
)


def site_time(instant: datetime | None, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M") if instant else ""


def handle(user_id: str, names: Mapping[str, str]) -> str:
    name = names.get(user_id)
    return f"@{name}" if name else user_id


def visits_csv(visits: Sequence[Visit], names: Mapping[str, str], tz: ZoneInfo) -> bytes:
    """The visits, earliest arrival first, as CSV (UTF-8, a header row, site times)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for visit in visits:
        writer.writerow(
            (
                visit.pass_number or "",
                typed(scrub_contacts(visit.name)),
                typed(scrub_contacts(visit.organisation or "")),
                handle(visit.host_id, names),
                handle(visit.escort_id, names) if visit.escort_id else "",
                site_time(visit.arrived_at, tz),
                site_time(visit.left_at, tz),
                visit.state,
                handle(visit.logged_by, names),
            )
        )
    return buffer.getvalue().encode("utf-8")
