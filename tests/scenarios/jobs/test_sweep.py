"""The sweep: who hears what, and when; late sweeps, digests, visitors the host has not answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.jobs import JobContext, next_instant
from bot.domain.services.messages import called_back
from bot.domain.sweep import earliest_stage_at, sweep
from storage.db import session_scope
from storage.models import Absence, Item, Outbox
from tests.helpers import block_text, buttons, dms_to, posts_to
from tests.time_helpers import advance, advance_to, alerts, run_round

RECEPTION, ALICE, BOB, CAROL, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
DESK, MANAGERS = "C0DESK", "C0MGRS"
WED_3PM = datetime.fromisoformat("2026-11-25T15:00:00-05:00")
JUST_PAST_DUE = WED_3PM + timedelta(seconds=1)  # at the due instant itself it is on time


def rows(fd: Embedded) -> list[Outbox]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]


def items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def sweep_now(fd: Embedded) -> None:
    ctx = fd.runtime.ctx
    sweep(
        fd.engine,
        policy=ctx.policy,
        now=fd.clock.now(),
        desk_channel=DESK,
        managers_channel=MANAGERS,
    )


def test_next_instant_is_the_earliest_stage_of_any_window(fd: Embedded) -> None:
    assert earliest_stage_at(fd.engine) is None
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe")
    ctx = fd.runtime.ctx
    job_ctx = JobContext(fd.engine, ctx.policy, fd.clock.now(), DESK, MANAGERS)
    warn = datetime.fromisoformat("2026-11-25T13:00:00-05:00")
    assert earliest_stage_at(fd.engine) == warn
    assert next_instant(job_ctx) is not None and next_instant(job_ctx) <= warn  # type: ignore[operator]


def test_a_late_sweep_skips_due_soon_and_says_breached(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe")
    fd.clock.set(WED_3PM + timedelta(minutes=1))  # the bot was down through the warning
    run_round(fd)
    texts = [block_text(c) for c in dms_to(fd, ALICE)[1:]]
    assert len(texts) == 1 and "Overdue" in texts[0]
    assert not any("Due soon" in t for t in texts)
    assert len(alerts(fd)) == 1
    (item,) = items(fd)
    assert item.state == "breached" and item.next_stage == "escalate"


def test_running_the_sweep_twice_says_nothing_twice(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe")
    fd.clock.set(JUST_PAST_DUE)
    sweep_now(fd)
    sweep_now(fd)
    run_round(fd)
    keys = [r.key for r in rows(fd)]
    assert len(keys) == len(set(keys))
    assert len(alerts(fd)) == 1


def test_many_breaches_in_one_sweep_are_one_digest_post(fd: Embedded) -> None:
    for n in range(5):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n}")
    fd.command(RECEPTION, "/message", "<@U0BOB|bob> Called Back Soon")
    from tests.scenarios.messages.test_messages import click

    click(fd, BOB, dms_to(fd, BOB)[0], "Called back")
    fd.clock.set(JUST_PAST_DUE)
    run_round(fd)
    (digest,) = alerts(fd)
    text = block_text(digest)
    assert "5 items need attention" in text
    assert all(f"Caller {n}" in text for n in range(5)) and "Called Back Soon" not in text
    labels = [b["text"]["text"] for b in buttons(digest)]
    assert labels == ["Take it", "Reassign…"] * 5
    action_ids = [b["action_id"] for b in buttons(digest)]
    assert len(set(action_ids)) == len(action_ids)
    assert len(dms_to(fd, ALICE)) == 5 + 5  # the messages, then each one's overdue DM


def test_a_sweep_late_enough_to_breach_and_escalate_at_once_lists_each_item_once(
    fd: Embedded,
) -> None:
    for n in range(2):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n}")
    fd.clock.set(datetime.fromisoformat("2026-11-27T09:00:00-05:00"))  # down until Friday
    run_round(fd)
    (digest,) = alerts(fd)  # accepted by Slack: no button twice in one message
    text = "\n".join(b["text"]["text"] for b in digest.args["blocks"] if "text" in b)
    assert "2 items need attention" in text
    assert all(text.count(f"Caller {n}") == 1 for n in range(2))
    assert text.count("Escalated") == 2 and "Overdue" not in text
    action_ids = [b["action_id"] for b in buttons(digest)]
    assert len(action_ids) == 4 and len(set(action_ids)) == 4


def test_a_digest_leaves_out_items_done_before_it_is_sent(fd: Embedded) -> None:
    for n in range(3):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n}")
    fd.clock.set(JUST_PAST_DUE)
    sweep_now(fd)  # written, not yet sent
    from tests.scenarios.messages.test_messages import click

    click(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")  # Caller 0
    fd.runtime.sender.deliver_due()
    (digest,) = alerts(fd)
    text = block_text(digest)
    assert "2 items need attention" in text and "Caller 0" not in text


def test_a_digest_whose_items_are_all_done_is_dropped(fd: Embedded) -> None:
    for n in range(2):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n}")
    fd.clock.set(JUST_PAST_DUE)
    sweep_now(fd)
    with session_scope(fd.engine) as session:  # both called back before the sender runs
        for item in items(fd):
            assert item.id is not None
            called_back(
                session, now=fd.clock.now(), item_id=item.id, by=ALICE, roles=fd.runtime.ctx.roles
            )
    fd.runtime.sender.deliver_due()
    assert alerts(fd) == []
    assert {r.state for r in rows(fd) if r.template == "alert_digest"} == {"dropped"}


def test_a_stage_that_became_moot_is_dropped_unsent(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe")
    fd.clock.set(JUST_PAST_DUE)
    sweep_now(fd)
    from tests.scenarios.messages.test_messages import click

    click(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")
    fd.runtime.sender.deliver_due()
    assert alerts(fd) == []
    assert len(dms_to(fd, ALICE)) == 1
    assert {r.state for r in rows(fd) if r.item_id and r.key != "item:1:dm"} == {"dropped"}


def test_the_desks_items_are_reminded_in_the_desk_channel(fd: Embedded) -> None:
    with Session(fd.engine) as session:
        session.add(
            Absence(user_id=ALICE, starts_at=fd.clock.now(), until=WED_3PM + timedelta(days=5))
        )
        session.commit()
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199")
    advance(fd, "6 business hours")
    soon = [c for c in posts_to(fd, DESK) if "Due soon" in block_text(c)]
    assert len(soon) == 1 and "416" not in block_text(soon[0])
    assert "Show number" in [b["text"]["text"] for b in buttons(soon[0])]


def test_take_it_the_desk_may_take_the_desks_items_and_staff_are_told_who_may(
    fd: Embedded,
) -> None:
    from tests.scenarios.messages.test_messages import click

    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe")
    fd.clock.set(JUST_PAST_DUE)
    run_round(fd)
    (alert,) = alerts(fd)
    click(fd, BOB, alert, "Take it")
    assert "Only managers may take someone else's item" in block_text(
        fd.double.calls_to("response_url")[-1]
    )
    click(fd, MANAGER, alert, "Take it")
    assert "yours now" in block_text(fd.double.calls_to("response_url")[-1])
    assert items(fd)[0].owner_id == MANAGER
    assert "Jane Doe" in block_text(dms_to(fd, MANAGER)[-1])


def test_an_unanswered_visitor_tells_the_desk_then_the_managers(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    (item,) = items(fd)
    assert item.kind == "visitor_arrival" and item.warn_at is None
    assert item.due_at == fd.clock.now() + timedelta(minutes=5)
    advance(fd, timedelta(minutes=5))
    assert not [c for c in posts_to(fd, DESK) if "has not answered" in block_text(c)]
    advance(fd, timedelta(seconds=1))  # the due instant has passed
    unanswered = [c for c in posts_to(fd, DESK) if "has not answered" in block_text(c)]
    assert len(unanswered) == 1 and "Jane Doe" in block_text(unanswered[0])
    assert alerts(fd) == []
    advance(fd, timedelta(minutes=5))
    (escalated,) = alerts(fd)
    assert "Escalated" in block_text(escalated) and "Jane Doe" in block_text(escalated)


def test_the_hosts_answer_closes_the_visitor_window(fd: Embedded) -> None:
    from tests.scenarios.messages.test_messages import click

    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    click(fd, ALICE, dms_to(fd, ALICE)[0], "On my way")
    (item,) = items(fd)
    assert (item.state, item.outcome) == ("done", "host_on_my_way")
    advance(fd, timedelta(minutes=30))
    assert not any("has not answered" in block_text(c) for c in posts_to(fd, DESK))
    assert alerts(fd) == []


def test_an_unanswered_visitor_of_someone_out_tells_their_backup(fd: Embedded) -> None:
    with Session(fd.engine) as session:
        session.add(
            Absence(
                user_id=ALICE,
                starts_at=fd.clock.now(),
                until=WED_3PM + timedelta(days=5),
                backup_id=BOB,
            )
        )
        session.commit()
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    advance_to(fd, fd.clock.now() + timedelta(minutes=6))
    # bob already had the arrival as alice's cover: he is the one who has not answered,
    # so the desk hears it naming both, and bob is not told he is his own backup.
    unanswered = [c for c in posts_to(fd, "C0DESK") if "has not answered" in block_text(c)]
    assert len(unanswered) == 1
    assert "<@U0BOB> (covering for <@U0ALICE>)" in block_text(unanswered[0])
    assert not [c for c in dms_to(fd, BOB) if "You are their backup" in block_text(c)]


def test_an_unanswered_visitor_reaches_the_backup_of_whoever_was_asked(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    # alice was asked, then left for the day with bob as her backup before answering.
    with Session(fd.engine) as session:
        session.add(Absence(user_id=ALICE, starts_at=fd.clock.now(), until=WED_3PM, backup_id=BOB))
        session.commit()
    advance_to(fd, fd.clock.now() + timedelta(minutes=6))
    backup = [c for c in dms_to(fd, BOB) if "You are their backup" in block_text(c)]
    assert len(backup) == 1 and "Jane Doe" in block_text(backup[0])
