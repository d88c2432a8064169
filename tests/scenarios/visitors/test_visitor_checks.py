"""The visitor record (part B): ID types, escorts, late visitors, the watch list, access needs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, String, Text, inspect, select, text
from sqlmodel import Session

from bot.console.embedded import Embedded
from bot.domain.config import ConfigError, Policy, parse_policy
from bot.domain.services import privacy
from bot.domain.services.id_check import holds_id_number
from storage.models import AuditEvent, Enquiry, Visit, WatchEntry
from tests.conftest import example_policy_text
from tests.helpers import block_text, buttons, dms_to, last_ack, last_reply, posts_to, press
from tests.time_helpers import advance, advance_to

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
DESK, MANAGERS = "C0DESK", "C0MGRS"
# The example policy's [visitors] section, switched on.
VISITORS = '[visitors]\ncheck_id = true\nescort = true\nlate_after = "15 minutes"\n'


@pytest.fixture
def policy() -> Policy:
    return parse_policy(example_policy_text().replace("[visitors]\n", VISITORS), "frontdesk.toml")


def visits(fd: Embedded) -> list[Visit]:
    with Session(fd.engine) as session:
        return list(session.scalars(select(Visit).order_by(Visit.id)))  # type: ignore[arg-type]


def press_in_reply(fd: Embedded, user_id: str, reply: dict[str, Any], label: str) -> None:
    """Press a button of an ephemeral reply (a command's ack)."""
    (button,) = [b for b in buttons(reply) if b["text"]["text"] == label]
    fd.dispatch(
        fd.requests.block_action(
            user_id=user_id, action=button, channel_id=DESK, message={"blocks": reply["blocks"]}
        )
    )
    fd.settle()


def find_in_database(engine: Engine, needle: str) -> list[str]:
    """Every table.column holding `needle` anywhere in its text."""
    found = []
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], String | Text):
                    continue
                name = column["name"]
                hits = connection.execute(
                    text(f'SELECT COUNT(*) FROM "{table}" WHERE "{name}" LIKE :n'),
                    {"n": f"%{needle}%"},
                ).scalar()
                if hits:
                    found.append(f"{table}.{name}")
    return found


# --- ID checks ------------------------------------------------------------------------------


def test_the_sign_in_reply_asks_which_id_was_seen_and_records_the_type(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M}")
    reply = last_ack(fd)
    assert [b["text"]["text"] for b in buttons(reply)] == [
        "Driving licence",
        "Passport",
        "Staff/student card",
        "Other ID",
        "Not checked",
    ]
    press_in_reply(fd, RECEPTION, reply, "Passport")
    assert "Passport" in last_reply(fd, RECEPTION)
    (visit,) = visits(fd)
    assert visit.id_type == "passport"
    # A second press changes nothing, and says so.
    press_in_reply(fd, RECEPTION, reply, "Driving licence")
    assert "already recorded as Passport" in last_reply(fd, RECEPTION)
    assert visits(fd)[0].id_type == "passport"


def test_an_id_number_typed_in_the_note_is_refused_and_stored_nowhere(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} — passport 533380006")
    reply = last_reply(fd, RECEPTION)
    assert "ID number" in reply and "note" in reply
    assert "533380006" not in reply
    assert visits(fd) == []
    assert find_in_database(fd.engine, "533380006") == []


def test_an_id_number_in_a_form_field_is_refused_beside_that_field(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", "")
    (opened,) = fd.double.calls_to("views.open")
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=opened.response["view"],
            values={
                "name": {"name": {"type": "plain_text_input", "value": "Kim Lee"}},
                "organisation": {"organisation": {"type": "plain_text_input", "value": "GA123456"}},
                "host": {"host": {"type": "users_select", "selected_user": ALICE}},
            },
        )
    )
    fd.settle()
    assert '"organisation"' in response.body and "ID number" in response.body
    assert visits(fd) == []
    assert find_in_database(fd.engine, "GA123456") == []


def test_a_phone_number_in_the_note_is_still_allowed(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} — mobile 416-555-0199")
    assert [v.state for v in visits(fd)] == ["on_site"]
    assert "416" in block_text(dms_to(fd, ALICE)[0])


@pytest.mark.parametrize(
    ("typed", "refused"),
    [
        ("passport 533380006", True),
        ("licence A1234-56789-01234", True),
        ("student card 20231234", True),
        ("GA123456", True),
        ("ID no. 5521", True),
        ("card 4165550199", True),  # a phone-shaped number right after an ID word
        ("call 416-555-0199", False),
        ("4165550199", False),
        ("+44 7700 900123", False),
        ("born 1980-01-02", False),
        ("room 1204, floor 3, at 10:30", False),
        ("Kim Lee from Acme", False),
    ],
)
def test_what_counts_as_an_id_number(typed: str, refused: bool) -> None:
    assert holds_id_number(typed, "CA") is refused


