"""The managers' report on a generated quarter: the figures match an independent count,
the chart is a PNG, the CSV opens with the csv module; `/desk report` and the weekly post."""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.config import Policy
from bot.domain.jobs import JobContext
from bot.domain.reports import weekly
from bot.domain.reports.export import render_report, write_report
from bot.domain.reports.periods import Period, parse_period
from storage import audit, enquiries, items, staff
from storage.models import Enquiry, Item, Outbox, PhoneCall, PhoneMessage
from tests.conftest import SITE
from tests.helpers import block_text, last_reply, posts_to

QUARTER = Period(date(2026, 1, 5), date(2026, 4, 5))  # 13 weeks, Monday to Sunday
AS_OF = datetime(2026, 5, 1, 12, 0, tzinfo=SITE)
OWNERS = {"U0ALICE": "Support", "U0BOB": "Support", "U0CAROL": "Finance", "U0DAN": None}
DESK = "C0DESK"
KINDS = ("phone_message", "visitor_arrival", "enquiry_ack", "enquiry_resolve")


@dataclass
class Expected:
    kind: str
    owner: str
    start: datetime
    due: datetime
    done: datetime | None
    hours: float | None  # business hours to answer, known by construction


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def generate_quarter(engine: Engine, policy: Policy, *, per_day: int = 50) -> list[Expected]:
    """Several thousand windows on the quarter's working days, built through the repositories.

    Each item starts on a working day between 09:00 and 12:00 and, if answered, is answered
    either the same day before 17:00 (business time = elapsed time) or at the same clock
    time on the next working day (business time = 8 hours): so the test knows the answer
    without the calendar's arithmetic.
    """
    calendar = policy.calendar()
    rng = random.Random(20260105)
    expected: list[Expected] = []
    day = QUARTER.first
    with Session(engine) as session:
        for user_id, team in OWNERS.items():
            person = staff.remember(
                session, user_id=user_id, handle=user_id.lower(), real_name="", tz=None, now=AS_OF
            )
            person.team = team
        while day <= QUARTER.last:
            if not calendar.is_working_day(day):
                day += timedelta(days=1)
                continue
            next_day = calendar.next_working_day(day)
            for _ in range(per_day):
                kind = rng.choice(KINDS)
                owner = rng.choice([*OWNERS, DESK])
                start = datetime.combine(day, time(9, 0), tzinfo=SITE) + timedelta(
                    minutes=rng.randrange(0, 180)
                )
                window = rng.choice([timedelta(hours=2), timedelta(hours=4)])
                due = start + window
                roll = rng.random()
                if roll < 0.6:
                    minutes = rng.randrange(
                        1,
                        int(
                            (datetime.combine(day, time(17), tzinfo=SITE) - start).total_seconds()
                            // 60
                        ),
                    )
                    done: datetime | None = start + timedelta(minutes=minutes)
                    hours: float | None = minutes / 60
                elif roll < 0.85:
                    done = datetime.combine(next_day, start.astimezone(SITE).time(), tzinfo=SITE)
                    hours = 8.0
                else:
                    done, hours = None, None
                enquiry_id = None
                if kind.startswith("enquiry"):
                    enquiry_id = enquiries.add(
                        session,
                        Enquiry(
                            kind="complaint",
                            channel=rng.choice(["phone", "email"]),
                            from_name="Customer",
                            summary="",
                            logged_by="U0RECEPTION",
                            received_at=start,
                        ),
                    ).id
                item = items.add(
                    session,
                    Item(
                        kind=kind,
                        enquiry_id=enquiry_id,
                        owner_id=owner if owner != DESK else None,
                        owner_channel=DESK if owner == DESK else None,
                        started_at=start,
                        due_at=due,
                        state="done" if done else "breached",
                        done_at=done,
                        outcome="answered" if done else None,
                        created_at=start,
                    ),
                )
                if kind == "phone_message":
                    session.add(
                        PhoneMessage(
                            recipient_id=owner,
                            caller="Caller",
                            taken_by="U0RECEPTION",
                            taken_at=start,
                        )
                    )
                if kind == "enquiry_resolve" and rng.random() < 0.1:
                    audit.record(
                        session, item_id=item.id, actor_id=owner, action="late_notice", at=start
                    )
                expected.append(Expected(kind, owner, start, due, done, hours))
            day += timedelta(days=1)
        session.commit()
    return expected


@pytest.fixture
def quarter(engine: Engine, policy: Policy) -> list[Expected]:
    return generate_quarter(engine, policy)


