"""The report's figures: pure computation from what storage/reports.py reads.

Definitions (shown to managers in the report's footnote; DESIGN "Reports": a period counts the
items due in it and the answers and breaches that happened in it):
- An item is a response window (a phone message, a visitor arrival, an enquiry's acknowledge
  or resolve stage) due in the period; the count per kind is of those.
- Answered within window: done no later than its deadline in force (DESIGN "Business time"; a
  deadline moved by "Running late…" counts as the new one; the late notices are counted on
  their own).
- The share is of the items due in the period whose outcome is known: answered, or past their
  deadline (at the due instant itself it is not yet past).
- Time to answer is business time from start to done (the site's calendar), in hours, for the
  answers given in the period (whenever the item started).
- A breach is an item due in the period and answered after its deadline, or still open past it.
- Calls are the calls logged with `/call` (in and out), and phone messages and enquiries by
  phone (calls in), by the site's local time.
- Incidents are counted by when they happened.
- Enquiries by kind and by channel are those received in the period.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from bot.domain.reports.periods import Period
from storage import reports as data
from storage.reports import CallFacts, ItemFacts

KIND_ORDER = ("phone_message", "visitor_arrival", "enquiry_ack", "enquiry_resolve")
KIND_LABELS = {
    "phone_message": "Phone messages",
    "visitor_arrival": "Visitor arrivals",
    "enquiry_ack": "Enquiries: acknowledged",
    "enquiry_resolve": "Enquiries: resolved",
}
NO_TEAM = "(no team)"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Inputs:
    """Everything the figures are computed from."""

    items: Sequence[ItemFacts]
    teams: dict[str, str]
    calls: Sequence[CallFacts]
    late_notices: int
    visits: int
    incidents: int = 0
    names: dict[str, str] = field(default_factory=dict)  # user ID → handle, for the CSV
    enquiries: Sequence[tuple[str, str]] = ()  # (kind, channel) of each enquiry received


@dataclass(frozen=True)
class ItemOutcome:
    """One item as the report judges it."""

    facts: ItemFacts
    team: str
    answered: bool
    within: bool
    decided: bool
    breached: bool
    business_hours: float | None
    due_here: bool = True  # due in the period: counted, judged on time or not
    answered_here: bool = True  # answered in the period: its time to answer counts


@dataclass(frozen=True)
class KindFigures:
    kind: str
    count: int
    answered: int
    decided: int
    within: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def share_within(self) -> float | None:
        return self.within / self.decided if self.decided else None


@dataclass(frozen=True)
class CallDay:
    """Calls in and out on one day of the period (site time)."""

    day: date
    calls_in: int = 0
    calls_out: int = 0


@dataclass(frozen=True)
class Report:
    period: Period
    as_of: datetime
    kinds: list[KindFigures]
    breaches_by_owner: dict[str, int]
    breaches_by_team: dict[str, int]
    late_notices: int
    visits: int
    calls_by_hour: list[int]
    calls_by_weekday: list[int]
    compliance_by_week: list[tuple[date, dict[str, float | None]]]
    outcomes: list[ItemOutcome] = field(repr=False)
    names: dict[str, str] = field(default_factory=dict, repr=False)  # user ID → handle
    calls_in_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    calls_out_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    calls_by_day: list[CallDay] = field(default_factory=list)  # each day of the period
    call_list: list[CallFacts] = field(default_factory=list, repr=False)
    incidents: int = 0
    enquiries_by_kind: dict[str, int] = field(default_factory=dict)  # received in the period
    enquiries_by_channel: dict[str, int] = field(default_factory=dict)
    site_name: str | None = None  # a report cut by site

    @property
    def label(self) -> str:
        """The period, and the site when the report is cut by one."""
        label = self.period.label
        return f"{label}, {self.site_name}" if self.site_name else label

    def owner_name(self, facts: ItemFacts) -> str:
        """Who had the item, as people know them: `@alice`, or `desk` for a channel."""
        if not facts.owner_is_person:
            return "desk"
        name = self.names.get(facts.owner)
        return f"@{name}" if name else facts.owner

    @property
    def calls(self) -> int:
        return sum(self.calls_by_hour)

    @property
    def calls_in(self) -> int:
        return sum(self.calls_in_by_hour)

    @property
    def calls_out(self) -> int:
        return sum(self.calls_out_by_hour)

    def summary(self) -> dict[str, Any]:
        """The figures as JSON-ready values, for the summary message."""
        return {
            "first": self.period.first.isoformat(),
            "last": self.period.last.isoformat(),
            "label": self.label,
            "kinds": [
                {
                    "kind": k.kind,
                    "label": KIND_LABELS.get(k.kind, k.kind),
                    "count": k.count,
                    "answered": k.answered,
                    "share_within": k.share_within,
                    "median_hours": k.median_hours,
                    "p90_hours": k.p90_hours,
                }
                for k in self.kinds
            ],
            "breaches_by_owner": self.breaches_by_owner,
            "breaches_by_team": self.breaches_by_team,
            "late_notices": self.late_notices,
            "visits": self.visits,
            "calls": self.calls,
            "calls_in": self.calls_in,
            "calls_out": self.calls_out,
            "calls_by_hour": self.calls_by_hour,
            "calls_in_by_hour": self.calls_in_by_hour,
            "calls_out_by_hour": self.calls_out_by_hour,
            "calls_by_weekday": self.calls_by_weekday,
            "calls_by_day": [
                {"day": d.day.isoformat(), "calls_in": d.calls_in, "calls_out": d.calls_out}
                for d in self.calls_by_day
            ],
            "incidents": self.incidents,
            "enquiries_by_kind": self.enquiries_by_kind,
            "enquiries_by_channel": self.enquiries_by_channel,
        }


def gather(
    session: Session, period: Period, calendar: BusinessCalendar, site: str | None = None
) -> Inputs:
    """Read what the report of `period` needs (what `site` received; everything when None)."""
    start, end = period.bounds(calendar.tz)
    return Inputs(
        items=data.items_due_or_done(session, start, end, site),
        teams=data.teams(session),
        names=data.names(session),
        calls=data.call_times(session, start, end, site),
        late_notices=data.late_notices(session, start, end, site),
        visits=data.visits_arrived(session, start, end, site),
        incidents=data.incidents_in(session, start, end, site),
        enquiries=data.enquiries_received(session, start, end, site),
    )


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the smallest value with `fraction` of all at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def judge(
    facts: ItemFacts,
    teams: dict[str, str],
    calendar: BusinessCalendar,
    as_of: datetime,
    bounds: tuple[datetime, datetime] | None = None,
) -> ItemOutcome:
    """Was it answered, in time, how fast, and was it breached (as of `as_of`)? With `bounds`
    ([start, end) of the period), whether it was due, and answered, in the period."""
    done = facts.done_at if facts.done_at is not None and facts.done_at <= as_of else None
    answered = done is not None
    within = answered and done is not None and done <= facts.due_at
    # Nothing is overdue before its due instant has passed (DESIGN "Business time").
    decided = answered or facts.due_at < as_of
    start, end = bounds if bounds is not None else (None, None)
    due_here = start is None or end is None or start <= facts.due_at < end
    answered_here = done is not None and (start is None or end is None or start <= done < end)
    hours = (
        calendar.working_time_between(facts.started_at, done) / timedelta(hours=1)
        if done is not None
        else None
    )
    # The team it opened with; items from before teams were kept: the owner's team today.
    team = facts.team or (teams.get(facts.owner, NO_TEAM) if facts.owner_is_person else NO_TEAM)
    return ItemOutcome(
        facts=facts,
        team=team,
        answered=answered,
        within=within,
        decided=decided,
        breached=decided and not within,
        business_hours=hours,
        due_here=due_here,
        answered_here=answered_here,
    )


def compute(inputs: Inputs, period: Period, calendar: BusinessCalendar, as_of: datetime) -> Report:
    """Compute every figure of the report."""
    tz = calendar.tz
    bounds = period.bounds(tz)
    outcomes = [judge(f, inputs.teams, calendar, as_of, bounds) for f in inputs.items]
    by_kind: dict[str, list[ItemOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.facts.kind].append(outcome)
    kinds = sorted(by_kind, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))
    figures = [_kind_figures(kind, by_kind[kind]) for kind in kinds]

    breached = [o for o in outcomes if o.breached and o.due_here]
    by_owner = Counter(o.facts.owner for o in breached)
    by_team = Counter(o.team for o in breached)

    hours_in, hours_out = [0] * 24, [0] * 24
    weekdays = [0] * 7
    span = (period.last - period.first).days + 1
    days = {period.first + timedelta(days=n): [0, 0] for n in range(span)}
    for call in inputs.calls:
        local = call.at.astimezone(tz)
        outgoing = call.direction == "out"
        (hours_out if outgoing else hours_in)[local.hour] += 1
        weekdays[local.weekday()] += 1
        days.setdefault(local.date(), [0, 0])[int(outgoing)] += 1

    weeks: dict[date, dict[str, list[ItemOutcome]]] = defaultdict(lambda: defaultdict(list))
    monday = period.first - timedelta(days=period.first.weekday())
    while monday <= period.last:
        weeks[monday]  # every week of the period, even one with nothing in it
        monday += timedelta(days=7)
    for outcome in outcomes:
        if not outcome.due_here:
            continue
        day = outcome.facts.due_at.astimezone(tz).date()
        weeks[day - timedelta(days=day.weekday())][outcome.facts.kind].append(outcome)
    compliance = [
        (week, {kind: _share(weeks[week].get(kind, [])) for kind in kinds})
        for week in sorted(weeks)
    ]
    return Report(
        period=period,
        as_of=as_of,
        kinds=figures,
        breaches_by_owner=dict(by_owner.most_common()),
        breaches_by_team=dict(by_team.most_common()),
        late_notices=inputs.late_notices,
        visits=inputs.visits,
        calls_by_hour=[a + b for a, b in zip(hours_in, hours_out, strict=True)],
        calls_by_weekday=weekdays,
        compliance_by_week=compliance,
        outcomes=outcomes,
        names=dict(inputs.names),
        calls_in_by_hour=hours_in,
        calls_out_by_hour=hours_out,
        calls_by_day=[CallDay(day, n_in, n_out) for day, (n_in, n_out) in sorted(days.items())],
        call_list=list(inputs.calls),
        incidents=inputs.incidents,
        enquiries_by_kind=dict(Counter(kind for kind, _ in inputs.enquiries).most_common()),
        enquiries_by_channel=dict(
            Counter(channel for _, channel in inputs.enquiries).most_common()
        ),
    )


def build_report(
    session: Session,
    period: Period,
    calendar: BusinessCalendar,
    as_of: datetime,
    *,
    site: str | None = None,
    site_name: str | None = None,
) -> Report:
    """Read and compute the report of `period`, as things stood at `as_of` (cut by `site`)."""
    report = compute(gather(session, period, calendar, site), period, calendar, as_of)
    return replace(report, site_name=site_name) if site_name else report


def _share(outcomes: Sequence[ItemOutcome]) -> float | None:
    decided = [o for o in outcomes if o.decided and o.due_here]
    return sum(o.within for o in decided) / len(decided) if decided else None


def _kind_figures(kind: str, outcomes: Sequence[ItemOutcome]) -> KindFigures:
    hours = [o.business_hours for o in outcomes if o.answered_here and o.business_hours is not None]
    due = [o for o in outcomes if o.due_here]
    return KindFigures(
        kind=kind,
        count=len(due),
        answered=sum(o.answered_here for o in outcomes),
        decided=sum(o.decided for o in due),
        within=sum(o.within for o in due if o.decided),
        median_hours=statistics.median(hours) if hours else None,
        p90_hours=percentile(hours, 0.9),
    )
