"""`frontdesk report`: the managers' report written to a directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.domain.config import ConfigError, Policy, Settings


def write_report_files(settings: Settings, policy: Policy, start: str, end: str, out: Path) -> int:
    """Write the PNG chart and CSV for [start, end] into `out` and say where."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ConfigError(
            f"--from/--to: expected dates as YYYY-MM-DD, got {start!r} and {end!r}"
        ) from None
    if last < first:
        raise ConfigError("--to: the last day is before the first")
    from bot.domain.reports.export import write_report
    from storage.db import make_engine

    files = write_report(make_engine(settings.database_url), policy, first, last, out)
    for path in files:
        print(path)
    return 0
