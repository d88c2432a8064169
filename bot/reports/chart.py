"""The report's chart: compliance by week, and calls by hour of day and weekday (PNG).

matplotlib is imported here, when a chart is drawn, never on the start-up path; the
object-oriented API with the Agg canvas draws off-screen without touching global state.
"""

from __future__ import annotations

import io
from typing import Any

from bot.reports.figures import KIND_LABELS, WEEKDAYS, Report

COLOURS = {
    "phone_message": "#1f77b4",
    "visitor_arrival": "#9467bd",
    "enquiry_ack": "#ff7f0e",
    "enquiry_resolve": "#2ca02c",
}


def render_png(report: Report) -> bytes:
    """Draw the report's chart and return the PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(11, 7.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 3)
    figure.suptitle(f"Front Desk: {report.label}", fontsize=14, fontweight="bold")

    compliance = figure.add_subplot(grid[0, :])
    weeks = [week for week, _ in report.compliance_by_week]
    labels = [f"{week:%d %b}" for week in weeks]
    for figures in report.kinds:
        shares = [shares.get(figures.kind) for _, shares in report.compliance_by_week]
        points = [(i, s * 100) for i, s in enumerate(shares) if s is not None]
        if not points:
            continue
        compliance.plot(
            [i for i, _ in points],
            [s for _, s in points],
            marker="o",
            label=KIND_LABELS.get(figures.kind, figures.kind),
            color=COLOURS.get(figures.kind),
        )
    compliance.set_title("Answered within the window, by week (due)")
    compliance.set_ylim(0, 118)  # headroom for the legend above 100%
    compliance.set_yticks(range(0, 101, 20))
    compliance.yaxis.set_major_formatter(PercentFormatter())
    compliance.set_xticks(range(len(weeks)), labels, rotation=45 if len(weeks) > 8 else 0)
    compliance.grid(axis="y", alpha=0.3)
    if compliance.lines:
        compliance.legend(loc="upper center", ncols=4, fontsize=9, frameon=False)
    else:
        compliance.text(
            0.5, 0.5, "No windows in this period", ha="center", transform=compliance.transAxes
        )

    hours = figure.add_subplot(grid[1, :2])
    busy = [h for h, n in enumerate(report.calls_by_hour) if n]
    first, last = min([7, *busy]), max([18, *busy])  # the working day, widened to any call
    shown = range(first, last + 1)
    hours.bar(list(shown), [report.calls_by_hour[h] for h in shown], color="#1f77b4")
    hours.set_title(f"Calls by hour of day ({report.calls} in all, site time)")
    hours.set_xticks(list(shown), [f"{h:02d}" for h in shown], fontsize=8)
    hours.set_xlabel("hour starting", fontsize=8)
    hours.grid(axis="y", alpha=0.3)
    _whole_counts(hours, report.calls_by_hour)

    weekdays = figure.add_subplot(grid[1, 2])
    weekdays.bar(range(7), report.calls_by_weekday, color="#17becf")
    weekdays.set_title("Calls by weekday")
    weekdays.set_xticks(range(7), WEEKDAYS, fontsize=8)
    weekdays.grid(axis="y", alpha=0.3)
    _whole_counts(weekdays, report.calls_by_weekday)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _whole_counts(axes: Any, counts: list[int]) -> None:
    """Counts are whole calls from 0 up: no negative axis (matplotlib centres an all-zero
    chart on 0, at -0.04..0.04), and no fractional ticks."""
    from matplotlib.ticker import MaxNLocator

    axes.set_ylim(0, max(max(counts, default=0), 1) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
