"""The report's incidents CSV: each incident of the period (by when it happened), the site that
received it, who logged it, and whether it began as a call for help (`/desk assist`) and who answered it.

What was typed is kept (the managers need it), with phone numbers and e-mail addresses taken out
as in the visits CSV; an anonymised incident says so in its own words. People are shown by their
Slack handle.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.domain.contacts import scrub_contacts
from bot.domain.reports.csv_cells import typed
from bot.domain.reports.visits_csv import handle, site_time
from storage.models import Incident

HEADER = (
    "incident",
    "site",
    "happened",
    "when_typed",
    "location",
    "who",
    "what",
    "logged_by",
    "logged",
    "call_for_help",
    "answered_by",
)


def incidents_csv(
    incidents: Sequence[Incident],
    called: Mapping[int, bool],
    names: Mapping[str, str],
    tz: ZoneInfo,
) -> bytes:
    """The incidents, earliest first, as CSV (UTF-8, a header row, site times); `called`: the
    ids of those a call for help opened."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for incident in incidents:
        assert incident.id is not None
        writer.writerow(
            (
                f"#{incident.id}",
                incident.site,
                site_time(incident.occurred_at, tz),
                typed(scrub_contacts(incident.occurred)),
                typed(scrub_contacts(incident.location or "")),
                typed(scrub_contacts(incident.who or "")),
                typed(scrub_contacts(incident.what)),
                handle(incident.reported_by, names),
                site_time(incident.created_at, tz),
                "yes" if called.get(incident.id) else "no",
                handle(incident.responded_by, names) if incident.responded_by else "",
            )
        )
    return buffer.getvalue().encode("utf-8")