def test_a_quarters_figures_match_an_independent_count_and_it_writes_a_png_and_a_csv(
    engine: Engine, policy: Policy, quarter: list[Expected], tmp_path: Path
) -> None:
    assert len(quarter) > 3000
    rendered = render_report(engine, policy, QUARTER, AS_OF.astimezone(SITE))
    report = rendered.report
    by_kind = {k.kind: k for k in report.kinds}
    for kind in KINDS:
        mine = [e for e in quarter if e.kind == kind]
        within = [e for e in mine if e.done is not None and e.done <= e.due]
        # Times to answer are of the answers given in the quarter (DESIGN "Reports").
        _, end = QUARTER.bounds(SITE)
        hours = [e.hours for e in mine if e.hours is not None and e.done and e.done < end]
        figures = by_kind[kind]
        assert figures.count == len(mine)
        assert figures.share_within == pytest.approx(len(within) / len(mine))
        assert figures.median_hours == pytest.approx(_median(hours))
        assert figures.p90_hours == pytest.approx(_p90(hours))

    breached = [e for e in quarter if e.done is None or e.done > e.due]
    assert report.breaches_by_owner == dict(Counter(e.owner for e in breached))
    team_of = {owner: team or "(no team)" for owner, team in OWNERS.items()} | {DESK: "(no team)"}
    assert report.breaches_by_team == dict(Counter(team_of[e.owner] for e in breached))

    with Session(engine) as session:
        phone_enquiries = [
            e.received_at for e in session.exec(select(Enquiry).where(Enquiry.channel == "phone"))
        ]
    calls = [e.start for e in quarter if e.kind == "phone_message"] + phone_enquiries
    assert report.calls == len(calls)
    assert report.calls_by_hour == [
        sum(1 for c in calls if c.astimezone(SITE).hour == h) for h in range(24)
    ]
    assert report.calls_by_weekday == [
        sum(1 for c in calls if c.astimezone(SITE).weekday() == d) for d in range(7)
    ]
    assert report.calls_by_weekday[5:] == [0, 0]
    assert len(report.compliance_by_week) == 13
    assert report.late_notices > 0
    # The post carries the summary the manager's answer shows, then the chart and the CSV.
    posted = rendered.notice().params()
    assert posted == report.summary() | {"files": posted["files"]}
    assert [f["filename"] for f in posted["files"]] == [
        f"{rendered.stem}.png",
        f"{rendered.stem}.csv",
        f"{rendered.visits_stem}.csv",
        f"{rendered.stem}-calls.csv",
        f"{rendered.stem}-incidents.csv",
    ]
    # The same quarter, written as `frontdesk report` writes it.
    _check_the_files(engine, policy, quarter, tmp_path)


def _check_the_files(
    engine: Engine, policy: Policy, quarter: list[Expected], tmp_path: Path
) -> None:
    files = write_report(engine, policy, QUARTER.first, QUARTER.last, tmp_path, as_of=AS_OF)
    png = files.chart.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    with files.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["item_id", "kind", "enquiry_kind"]
    assert len(rows) == len(quarter) + 1
    assert {row[1] for row in rows[1:]} == set(KINDS)
    assert [p.name for p in files] == [
        "frontdesk-report-2026-01-05-to-2026-04-05.png",
        "frontdesk-report-2026-01-05-to-2026-04-05.csv",
        "frontdesk-visits-2026-01-05-to-2026-04-05.csv",
        "frontdesk-report-2026-01-05-to-2026-04-05-calls.csv",
        "frontdesk-report-2026-01-05-to-2026-04-05-incidents.csv",
    ]


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("", date(2026, 11, 23), date(2026, 11, 29)),
        ("this week", date(2026, 11, 23), date(2026, 11, 29)),
        ("last week", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-11-01 to 2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
    ],
)
def test_report_periods(text: str, first: date, last: date) -> None:
    assert parse_period(text, date(2026, 11, 24)) == Period(first, last)


def test_a_manager_gets_the_summary_and_the_files_by_dm(fd: Embedded) -> None:
    generate_quarter(fd.engine, fd.runtime.ctx.policy, per_day=3)
    fd.command("U0MANAGER", "/desk", "report 2026-01-05 to 2026-04-05")
    reply = last_reply(fd, "U0MANAGER")
    assert "Front Desk report" in reply and "Phone messages" in reply and "within window" in reply
    uploads = fd.double.uploaded_files
    assert [u["filename"][-4:] for u in uploads] == [".png", ".csv", ".csv", ".csv", ".csv"]
    assert all(u["channels"] == [fd.double.dm_channel("U0MANAGER")] for u in uploads)
    header = next(csv.reader(io.StringIO(uploads[1]["bytes"].decode())))
    assert header[0] == "item_id"


def test_a_bad_period_shows_the_right_form(fd: Embedded) -> None:
    fd.command("U0MANAGER", "/desk", "report yesterday-ish")
    assert "/desk report" in last_reply(fd, "U0MANAGER")


