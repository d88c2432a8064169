"""Calls, incidents and calls for help belong to the site that received them, reports cut by
site count only that site's, and each site's channels are one `Channels` value (issue 17).

The example policy: the default site is Toronto (#front-desk = C0DESK), `west` is Vancouver
(#front-desk-west = C0WEST); both share the managers' channel C0MGRS unless `west` names one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.channels import Channels
from bot.domain.config import DEFAULT_SITE, ConfigError, parse_policy
from bot.domain.sweep import sweep
from storage.migrate import is_current, upgrade
from storage.models import AssistCall, Incident, PhoneCall
from tests.conftest import SITE
from tests.helpers import block_text, last_reply, posts_to

RECEPTION, ALICE, MANAGER = "U0RECEPTION", "U0ALICE", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
DESK, WEST_DESK, MANAGERS, WEST_MANAGERS = "C0DESK", "C0WEST", "C0MGRS", "C0WESTMGRS"


# --- calls, incidents and calls for help per site --------------------------------------------


def test_calls_and_calls_for_help_are_counted_at_the_site_that_received_them(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/call", "in Sam Lee: opening hours", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/call", "out Kim Poe: called back", channel_id=WEST_DESK)
    fd.command(RECEPTION, "/call", "in Ann Ray: parking", channel_id=DESK)
    fd.command(RECEPTION, "/desk", "assist: a man is shouting", channel_id=WEST_DESK)
    fd.runtime.deliver_now()
    assert any("shouting" in block_text(p) for p in posts_to(fd, WEST_DESK))
    assert not any("shouting" in block_text(p) for p in posts_to(fd, DESK))
    with Session(fd.engine) as session:
        calls = {c.name: c.site for c in session.exec(select(PhoneCall))}
        (incident,) = session.exec(select(Incident))
        (called,) = session.exec(select(AssistCall))
    assert calls == {"Sam Lee": "west", "Kim Poe": "west", "Ann Ray": DEFAULT_SITE}
    assert (incident.site, called.site) == ("west", "west")

    fd.clock.advance(timedelta(days=7))
    fd.command(MANAGER, "/desk", "report last week site west")
    west = last_reply(fd, MANAGER)
    assert "*Calls:* 2 (1 in, 1 out)" in west and "*Incidents:* 1" in west
    fd.command(MANAGER, "/desk", "report last week site default")
    toronto = last_reply(fd, MANAGER)
    assert "*Calls:* 1 (1 in, 0 out)" in toronto and "*Incidents:* 0" in toronto
    fd.command(MANAGER, "/desk", "report last week")
    everything = last_reply(fd, MANAGER)
    assert "*Calls:* 3 (2 in, 1 out)" in everything and "*Incidents:* 1" in everything


def test_migration_0014_carries_calls_incidents_and_passes_into_the_default_site(
    empty_engine: Engine,
) -> None:
    now = datetime(2026, 11, 23, 15, tzinfo=UTC)
    upgrade(empty_engine, "0006")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO phonecall (direction, name, phone_valid, logged_by, at, anonymised)"
                " VALUES ('in', 'Sam Lee', true, 'U0RECEPTION', :c, false)"
            ),
            {"c": now},
        )
        connection.execute(
            text(
                "INSERT INTO incident (reported_by, occurred, what, created_at, occurred_at,"
                " anonymised) VALUES ('U0RECEPTION', 'today', 'shouting', :c, :c, false)"
            ),
            {"c": now},
        )
        connection.execute(
            text("INSERT INTO assistcall (called_by, called_at) VALUES ('U0RECEPTION', :c)"),
            {"c": now},
        )
        connection.execute(
            text(
                "INSERT INTO visit (name, name_key, host_id, state, logged_by, anonymised,"
                " created_at, pass_number, pass_seq, pass_day, site)"
                " VALUES ('Ann Lee', 'ann lee', 'U0ALICE', 'on_site', 'U0DESK', false, :c, 'V-001', 1, :d,"
                " 'default')"
            ),
            {"c": now, "d": date(2026, 11, 23)},
        )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.begin() as connection:
        for table in ("phonecall", "incident", "assistcall"):
            assert connection.scalar(text(f"SELECT site FROM {table}")) == "default"  # noqa: S608
        # Another site may now issue the same pass on the same day.
        connection.execute(
            text(
                "INSERT INTO visit (name, name_key, host_id, state, logged_by, anonymised,"
                " created_at, pass_number, pass_seq, pass_day, site)"
                " VALUES ('Pat Quinn', 'pat quinn', 'U0BOB', 'on_site', 'U0DESK', false, :c, 'V-001', 1, :d,"
                " 'west')"
            ),
            {"c": now, "d": date(2026, 11, 23)},
        )
        passes = connection.execute(text("SELECT site, pass_number FROM visit")).all()
        assert sorted(tuple(row) for row in passes) == [
            ("default", "V-001"),
            ("west", "V-001"),
        ]


# --- a site's channels -----------------------------------------------------------------------


def test_a_site_s_channels_are_its_own_else_the_shared_ones() -> None:
    policy = parse_policy(
        '[channels]\ndesk = "C1"\nmanagers = "M1"\n'
        '[sites.west]\ndesk = "C2"\nmanagers = "M2"\n[sites.north]\nname = "North"\n'
    )
    assert policy.channels_at(DEFAULT_SITE) == Channels(desk="C1", managers="M1")
    assert policy.channels_at("west") == Channels(desk="C2", managers="M2")
    assert policy.channels_at("north") == Channels(desk="C1", managers="M1")
    # What the runtime was started with stands in for the shared ones.
    assert policy.channels_at("north", Channels("CD", "CM")) == Channels("CD", "CM")


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[sites.west]\nmanagers = 3", "sites.west.managers:"),
        (
            '[channels]\ndesk = "C1"\n[sites.west]\nmanagers = "C1"',
            "sites.west.managers: C1 is the desk channel of default",
        ),
        (
            '[sites.a]\ndesk = "C2"\n[sites.b]\nmanagers = "C2"',
            "sites.b.managers: C2 is the desk channel of a",
        ),
    ],
)
def test_a_bad_managers_channel_is_one_line_naming_the_key(toml: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(toml, "frontdesk.toml")
    message = str(caught.value)
    assert "\n" not in message and says in message


def test_a_breach_at_a_site_with_its_own_managers_channel_is_alerted_there(
    fd: Embedded,
) -> None:
    policy = fd.runtime.ctx.policy
    policy.sites["west"] = policy.sites["west"].model_copy(update={"managers": WEST_MANAGERS})
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call back", channel_id=DESK)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Lee: call back", channel_id=WEST_DESK)
    fd.double.add_channel(WEST_MANAGERS, "managers-west")
    fd.clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=SITE))  # both breached (Wed 15:00 here)
    sweep(
        fd.engine, policy=policy, now=fd.clock.now(), desk_channel=DESK, managers_channel=MANAGERS
    )
    fd.runtime.deliver_now()
    west = " ".join(block_text(p) for p in posts_to(fd, WEST_MANAGERS))
    toronto = " ".join(block_text(p) for p in posts_to(fd, MANAGERS))
    assert "Sam Lee" in west and "Jane Doe" not in west
    assert "Jane Doe" in toronto and "Sam Lee" not in toronto