# --- escorts --------------------------------------------------------------------------------


def test_on_my_way_makes_the_host_the_escort_and_hand_over_passes_it_on(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M}")
    press(fd, ALICE, dms_to(fd, ALICE)[0], "On my way")
    assert visits(fd)[0].escort_id == ALICE
    answered = fd.double.calls_to("response_url")[-1]
    assert "Hand over to…" in [b["text"]["text"] for b in buttons(answered)]

    (hand_over,) = [b for b in buttons(answered) if b["text"]["text"] == "Hand over to…"]
    fd.dispatch(
        fd.requests.block_action(
            user_id=ALICE, action=hand_over, channel_id="D0ALICE", message={"blocks": []}
        )
    )
    fd.settle()
    opened = fd.double.calls_to("views.open")[-1]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=opened.response["view"],
            values={"to": {"to": {"type": "users_select", "selected_user": BOB}}},
        )
    )
    fd.settle()
    assert visits(fd)[0].escort_id == BOB
    told = dms_to(fd, BOB)
    assert told and "now their escort" in block_text(told[-1])

    fd.command(RECEPTION, "/desk", "roll-call")
    roll = "\n".join(block_text(p) for p in posts_to(fd, DESK))
    assert "Kim Lee" in roll and "with *Bob" in roll
    # The visitor log names the escort too (DESIGN "The visitor record").
    fd.command(RECEPTION, "/visitor", "log")
    assert f"escorted by <@{BOB}>" in last_reply(fd, RECEPTION)


def test_only_the_escort_or_the_desk_may_hand_over(fd: Embedded) -> None:
    from bot.domain.roles import Refusal
    from bot.domain.services import escorts

    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M}")
    visit_id = visits(fd)[0].id or 0
    with Session(fd.engine) as session, pytest.raises(Refusal):
        escorts.hand_over(
            session,
            now=fd.clock.now(),
            visit_id=visit_id,
            to=BOB,
            by=BOB,
            roles=fd.runtime.ctx.roles,
        )


# --- late visitors and no-shows ---------------------------------------------------------------


def late_dms(fd: Embedded) -> list[str]:
    return [block_text(c) for c in dms_to(fd, ALICE) if "has not signed in" in block_text(c)]


def test_a_late_visitor_is_reported_to_the_host_once_and_a_no_show_at_closing(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Kim Lee for {ALICE_M} today 3:30pm")
    advance(fd, timedelta(minutes=44))  # 15:44: 14 minutes late, not yet reported
    assert late_dms(fd) == []
    advance(fd, timedelta(minutes=6))  # 15:50: 20 minutes late
    assert len(late_dms(fd)) == 1
    advance(fd, timedelta(minutes=30))
    assert len(late_dms(fd)) == 1  # once
    closing = fd.clock.now().replace(hour=22, minute=5)  # 17:05 in Toronto
    advance_to(fd, closing)
    (visit,) = visits(fd)
    assert visit.state == "no_show"
    closing_posts = [block_text(p) for p in posts_to(fd, DESK) if "Closing time" in block_text(p)]
    assert closing_posts and "Did not come" in closing_posts[-1] and "Kim Lee" in closing_posts[-1]
    with Session(fd.engine) as session:
        actions = list(session.scalars(select(AuditEvent.action)))  # type: ignore[arg-type]
    assert actions.count("late") == 1 and "no_show" in actions


def test_a_visitor_who_arrives_on_time_is_never_reported_late(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Kim Lee for {ALICE_M} today 3:30pm")
    advance(fd, timedelta(minutes=25))
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M}")
    advance(fd, timedelta(hours=1))
    assert late_dms(fd) == []
    assert visits(fd)[0].state == "on_site"


# --- the watch list ---------------------------------------------------------------------------


def test_a_watched_name_alerts_the_managers_and_never_the_desk(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "watch Zoë O'Neil : trespass notice, March")
    fd.command(RECEPTION, "/visitor", f"arrived zoe o'neil for {ALICE_M}")
    reply = last_reply(fd, RECEPTION)
    assert "call a manager" in reply and "trespass" not in reply
    assert [v.state for v in visits(fd)] == ["on_site"]  # not held
    alert = "\n".join(block_text(p) for p in posts_to(fd, MANAGERS))
    assert "Watch list" in alert and "trespass notice" in alert
    assert all("trespass" not in block_text(p) for p in posts_to(fd, DESK))
    assert all("Watch" not in block_text(p) for p in posts_to(fd, DESK))


def test_the_watch_list_is_listed_and_removed_by_managers_only(fd: Embedded) -> None:
    fd.command(RECEPTION, "/desk", "watch Sam Roe : banned")
    assert "managers" in last_reply(fd, RECEPTION).lower()
    fd.command(MANAGER, "/desk", "watch Sam Roe : banned")
    fd.command(MANAGER, "/desk", "watch list")
    assert "Sam Roe" in last_reply(fd, MANAGER) and "banned" in last_reply(fd, MANAGER)
    fd.command(MANAGER, "/desk", "watch remove sam roe")
    assert "off the watch list" in last_reply(fd, MANAGER)
    fd.command(MANAGER, "/desk", "watch Sam Roe")
    asked = last_reply(fd, MANAGER)  # the form's angle brackets escaped, as Slack needs them
    assert "Add `: &lt;reason&gt;`" in asked and "<reason>" not in asked
    with Session(fd.engine) as session:
        assert list(session.scalars(select(WatchEntry))) == []
    fd.command(RECEPTION, "/visitor", f"arrived Sam Roe for {ALICE_M}")
    assert posts_to(fd, MANAGERS) == []


# --- access needs -----------------------------------------------------------------------------


def test_access_needs_reach_the_host_and_the_roll_call_never_the_desk_post(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} [needs wheelchair]")
    (visit,) = visits(fd)
    assert (visit.name, visit.needs) == ("Kim Lee", "wheelchair")
    assert "wheelchair" in block_text(dms_to(fd, ALICE)[0])
    assert all("wheelchair" not in block_text(p) for p in posts_to(fd, DESK))
    fd.command(ALICE, "/desk", "board")
    assert "wheelchair" not in last_reply(fd, ALICE)
    fd.command(RECEPTION, "/desk", "roll-call")
    roll = "\n".join(block_text(p) for p in posts_to(fd, DESK))
    assert "needs: wheelchair" in roll


def test_an_enquiry_carries_access_needs_to_its_owner(fd: Embedded) -> None:
    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via letter from Jo Bloggs for {ALICE_M} [needs large print]: the lift",
    )
    with Session(fd.engine) as session:
        (enquiry,) = session.scalars(select(Enquiry))
    assert enquiry.needs == "large print" and enquiry.summary == "the lift"
    assert "large print" in block_text(dms_to(fd, ALICE)[-1])


