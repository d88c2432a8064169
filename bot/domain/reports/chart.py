"""The report's chart: compliance by week, and calls in and out by hour of day and by day (PNG).

matplotlib is imported here, when a chart is drawn, never on the start-up path; the
object-oriented API with the Agg canvas draws off-screen without touching global state.
"""

from __future__ import annotations

import io
import math
from typing import Any

from bot.domain.reports.figures import KIND_LABELS, Report

COLOURS = {
    "phone_message": "#1f77b4",
    "visitor_arrival": "#9467bd",
    "enquiry_ack": "#ff7f0e",
    "enquiry_resolve": "#2ca02c",
}
CALLS_IN, CALLS_OUT = "#1f77b4", "#ff7f0e"


def render_png(report: Report) -> bytes:
    """Draw the report's chart and return the PNG bytes."""
    buffer = io.BytesIO()
    draw(report).savefig(buffer, format="png")
    return buffer.getvalue()


def draw(report: Report) -> Any:
    """The chart as a matplotlib Figure: compliance by week (its axes first, one line a kind),
    calls by hour (second: in, then out stacked on it) and calls by day (third)."""
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
    shown = list(range(first, last + 1))
    ins = [report.calls_in_by_hour[h] for h in shown]
    outs = [report.calls_out_by_hour[h] for h in shown]
    hours.bar(shown, ins, color=CALLS_IN, label="in")
    hours.bar(shown, outs, bottom=ins, color=CALLS_OUT, label="out")
    hours.set_title(
        f"Calls by hour of day ({report.calls_in} in, {report.calls_out} out, site time)"
    )
    hours.set_xticks(shown, [f"{h:02d}" for h in shown], fontsize=8)
    hours.set_xlabel("hour starting", fontsize=8)
    hours.grid(axis="y", alpha=0.3)
    hours.legend(loc="upper right", fontsize=8, frameon=False)
    _whole_counts(hours, report.calls_by_hour)

    days = figure.add_subplot(grid[1, 2])
    by_day = report.calls_by_day
    day_in = [d.calls_in for d in by_day]
    day_out = [d.calls_out for d in by_day]
    positions = list(range(len(by_day)))
    days.bar(positions, day_in, color=CALLS_IN)
    days.bar(positions, day_out, bottom=day_in, color=CALLS_OUT)
    days.set_title("Calls by day")
    step = max(1, math.ceil(len(by_day) / 10))  # about ten labels, however long the period
    days.set_xticks(
        positions[::step],
        [f"{d.day:%a %d}" if len(by_day) <= 14 else f"{d.day:%d %b}" for d in by_day[::step]],
        fontsize=7,
        rotation=45 if len(by_day) > 7 else 0,
    )
    days.grid(axis="y", alpha=0.3)
    _whole_counts(days, [a + b for a, b in zip(day_in, day_out, strict=True)])
    return figure


def _whole_counts(axes: Any, counts: list[int]) -> None:
    """Counts are whole calls from 0 up: no negative axis (matplotlib centres an all-zero
    chart on 0, at -0.04..0.04), and no fractional ticks."""
    from matplotlib.ticker import MaxNLocator

    axes.set_ylim(0, max(max(counts, default=0), 1) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
