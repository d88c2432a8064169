"""Block Kit for the managers' report summary (the chart and CSV are attached as files)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, context, section
from handlers.text import esc

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FOOTNOTE = (
    "Items are windows due in the period; breaches are theirs. Within window: answered no "
    "later than the deadline in force (of those answered or past due). Times to answer are "
    "business hours, for the answers given in the period. Calls in are calls logged with "
    "`/call in`, phone messages and enquiries by phone; calls out are logged with `/call out`. "
    "Incidents are counted by when they happened."
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
    blocks.append(
        section(
            calls_text(summary)
            + f"\n*Visitors signed in:* {summary['visits']}"
            + f"\n*Incidents:* {summary.get('incidents', 0)}"
        )
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


def calls_text(summary: dict[str, Any]) -> str:
    """Calls in and out, the busiest hour and day, and the calls by hour of the working day."""
    total = int(summary["calls"])
    calls_in = int(summary.get("calls_in", total))
    calls_out = int(summary.get("calls_out", 0))
    text = f"*Calls:* {total} ({calls_in} in, {calls_out} out)"
    if not total:
        return text
    by_hour = summary["calls_by_hour"]
    hour = max(range(24), key=lambda h: by_hour[h])
    text += f" · busiest hour {hour:02d}:00–{hour + 1:02d}:00"
    days = summary.get("calls_by_day") or []
    if days:
        busiest = max(days, key=lambda d: d["calls_in"] + d["calls_out"])
        day = date.fromisoformat(str(busiest["day"]))
        text += f" · busiest day {day:%a %d %b}"
    else:
        weekday = max(range(7), key=lambda d: summary["calls_by_weekday"][d])
        text += f" · busiest day {WEEKDAYS[weekday]}"
    ins = summary.get("calls_in_by_hour") or by_hour
    outs = summary.get("calls_out_by_hour") or [0] * 24
    hours = [h for h in range(24) if by_hour[h]]
    lines = [f"{h:02d}:00  {ins[h]} in, {outs[h]} out" for h in hours]
    return text + "\n*Calls by hour:*\n```" + "\n".join(lines) + "```"