def test_expected_visitor_needs_are_told_to_the_host(fd: Embedded) -> None:
    fd.command(
        RECEPTION,
        "/visitor",
        f"expect Kim Lee for {ALICE_M} tomorrow 10am [needs interpreter: Cree]",
    )
    assert visits(fd)[0].needs == "interpreter: Cree"
    assert "interpreter: Cree" in block_text(dms_to(fd, ALICE)[-1])


# --- retention and forget ---------------------------------------------------------------------


def test_forget_clears_needs_id_type_escort_and_the_watch_entry(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "watch Kim Lee : unpaid invoices")
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} [needs wheelchair]")
    press_in_reply(fd, RECEPTION, last_ack(fd), "Passport")
    press(fd, ALICE, dms_to(fd, ALICE)[0], "On my way")
    fd.command(MANAGER, "/desk", "forget Kim Lee")
    assert "1 watch-list entry" in last_reply(fd, MANAGER)
    (visit,) = visits(fd)
    assert (visit.needs, visit.id_type, visit.escort_id) == (None, None, None)
    with Session(fd.engine) as session:
        assert list(session.scalars(select(WatchEntry))) == []


def test_retention_takes_old_watch_entries_and_needs(fd: Embedded, policy: Policy) -> None:
    fd.command(MANAGER, "/desk", "watch Kim Lee : unpaid invoices")
    fd.command(RECEPTION, "/enquiry", "question via letter from Jo Bloggs [needs braille]: hours")
    later = fd.clock.now() + timedelta(days=95)
    with Session(fd.engine) as session:
        for item in session.scalars(select(Enquiry)):
            assert item.needs == "braille"
        erased = privacy.run_retention(session, now=later, policy=policy)
        session.commit()
    assert erased.watch_entries == 1
    with Session(fd.engine) as session:
        assert list(session.scalars(select(WatchEntry))) == []


# --- policy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ('check_id = "yes"', "frontdesk.toml: visitors.check_id: Input should be a valid boolean"),
        ("escort = 1", "frontdesk.toml: visitors.escort: Input should be a valid boolean"),
        ('late_after = "soon"', "frontdesk.toml: visitors.late_after:"),
        ('late_after = "1 business hour"', "must be elapsed time"),
        ('late_after = "0 minutes"', "must be longer than 0 seconds"),
        ("late_after = 15", "expected a duration in quotes"),
        ("watch = true", "frontdesk.toml: visitors.watch: unknown key"),
    ],
)
def test_bad_visitor_policy_values_are_one_clear_line(section: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_policy(f"[visitors]\n{section}\n", "frontdesk.toml")
    message = str(error.value)
    assert "\n" not in message and says in message


def test_the_visitor_policy_defaults() -> None:
    visitors = parse_policy("", "frontdesk.toml").visitors
    assert (visitors.check_id, visitors.escort) == (False, False)
    assert visitors.late_after.plain == timedelta(minutes=15)