def test_the_weekly_report_is_posted_once_at_the_first_opening_of_the_week(fd: Embedded) -> None:
    policy = fd.runtime.ctx.policy
    # Activity in the week of Mon 16 Nov; the clock is Tue 24 Nov, after this week's opening.
    with Session(fd.engine) as session:
        items.add(
            session,
            Item(
                kind="phone_message",
                owner_id="U0ALICE",
                started_at=datetime(2026, 11, 17, 10, tzinfo=SITE),
                due_at=datetime(2026, 11, 18, 10, tzinfo=SITE),
                created_at=datetime(2026, 11, 17, 10, tzinfo=SITE),
            ),
        )
        session.commit()
    ctx = JobContext(fd.engine, policy, fd.clock.now(), "C0DESK", "C0MGRS")
    assert weekly.run(ctx) is True
    assert weekly.run(ctx) is False  # once per week, however often the job runs
    fd.runtime.sender.deliver_due()
    (post,) = posts_to(fd, "C0MGRS")
    assert "Mon 16 Nov – Sun 22 Nov 2026" in block_text(post)
    assert [u["channels"] for u in fd.double.uploaded_files] == [["C0MGRS"]] * 5
    # The next one is due at next Monday's opening, 09:00 site time.
    assert weekly.next_at(ctx) == datetime(2026, 11, 30, 9, tzinfo=SITE)


def test_an_empty_week_is_not_posted(engine: Engine, policy: Policy) -> None:
    ctx = JobContext(engine, policy, datetime(2026, 11, 24, 15, tzinfo=SITE), "C0DESK", "C0MGRS")
    assert weekly.run(ctx) is False
    with Session(engine) as session:
        assert list(session.exec(select(Outbox))) == []


def _colour_rows(image: Any, x: float, rows: range, colour: str) -> int:
    """How many pixels of column `x` (within `rows`) are `colour`, give or take a faint grid
    line drawn over it."""
    from matplotlib.colors import to_rgb

    want = to_rgb(colour)
    column = [image[row, int(round(x)), :3] for row in rows]
    near = [max(abs(float(a) - b) for a, b in zip(pixel, want, strict=True)) for pixel in column]
    return sum(1 for distance in near if distance < 0.2)


def test_the_charts_pixels_show_the_figures_of_the_csv(engine: Engine, policy: Policy) -> None:
    """The PNG is looked at: each hour's bars, measured in pixels, are as tall as the calls
    of that hour in the calls CSV, and each week's compliance point is plotted at the share of
    the items CSV's windows due that week answered within it (the points of several kinds may
    lie on one another, so those are read off the figure rather than its pixels)."""
    from matplotlib.image import imread

    from bot.domain.reports.chart import CALLS_IN, CALLS_OUT, draw

    generate_quarter(engine, policy, per_day=3)
    with Session(engine) as session:
        for n, hour in enumerate((9, 9, 11, 14, 14, 14)):
            at = datetime(2026, 2, 3 + n, hour, 20, tzinfo=SITE)
            session.add(PhoneCall(direction="out", name="X", logged_by="U0ALICE", at=at))
        session.commit()
    rendered = render_report(engine, policy, QUARTER, AS_OF)
    calls = list(csv.DictReader(io.StringIO(rendered.calls_csv.decode())))
    counted = {
        way: Counter(int(r["hour"]) for r in calls if r["direction"] == way)
        for way in ("in", "out")
    }
    assert counted["out"] == {9: 2, 11: 1, 14: 3}

    figure = draw(rendered.report)
    png = io.BytesIO()
    figure.savefig(png, format="png")
    image = imread(io.BytesIO(png.getvalue()))
    height = image.shape[0]
    assert image.shape[:2] == (750, 1100)  # the figure's 11 x 7.5 inches at 100 dpi
    compliance, hours, _ = figure.axes
    box = hours.bbox
    legend = hours.get_legend().get_window_extent()
    for hour in range(7, 19):
        x, _ = hours.transData.transform((hour, 0))
        # The bars' column, less the legend's swatches where it stands over them.
        top_row = int(height - (legend.y0 if legend.x0 <= x <= legend.x1 else box.y1)) + 1
        rows = range(top_row, int(height - box.y0))
        for way, colour, below in (("in", CALLS_IN, 0), ("out", CALLS_OUT, counted["in"][hour])):
            _, bottom = hours.transData.transform((hour, below))
            _, top = hours.transData.transform((hour, below + counted[way][hour]))
            drawn = _colour_rows(image, x, rows, colour)
            assert abs(drawn - (top - bottom)) <= 3, (hour, way, drawn, top - bottom)
    assert sum(counted["in"].values()) + 6 == len(calls)

    items = list(csv.DictReader(io.StringIO(rendered.csv.decode())))
    first, last = QUARTER.first.isoformat(), QUARTER.last.isoformat()
    judged = [
        r
        for r in items
        if r["kind"] == "phone_message"
        and first <= r["due"][:10] <= last
        and r["answered_within_window"]
    ]
    (line,) = [ln for ln in compliance.lines if ln.get_label() == "Phone messages"]
    for index, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
        week = rendered.report.compliance_by_week[int(index)][0]
        mine = [
            r
            for r in judged
            if week <= date.fromisoformat(r["due"][:10]) < week + timedelta(days=7)
        ]
        share = sum(r["answered_within_window"] == "yes" for r in mine) / len(mine)
        assert y == pytest.approx(share * 100)
