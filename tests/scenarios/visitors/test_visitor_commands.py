"""`/visitor` through signed requests: the receptionist, the host, the desk channel."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Outbox, Visit
from tests.helpers import block_text, buttons, dms_to, last_ack, last_reply, posts_to

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"


def visits(fd: Embedded) -> list[Visit]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Visit)))


def test_arrival_tells_the_host_the_desk_and_the_receptionist(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")

    reply = last_reply(fd, RECEPTION)
    assert "Jane Doe" in reply and "V-001" in reply
    dm = dms_to(fd, ALICE)
    assert len(dm) == 1
    assert "Jane Doe" in block_text(dm[0]) and "Acme" in block_text(dm[0])
    assert [b["text"]["text"] for b in buttons(dm[0])] == [
        "On my way",
        "Please ask them to wait",
        "I can't — send someone",
    ]
    desk = posts_to(fd, "C0DESK")
    assert len(desk) == 1 and "V-001" in block_text(desk[0])
    assert [v.state for v in visits(fd)] == ["on_site"]


def test_organisation_with_for_in_its_name_survives(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Sam Roe from Centre for Addiction for {ALICE_M}")
    (visit,) = visits(fd)
    assert (visit.name, visit.organisation) == ("Sam Roe", "Centre for Addiction")


def test_names_are_unescaped_once_and_escaped_when_echoed(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived &lt;!channel&gt; from AT&amp;T for {ALICE_M}")
    (visit,) = visits(fd)
    assert (visit.name, visit.organisation) == ("<!channel>", "AT&T")
    desk_text = block_text(posts_to(fd, "C0DESK")[0])
    assert "<!channel>" not in desk_text
    assert "&lt;!channel&gt;" in desk_text and "AT&amp;T" in desk_text


def test_pass_numbers_count_up_per_day(fd: Embedded) -> None:
    for name in ("Ann", "Ben", "Cy"):
        fd.command(RECEPTION, "/visitor", f"arrived {name} for {ALICE_M}")
    assert sorted(v.pass_number or "" for v in visits(fd)) == ["V-001", "V-002", "V-003"]


def test_desks_signing_people_in_at_once_never_issue_the_same_pass(fd: Embedded) -> None:
    names = [f"Guest {n}" for n in range(8)]
    for name in names:  # all dispatched before any finishes: up to 8 listeners at once
        fd.dispatch(
            fd.requests.command("/visitor", f"arrived {name} for {ALICE_M}", user_id=RECEPTION)
        )
    fd.settle()
    assert not fd.executor.errors
    passes = sorted(v.pass_number or "" for v in visits(fd))
    assert passes == [f"V-{n:03d}" for n in range(1, 9)]
    assert len(posts_to(fd, "C0DESK")) == 8


def test_expected_and_new_visitors_signed_in_at_once_get_one_pass_each(fd: Embedded) -> None:
    # An expected visit is changed before the pass book is held and a new one inserted: neither order
    # may leave two sign-ins each waiting on what the other holds.
    for n in range(4):
        fd.command(RECEPTION, "/visitor", f"expect Booked {n} for {ALICE_M} today 4pm")
    names = [f"Booked {n}" for n in range(4)] + [f"Walk-in {n}" for n in range(4)]
    for name in names:  # all dispatched before any finishes
        fd.dispatch(
            fd.requests.command("/visitor", f"arrived {name} for {ALICE_M}", user_id=RECEPTION)
        )
    fd.settle()
    assert not fd.executor.errors
    on_site = visits(fd)
    assert sorted(v.pass_number or "" for v in on_site) == [f"V-{n:03d}" for n in range(1, 9)]
    assert {v.state for v in on_site} == {"on_site"} and len(on_site) == 8
    assert len(posts_to(fd, "C0DESK")) == 8


def test_a_pass_still_held_from_yesterday_is_not_issued_again(fd: Embedded) -> None:
    from datetime import timedelta

    fd.command(RECEPTION, "/visitor", f"arrived Night Owl for {ALICE_M}")
    fd.clock.advance(timedelta(days=1))
    fd.command(RECEPTION, "/visitor", f"arrived Early Bird for {ALICE_M}")
    by_name = {v.name: v.pass_number for v in visits(fd)}
    assert by_name == {"Night Owl": "V-001", "Early Bird": "V-002"}


def test_the_hosts_click_is_recorded_and_shown_to_the_desk(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    dm = dms_to(fd, ALICE)[0]
    on_my_way = buttons(dm)[0]
    fd.dispatch(
        fd.requests.block_action(
            user_id=ALICE,
            action=on_my_way,
            channel_id=dm.args["channel"],
            message={"ts": dm.response["ts"], "blocks": dm.args["blocks"]},
            message_ts=dm.response["ts"],
        )
    )
    fd.settle()
    (visit,) = visits(fd)
    assert visit.host_response == "on_my_way"
    signin = posts_to(fd, "C0DESK")[0]
    replies = [
        c for c in posts_to(fd, "C0DESK") if c.args.get("thread_ts") == signin.response["ts"]
    ]
    assert len(replies) == 1 and "on their way" in block_text(replies[0])


def test_visitor_left_by_pass_number_and_list_is_then_empty(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left v-1")
    assert "signed out" in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", "list")
    assert "Nobody is signed in" in last_reply(fd, RECEPTION)


def test_two_matching_names_offer_a_button_each(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Smith for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left jane")
    pick = last_ack(fd)
    assert [b["text"]["text"] for b in buttons(pick)] == ["Jane Doe (V-001)", "Jane Smith (V-002)"]
    assert all(v.state == "on_site" for v in visits(fd))


def test_expected_visitor_is_matched_on_arrival(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Jane Doe from Acme for {ALICE_M} today 4pm")
    assert "expected" in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/visitor", f"arrived jane doe for {ALICE_M}")
    (visit,) = visits(fd)
    assert visit.state == "on_site" and visit.organisation == "Acme"
    assert "they were expected" in last_reply(fd, RECEPTION)


def test_cancel_an_expected_visitor(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Jane Doe for {ALICE_M} tomorrow 10am")
    fd.command(RECEPTION, "/visitor", "cancel Jane Doe")
    assert [v.state for v in visits(fd)] == ["cancelled"]


def test_staff_see_names_only_and_reception_sees_organisations(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    fd.command(BOB, "/visitor", "list")
    assert "Jane Doe" in block_text(last_ack(fd))
    assert "Acme" not in block_text(last_ack(fd))
    fd.command(RECEPTION, "/visitor", "list")
    assert "Acme" in block_text(last_ack(fd))


BAD_INPUT = [
    ("arrived", "Who is the host?"),
    (f"arrived for {ALICE_M}", "Give the visitor's name"),
    ("arrived Jane Doe", "Who is the host?"),
    ("arrived Jane Doe for <@U0NOBODY|ghost>", "not someone I can find"),
    ("left", "Who left?"),
    ("left V-042", "no one signed in holds pass V-042"),
    ("left Nobody Here", "no visitor matches"),
    (f"expect Jane for {ALICE_M}", "When are they expected?"),
    (f"expect Jane for {ALICE_M} flibbertigibbet", "could not read"),
    (f"expect Jane for {ALICE_M} yesterday", "in the past"),
    ("dance", "I don't know"),
]


@pytest.mark.parametrize(("text", "error"), BAD_INPUT)
def test_bad_input_gets_the_right_form_and_stores_nothing(
    fd: Embedded, text: str, error: str
) -> None:
    fd.command(RECEPTION, "/visitor", text)
    reply = last_reply(fd, RECEPTION)
    assert error.lower() in reply.lower()
    assert "/visitor" in reply  # shows the right form
    assert visits(fd) == []
    with Session(fd.engine) as session:
        assert list(session.exec(select(Outbox))) == []


def test_staff_may_not_log_visitors_and_are_told_who_may(fd: Embedded) -> None:
    fd.command(BOB, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert "Only reception and managers" in last_reply(fd, BOB)
    assert visits(fd) == []


def test_help_lists_every_form(fd: Embedded) -> None:
    fd.command(BOB, "/visitor", "help")
    reply = last_reply(fd, BOB)
    for verb in ("arrived", "expect", "left", "cancel", "list"):
        assert f"/visitor {verb}" in reply


def test_pass_numbers_go_past_999_in_order(fd: Embedded) -> None:
    from datetime import date as day_type

    today = day_type(2026, 11, 24)
    with Session(fd.engine) as session:
        for number in (998, 999, 1000):
            session.add(
                Visit(
                    name=f"V{number}",
                    host_id=ALICE,
                    state="left",
                    pass_number=f"V-{number:03d}",
                    pass_seq=number,
                    pass_day=today,
                    logged_by=RECEPTION,
                    created_at=fd.clock.now(),
                )
            )
        session.commit()
    fd.command(RECEPTION, "/visitor", f"arrived Next One for {ALICE_M}")
    assert "V-1001" in last_reply(fd, RECEPTION)


def test_a_new_day_starts_at_pass_one_but_skips_passes_still_held_from_yesterday(
    fd: Embedded,
) -> None:
    from datetime import timedelta

    fd.command(RECEPTION, "/visitor", f"arrived Stayed Over for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Went Home for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left Went Home")
    fd.clock.advance(timedelta(days=1))
    fd.command(RECEPTION, "/visitor", f"arrived First Today for {ALICE_M}")
    assert "V-002" in last_reply(fd, RECEPTION)  # V-001 is still on Stayed Over's lanyard
    fd.command(RECEPTION, "/visitor", f"arrived Second Today for {ALICE_M}")
    assert "V-003" in last_reply(fd, RECEPTION)
