"""Each person's times on their own site's calendar, and each site's own pass numbers
(DESIGN.md "Sites, teams and routing"; issue 17).

The example policy: the default site is Toronto (CA-ON, #front-desk = C0DESK), `west` is
Vancouver (CA-BC, #front-desk-west = C0WEST). Boxing Day is observed on Mon 28 Dec 2026 in
Ontario, not in British Columbia.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.config import DEFAULT_SITE
from storage.models import Absence, Item, Visit
from tests.conftest import SITE
from tests.helpers import dms_to, last_reply
from tests.time_helpers import advance_to

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
DESK, WEST_DESK = "C0DESK", "C0WEST"
VANCOUVER = ZoneInfo("America/Vancouver")


def _token(instant: datetime) -> str:
    return f"<!date^{int(instant.timestamp())}^"


def _absences(fd: Embedded, user_id: str) -> list[Absence]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Absence).where(Absence.user_id == user_id)))


# --- /ooo and /desk out on the person's own site ---------------------------------------------


def test_ooo_until_a_day_is_that_day_s_opening_at_the_west_site(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(ALICE, "/ooo", "until 2026-12-28")
    # Mon 28 Dec is a working day in Vancouver: back at 09:00 there (12:00 in Toronto).
    back = datetime(2026, 12, 28, 9, 0, tzinfo=VANCOUVER)
    (absence,) = _absences(fd, ALICE)
    assert absence.until == back
    assert _token(back) in last_reply(fd, ALICE)


def test_ooo_until_the_same_day_at_the_default_site_skips_its_holiday(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until 2026-12-28")
    # Boxing Day observed in Ontario: the next working day's opening, in Toronto.
    (absence,) = _absences(fd, ALICE)
    assert absence.until == datetime(2026, 12, 29, 9, 0, tzinfo=SITE)


def test_a_planned_absence_starts_at_midnight_of_the_person_s_own_site(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(ALICE, "/ooo", "from 2026-12-01 until 2026-12-28")
    starts = datetime(2026, 12, 1, 0, 0, tzinfo=VANCOUVER)
    back = datetime(2026, 12, 28, 9, 0, tzinfo=VANCOUVER)
    (absence,) = _absences(fd, ALICE)
    assert (absence.starts_at, absence.until) == (starts, back)
    reply = last_reply(fd, ALICE)
    assert _token(starts) in reply and _token(back) in reply


def test_ooo_back_on_a_day_moves_the_return_to_the_own_site_s_opening(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(ALICE, "/ooo", "until 2026-12-02")
    fd.command(ALICE, "/ooo", "back 2026-12-28")
    (absence,) = _absences(fd, ALICE)
    assert absence.until == datetime(2026, 12, 28, 9, 0, tzinfo=VANCOUVER)


def test_out_for_the_day_is_back_at_the_own_site_s_next_opening(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(ALICE, "/desk", "out for the day")
    assert _token(datetime(2026, 11, 25, 9, 0, tzinfo=VANCOUVER)) in last_reply(fd, ALICE)
    fd.command(BOB, "/desk", "out for the day")  # Bob is at the default site
    assert _token(datetime(2026, 11, 25, 9, 0, tzinfo=SITE)) in last_reply(fd, BOB)


# --- passes per site -------------------------------------------------------------------------


def _visits(fd: Embedded) -> dict[str, Visit]:
    with Session(fd.engine) as session:
        return {v.name: v for v in session.exec(select(Visit))}


def test_each_site_issues_its_own_passes_and_signs_out_its_own(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Pat Quinn for {BOB_M}", channel_id=WEST_DESK)
    assert "pass *V-001*" in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    assert "pass *V-001*" in last_reply(fd, RECEPTION)

    fd.command(RECEPTION, "/visitor", "left V-001", channel_id=WEST_DESK)
    assert "*Pat Quinn* signed out (pass V-001)" in last_reply(fd, RECEPTION)
    visits = _visits(fd)
    assert (visits["Pat Quinn"].state, visits["Ann Ray"].state) == ("left", "on_site")

    fd.command(RECEPTION, "/visitor", "left Ann Ray", channel_id=WEST_DESK)
    assert 'No visitor matches "Ann Ray"' in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", "left V-001", channel_id=DESK)
    assert "*Ann Ray* signed out (pass V-001)" in last_reply(fd, RECEPTION)


def test_a_site_s_passes_run_by_its_own_local_day(fd: Embedded) -> None:
    fd.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=VANCOUVER))  # 23:00 in Toronto
    fd.command(RECEPTION, "/visitor", f"arrived Pat Quinn for {BOB_M}", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/visitor", "left Pat Quinn", channel_id=WEST_DESK)
    fd.clock.advance(timedelta(hours=2))  # Wed 01:00 in Toronto, still Tue in Vancouver
    fd.command(RECEPTION, "/visitor", f"arrived Sam Lee for {BOB_M}", channel_id=WEST_DESK)
    assert "pass *V-002*" in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    assert "pass *V-001*" in last_reply(fd, RECEPTION)  # a new day in Toronto
    visits = _visits(fd)
    assert str(visits["Sam Lee"].pass_day) == "2026-11-24"
    assert str(visits["Ann Ray"].pass_day) == "2026-11-25"


def test_an_expected_visitor_is_matched_only_at_the_site_expecting_them(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Ann Ray for {ALICE_M} today 4pm", channel_id=DESK)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=WEST_DESK)
    assert "(they were expected)" not in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    assert "(they were expected)" in last_reply(fd, RECEPTION)
    with Session(fd.engine) as session:
        found = sorted((v.site, v.state) for v in session.exec(select(Visit)))
    assert found == [(DEFAULT_SITE, "on_site"), ("west", "on_site")]


def _item_owners(fd: Embedded) -> set[tuple[str | None, str | None]]:
    with Session(fd.engine) as session:
        return {(i.owner_id, i.owner_channel) for i in session.exec(select(Item))}


def test_with_nobody_to_cover_the_items_go_to_the_own_site_s_desk(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back", channel_id=DESK)
    fd.command(ALICE, "/ooo", "until 2026-11-26")
    assert _item_owners(fd) == {(None, WEST_DESK)}


def test_a_planned_absence_hands_over_to_the_own_site_s_desk_when_it_starts(
    fd: Embedded,
) -> None:
    fd.command(ALICE, "/desk", "site west")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: call back", channel_id=DESK)
    fd.command(ALICE, "/ooo", "from 2026-11-26 until 2026-11-30")
    advance_to(fd, datetime(2026, 11, 26, 0, 1, tzinfo=VANCOUVER))
    assert _item_owners(fd) == {(None, WEST_DESK)}


# --- an enquiry's "Running late…" on the calendar of the site that received it ----------------


def test_running_late_at_west_moves_the_deadline_on_west_s_calendar(fd: Embedded) -> None:
    from tests.scenarios.enquiries.test_enquiries import press, submit

    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via letter from Jane Doe for {ALICE_M}: lost form",
        channel_id=WEST_DESK,
    )
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Running late…")
    # Mon 28 Dec 2026: Boxing Day observed in Ontario, a working day in British Columbia.
    submit(
        fd,
        ALICE,
        {
            "date": {"value": {"type": "datepicker", "selected_date": "2026-12-28"}},
            "reason": {"value": {"type": "plain_text_input", "value": "Waiting on the archive"}},
        },
    )
    with Session(fd.engine) as session:
        (resolve,) = session.exec(select(Item).where(Item.kind == "enquiry_resolve"))
    assert resolve.site == "west"
    assert resolve.due_at.astimezone(VANCOUVER) == datetime(2026, 12, 28, 17, 0, tzinfo=VANCOUVER)
