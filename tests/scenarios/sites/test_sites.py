"""Several sites (DESIGN.md "Sites, teams and routing"): `[sites.<id>]`, a person's site,
items received at a site and due on its calendar, and per-site boards, lists, closures, reports.

The example policy has two sites: the default (Toronto, CA-ON, #front-desk = C0DESK) and
`west` (Vancouver, CA-BC, #front-desk-west = C0WEST).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.config import DEFAULT_SITE, ConfigError, parse_policy
from bot.domain.durations import parse_duration
from bot.domain.jobs import JobContext
from bot.domain.reports import weekly
from bot.domain.services import closing
from storage.models import Closure, Enquiry, Item, Outbox, Staff, Visit
from tests.conftest import SITE
from tests.helpers import block_text, dms_to, last_reply, posts_to, press

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
DESK, WEST_DESK, MANAGERS = "C0DESK", "C0WEST", "C0MGRS"
VANCOUVER = SITE.__class__("America/Vancouver")
ROOT = Path(__file__).resolve().parents[3]


# --- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        (
            '[sites.west]\ntimezone = "Mars/Olympus"',
            'sites.west.timezone: unknown time zone "Mars/Olympus"',
        ),
        ('[sites.west]\nholidays = "ZZ"', "sites.west.holidays: unknown holiday region"),
        (
            '[site]\nholidays = "CA-ON"\n[sites.west]\nholiday_categories = ["nope"]',
            "sites.west.holiday_categories:",
        ),
        ('[sites.west]\nhours = "whenever"', "sites.west.hours:"),
        ('[sites.west]\nclosures = ["soon"]', "sites.west.closures[0]:"),
        ('[sites.west]\ndate_order = "DDD"', "sites.west.date_order:"),
        ("[sites.west]\nstaff = 3", "sites.west.staff:"),
        ("[sites.west]\ndesk = 3", "sites.west.desk:"),
        ("[sites.west]\nname = 3", "sites.west.name:"),
        ("[sites.west]\nfloor = 3", "sites.west.floor: unknown key"),
        ('[sites.default]\nname = "x"', 'sites.default: "default" is the [site] table'),
        (
            '[sites."West Side"]\nname = "x"',
            "sites.West Side: a site id is a short lower-case word",
        ),
        (
            '[sites.a]\nstaff = ["U1"]\n[sites.b]\nstaff = ["U1"]',
            "sites.b.staff: U1 is already staff of a",
        ),
        (
            '[channels]\ndesk = "C1"\n[sites.b]\ndesk = "C1"',
            "sites.b.desk: C1 is already the desk of default",
        ),
    ],
)
def test_a_bad_site_value_is_one_line_naming_the_key(toml: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(toml, "frontdesk.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("frontdesk.toml: ") and says in message


def test_a_site_takes_what_it_does_not_set_from_the_default_site() -> None:
    policy = parse_policy(
        '[site]\ntimezone = "America/Toronto"\nholidays = "CA-ON"\nhours = "mon-fri 08:00-16:00"\n'
        'date_order = "DMY"\nclosures = ["2026-12-24"]\n'
        '[sites.west]\ntimezone = "America/Vancouver"\nholidays = "CA-BC"\n'
    )
    west = policy.site_config("west")
    assert (west.timezone, west.holidays) == ("America/Vancouver", "CA-BC")
    assert west.hours == policy.site.hours
    assert west.date_order == "DMY" and [str(d) for d in west.closures] == ["2026-12-24"]
    assert policy.site_ids() == (DEFAULT_SITE, "west") and policy.multi_site


def test_a_single_site_policy_has_the_default_site_alone() -> None:
    policy = parse_policy('[site]\ntimezone = "America/Toronto"\n')
    assert policy.site_ids() == (DEFAULT_SITE,) and not policy.multi_site
    assert policy.calendar() is policy.calendar(DEFAULT_SITE)
    assert policy.calendar("gone") is policy.calendar()  # a site since removed


# --- a person's site -------------------------------------------------------------------------


def test_desk_site_records_the_person_s_own_site(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "site west")
    assert "You are now at *Vancouver office*" in last_reply(fd, BOB)
    with Session(fd.engine) as session:
        assert session.get(Staff, BOB).site == "west"  # type: ignore[union-attr]
    fd.command(BOB, "/desk", "site")
    assert "You are at *Vancouver office*" in last_reply(fd, BOB)
    assert "`/desk site &lt;id&gt;`" in last_reply(fd, BOB)  # shown, not read as a link
    fd.command(BOB, "/desk", "site Toronto office")  # its name does too
    assert "You are now at *Toronto office*" in last_reply(fd, BOB)


def test_an_unknown_site_is_a_clear_error(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "site mars")
    reply = last_reply(fd, BOB)
    assert 'There is no site "mars"' in reply and "default, west" in reply
    assert "/desk site &lt;id&gt;" in reply
    with Session(fd.engine) as session:
        person = session.get(Staff, BOB)
        assert person is None or person.site is None


def test_the_site_s_staff_list_wins_over_the_person_s_choice(fd: Embedded) -> None:
    fd.runtime.ctx.policy.sites["west"] = fd.runtime.ctx.policy.sites["west"].model_copy(
        update={"staff": (BOB,)}
    )
    fd.command(BOB, "/desk", "site default")
    assert "lists you as staff of Vancouver office" in last_reply(fd, BOB)
    fd.command(BOB, "/desk", "site")
    assert "You are at *Vancouver office*" in last_reply(fd, BOB)


def test_desk_help_lists_the_site_verb(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "help")
    assert "/desk site &lt;id&gt;" in last_reply(fd, ALICE)


# --- items received at a site run on its calendar --------------------------------------------


def _items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def test_a_message_is_due_on_the_calendar_of_the_desk_that_took_it(fd: Embedded) -> None:
    fd.clock.set(datetime(2026, 11, 24, 18, 0, tzinfo=SITE))  # Toronto closed, Vancouver open
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call back", channel_id=DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    toronto, west = _items(fd)
    assert (toronto.site, west.site) == (DEFAULT_SITE, "west")
    assert toronto.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=SITE)  # from Wed's opening
    assert west.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=VANCOUVER)


def test_out_of_a_desk_channel_an_item_is_received_at_its_author_s_site(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "site west")
    fd.command(BOB, "/message", f"{ALICE_M} Jane Doe: call back", channel_id="D0SOMEDM")
    fd.command(BOB, "/enquiry", "question via email from Ann Ray: hours?", channel_id="D0SOMEDM")
    assert {item.site for item in _items(fd)} == {"west"}
    with Session(fd.engine) as session:
        assert len(list(session.exec(select(Enquiry)))) == 1


def test_tried_no_answer_reminds_at_the_receiving_site_s_next_opening(fd: Embedded) -> None:
    fd.clock.set(datetime(2026, 11, 24, 18, 0, tzinfo=SITE))  # 15:00 in Vancouver
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    (item,) = _items(fd)
    press(fd, ALICE, dms_to(fd, ALICE)[-1], "Tried — no answer")
    (item,) = _items(fd)
    # Vancouver is open until 17:00 there: the reminder is at its next opening, Wed 09:00 there.
    assert item.next_stage_at == datetime(2026, 11, 25, 9, 0, tzinfo=VANCOUVER)


# --- visitors, boards and lists per site -----------------------------------------------------


def test_a_visitor_at_the_west_desk_is_on_its_list_and_signed_in_post_only(fd: Embedded) -> None:
    fd.command(
        RECEPTION, "/visitor", f"arrived Pat Quinn from Globex for {BOB_M}", channel_id=WEST_DESK
    )
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    with Session(fd.engine) as session:
        sites = {v.name: v.site for v in session.exec(select(Visit))}
    assert sites == {"Pat Quinn": "west", "Ann Ray": DEFAULT_SITE}
    west_posts = " ".join(block_text(p) for p in posts_to(fd, WEST_DESK))
    desk_posts = " ".join(block_text(p) for p in posts_to(fd, DESK))
    assert "Pat Quinn" in west_posts and "Ann Ray" not in west_posts
    assert "Ann Ray" in desk_posts and "Pat Quinn" not in desk_posts

    fd.command(RECEPTION, "/visitor", "list", channel_id=DESK)
    here = last_reply(fd, RECEPTION)
    assert "Ann Ray" in here and "Pat Quinn" not in here and "Toronto office" in here
    fd.command(RECEPTION, "/visitor", "list", channel_id=WEST_DESK)
    there = last_reply(fd, RECEPTION)
    assert "Pat Quinn" in there and "Ann Ray" not in there


def test_the_board_is_your_site_s_and_board_all_groups_every_site(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "site west")
    fd.command(ALICE, "/desk", "board")
    mine = last_reply(fd, ALICE)
    assert "Toronto office" in mine and "Alice Adams" in mine and "Bob Brown" not in mine
    fd.command(BOB, "/desk", "board")
    bobs = last_reply(fd, BOB)
    assert "Vancouver office" in bobs and "Bob Brown" in bobs and "Alice Adams" not in bobs
    fd.command(ALICE, "/desk", "board all")
    every = last_reply(fd, ALICE)
    assert every.index("Toronto office") < every.index("Alice Adams")
    assert every.index("Vancouver office") < every.index("Bob Brown")
    assert every.index("Alice Adams") < every.index("Vancouver office")
    fd.command(ALICE, "/desk", "board everything")
    assert "/desk board [all]" in last_reply(fd, ALICE)


def test_the_roll_call_is_of_the_desk_channel_s_site(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "site west")
    fd.command(RECEPTION, "/visitor", f"arrived Pat Quinn for {BOB_M}", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    fd.command(RECEPTION, "/desk", "roll-call", channel_id=DESK)
    fd.runtime.deliver_now()
    text = " ".join(block_text(p) for p in posts_to(fd, DESK))
    assert "Ann Ray" in text and "Alice Adams" in text
    assert "Pat Quinn" not in text and "Bob Brown" not in text


def test_each_site_gets_its_own_closing_list_at_its_own_closing(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Pat Quinn for {BOB_M}", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/visitor", f"arrived Ann Ray for {ALICE_M}", channel_id=DESK)
    policy = fd.runtime.ctx.policy

    def run_at(at: datetime) -> None:
        fd.clock.set(at)
        closing.JOB.run(JobContext(fd.engine, policy, at, DESK, MANAGERS))
        fd.runtime.deliver_now()

    ctx = JobContext(fd.engine, policy, fd.clock.now(), DESK, MANAGERS)
    assert closing.JOB.next_at(ctx) == datetime(2026, 11, 24, 17, 0, tzinfo=SITE)
    run_at(datetime(2026, 11, 24, 17, 1, tzinfo=SITE))
    toronto = [block_text(p) for p in posts_to(fd, DESK) if "closing" in block_text(p).lower()]
    assert len(toronto) == 1 and "Ann Ray" in toronto[0] and "Pat Quinn" not in toronto[0]
    assert not [p for p in posts_to(fd, WEST_DESK) if "closing" in block_text(p).lower()]
    run_at(datetime(2026, 11, 24, 17, 1, tzinfo=VANCOUVER))
    west = [block_text(p) for p in posts_to(fd, WEST_DESK) if "closing" in block_text(p).lower()]
    assert len(west) == 1 and "Pat Quinn" in west[0] and "Ann Ray" not in west[0]


# --- closures --------------------------------------------------------------------------------


def test_desk_close_closes_the_manager_s_own_site_unless_told(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call back", channel_id=DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    before = {item.site: item.due_at for item in _items(fd)}
    fd.command(MANAGER, "/desk", "close 2026-11-25: snow")
    assert "closed at *Toronto office*" in last_reply(fd, MANAGER)
    after = {item.site: item.due_at for item in _items(fd)}
    assert after["west"] == before["west"] and after[DEFAULT_SITE] > before[DEFAULT_SITE]

    fd.command(MANAGER, "/desk", "close 2026-11-25 site west: storm")
    assert "closed at *Vancouver office*" in last_reply(fd, MANAGER)
    moved = {item.site: item.due_at for item in _items(fd)}
    assert moved["west"] > before["west"]
    with Session(fd.engine) as session:
        closed = {(c.site, str(c.day)) for c in session.exec(select(Closure))}
    assert closed == {(DEFAULT_SITE, "2026-11-25"), ("west", "2026-11-25")}
    fd.runtime.deliver_now()
    assert any("storm" in block_text(p) for p in posts_to(fd, WEST_DESK))
    assert not any("storm" in block_text(p) for p in posts_to(fd, DESK))

    fd.command(MANAGER, "/desk", "close 2026-11-26 site mars")
    assert 'There is no site "mars"' in last_reply(fd, MANAGER)


# --- reports ---------------------------------------------------------------------------------


def test_desk_report_can_be_cut_by_site(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call back", channel_id=DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Kim Poe: call back", channel_id=WEST_DESK)
    fd.clock.advance(timedelta(days=7))
    fd.command(MANAGER, "/desk", "report last week site west")
    west = last_reply(fd, MANAGER)
    assert "Vancouver office" in west and "2" in west
    fd.command(MANAGER, "/desk", "report site mars")
    reply = last_reply(fd, MANAGER)
    assert 'There is no site "mars"' in reply and "[site &lt;id&gt;]" in reply


def test_one_weekly_report_per_site(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call back", channel_id=DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    policy = fd.runtime.ctx.policy
    at = datetime(2026, 12, 1, 13, 0, tzinfo=SITE)  # both sites open on Tue of the next week
    fd.clock.set(at)
    ctx = JobContext(fd.engine, policy, at, DESK, MANAGERS)
    assert weekly.run(ctx) is True
    assert weekly.run(ctx) is False
    with Session(fd.engine) as session:
        keys = sorted(row.key for row in session.exec(select(Outbox)) if "weekly" in row.key)
    assert keys == ["report:weekly:default:2026-11-23", "report:weekly:west:2026-11-23"]
    fd.runtime.deliver_now()
    texts = [block_text(p) for p in posts_to(fd, MANAGERS)]
    assert any("Toronto office" in t for t in texts) and any("Vancouver office" in t for t in texts)


# --- frontdesk due --site --------------------------------------------------------------------


def _due(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "due", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_frontdesk_due_answers_for_a_site() -> None:
    default = _due("2026-11-10 15:00", "1 business day")
    west = _due("--site", "west", "2026-11-10 15:00", "1 business day")
    assert default.stdout.strip() == "2026-11-11T15:00:00-05:00"
    assert west.stdout.strip() == "2026-11-12T15:00:00-08:00"  # Remembrance Day in BC
    wrong = _due("--site", "mars", "2026-11-10 15:00", "1 business day")
    assert wrong.returncode == 2 and 'there is no site "mars"' in wrong.stderr


def test_the_site_calendar_matches_frontdesk_due(fd: Embedded) -> None:
    policy = fd.runtime.ctx.policy
    start = datetime(2026, 11, 10, 15, 0, tzinfo=VANCOUVER)
    answer = policy.calendar("west").add(start, parse_duration("1 business day"))
    typed = _due("--site", "west", "2026-11-10 15:00", "1 business day").stdout.strip()
    assert answer == datetime.fromisoformat(typed)
