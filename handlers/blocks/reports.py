"""Block Kit for the managers' report summary (the chart and CSV are attached as files)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, context, section
from handlers.text import esc

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FOOTNOTE = (
    "Items are windows due in the period; breaches are theirs. Within window: answered no "
    "later than the deadline in force (of those answered or past due). Times to answer are "
    "business hours, for the answers given in the period. Calls are phone messages and "
    "enquiries by phone."
)


def _who(owner: str) -> str:
    return f"<#{owner}>" if owner[:1] in ("C", "G") else f"<@{owner}>"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def _counts(counts: dict[str, int]) -> str:
    """`complaint 3, question 1` (words as the policy has them, "in_person" as "in person")."""
    return ", ".join(f"{esc(k.replace('_', ' '))} {n}" for k, n in counts.items()) or "none"


def summary_blocks(summary: dict[str, Any]) -> tuple[str, list[Block]]:
    """The report's summary: per kind, breaches, late notices, calls."""
    title = f":bar_chart: *Front Desk report: {summary['label']}*"
    lines = []
    for kind in summary["kinds"]:
        share = kind["share_within"]
        share_text = "–" if share is None else f"{share * 100:.0f}%"
        lines.append(
            f"• *{kind['label']}*: {kind['count']} · {share_text} within window · "
            f"median {_hours(kind['median_hours'])}, 90th percentile {_hours(kind['p90_hours'])}"
        )
    if not lines:
        lines.append("No windows were due in this period.")
    blocks: list[Block] = [section(title + "\n" + "\n".join(lines))]

    def top(counts: dict[str, int], who: Any) -> str:
        if not counts:
            return "none"
        shown = list(counts.items())[:10]
        text = ", ".join(f"{who(name)} {n}" for name, n in shown)
        return text + (f" and {len(counts) - 10} more" if len(counts) > 10 else "")

    breaches = (
        f"*Breaches by owner:* {top(summary['breaches_by_owner'], _who)}\n"
        f"*Breaches by team:* {top(summary['breaches_by_team'], lambda t: t)}\n"
        f"*Late notices given:* {summary['late_notices']}"
    )
    blocks.append(section(breaches))
    calls = summary["calls_by_hour"]
    busiest = ""
    if summary["calls"]:
        hour = max(range(24), key=lambda h: calls[h])
        day = max(range(7), key=lambda d: summary["calls_by_weekday"][d])
        busiest = f" · busiest hour {hour:02d}:00–{hour + 1:02d}:00 · busiest day {WEEKDAYS[day]}"
    blocks.append(
        section(f"*Calls:* {summary['calls']}{busiest}\n*Visitors signed in:* {summary['visits']}")
    )
    by_kind, by_channel = summary.get("enquiries_by_kind"), summary.get("enquiries_by_channel")
    if by_kind or by_channel:
        blocks.append(
            section(
                f"*Enquiries received by kind:* {_counts(by_kind or {})}\n"
                f"*By channel:* {_counts(by_channel or {})}"
            )
        )
    blocks.append(context(FOOTNOTE))
    return f"Front Desk report: {summary['label']}", blocks


def report_post(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The outbox template: the summary (the sender uploads the files after it)."""
    return summary_blocks(params)
