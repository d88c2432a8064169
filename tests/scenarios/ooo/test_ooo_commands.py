"""`/ooo` through signed requests: out of office, cover, the board, and coming back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.jobs import JobContext, next_instant, run_due
from storage.models import Absence, Outbox
from tests.helpers import block_text, buttons, dms_to, last_reply, posts_to

RECEPTION, ALICE, BOB, CAROL = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL"
ALICE_M, BOB_M, CAROL_M = "<@U0ALICE|alice>", "<@U0BOB|bob>", "<@U0CAROL|carol>"
# Friday 4 December 2026, 09:00 Toronto (next Friday, seen from Tuesday 24 November)
NEXT_FRIDAY_9AM = 1796392800


def absences(fd: Embedded) -> list[Absence]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Absence)))


def run_jobs(fd: Embedded) -> None:
    ctx = fd.runtime.ctx
    run_due(
        JobContext(
            engine=fd.engine,
            policy=ctx.policy,
            now=fd.clock.now(),
            desk_channel=ctx.desk_channel,
            managers_channel=ctx.managers_channel,
        )
    )
    fd.runtime.sender.deliver_due()


def job_context(fd: Embedded) -> JobContext:
    ctx = fd.runtime.ctx
    return JobContext(fd.engine, ctx.policy, fd.clock.now(), ctx.desk_channel, ctx.managers_channel)


def test_the_story_alice_away_bob_covers_and_she_comes_back_to_a_summary(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until next Friday backup {BOB_M}")
    reply = last_reply(fd, ALICE)
    assert f"<!date^{NEXT_FRIDAY_9AM}^" in reply and "<@U0BOB>" in reply
    (absence,) = absences(fd)
    assert (absence.backup_id, int(absence.until.timestamp())) == (BOB, NEXT_FRIDAY_9AM)

    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    assert dms_to(fd, ALICE) == []
    (to_bob,) = dms_to(fd, BOB)
    assert "Jane Doe" in block_text(to_bob) and "<@U0ALICE>" in block_text(to_bob)
    told = last_reply(fd, RECEPTION)
    assert "<@U0ALICE> is out of office until" in told and f"<!date^{NEXT_FRIDAY_9AM}^" in told
    assert "<@U0BOB> has been told instead" in told

    fd.command(
        RECEPTION, "/message", f"{ALICE_M} John Smith (Initech) 416-555-0100: about the lease"
    )
    assert len(dms_to(fd, ALICE)) == 0 and len(dms_to(fd, BOB)) == 2
    assert "John Smith" in block_text(dms_to(fd, BOB)[1])
    assert "<@U0BOB>" in last_reply(fd, RECEPTION) and "<@U0ALICE>" in last_reply(fd, RECEPTION)

    # bob answers for alice
    on_my_way = buttons(to_bob)[0]
    fd.dispatch(
        fd.requests.block_action(
            user_id=BOB,
            action=on_my_way,
            channel_id=to_bob.args["channel"],
            message={"ts": to_bob.response["ts"], "blocks": to_bob.args["blocks"]},
            message_ts=to_bob.response["ts"],
        )
    )
    fd.settle()

    fd.command(RECEPTION, "/desk", "board")
    board = last_reply(fd, RECEPTION)
    assert "Out of office (1)" in board and "Alice Adams" in board
    assert f"<!date^{NEXT_FRIDAY_9AM}^" in board and "backup: *Bob Brown*" in board
    for name in ("Rita Reyes", "Bob Brown", "Carol Chen", "Maya Manager"):
        assert name in board  # everyone in the directory is listed

    assert next_instant(job_context(fd)) is not None
    fd.clock.advance(timedelta(days=10))
    run_jobs(fd)
    (absence,) = absences(fd)
    assert absence.ended_at is not None
    (summary,) = dms_to(fd, ALICE)
    text = block_text(summary)
    assert "While you were out" in text and "Jane Doe" in text
    assert "answered _On my way_ by <@U0BOB>" in text
    assert "John Smith" in text and "still open with <@U0BOB>" in text
    fd.command(RECEPTION, "/desk", "board")
    assert "Out of office (0)" in last_reply(fd, RECEPTION)
    run_jobs(fd)  # the job is idempotent: one summary
    assert len(dms_to(fd, ALICE)) == 1


def test_a_visitor_for_someone_away_with_no_backup_goes_to_the_desk_channel(
    fd: Embedded,
) -> None:
    fd.command(ALICE, "/ooo", "until Monday")
    assert "policy asks you to name" in last_reply(fd, ALICE)
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert dms_to(fd, ALICE) == []
    desk = [c for c in posts_to(fd, "C0DESK") if buttons(c)]
    assert len(desk) == 1 and "you are covering" in block_text(desk[0])
    assert "the desk channel" in last_reply(fd, RECEPTION)


def test_a_chain_of_absences_is_followed_without_loops(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until Friday backup {BOB_M}")
    fd.command(BOB, "/ooo", f"until Friday backup {CAROL_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert len(dms_to(fd, CAROL)) == 1 and dms_to(fd, BOB) == []
    assert "<@U0BOB> is out too" in last_reply(fd, RECEPTION)
    fd.command(CAROL, "/ooo", f"until Friday backup {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Sam Roe for {ALICE_M}")
    assert "the desk channel" in last_reply(fd, RECEPTION)


def test_a_short_absence_without_backup_needs_no_reminder(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until tomorrow")
    reply = last_reply(fd, ALICE)
    assert "out of office until" in reply and "policy asks" not in reply


def test_ooo_back_ends_the_absence_early_with_a_summary(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until Friday backup {BOB_M}")
    fd.command(ALICE, "/ooo", "back")
    assert "Welcome back" in last_reply(fd, ALICE)
    assert absences(fd)[0].ended_at is not None
    assert "While you were out" in block_text(dms_to(fd, ALICE)[0])
    fd.command(ALICE, "/ooo", "back")
    assert "not out of office" in last_reply(fd, ALICE)


def test_setting_it_again_changes_the_same_absence(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until Friday backup {BOB_M}")
    fd.command(ALICE, "/ooo", f"until next Friday backup {CAROL_M} : in Ottawa")
    assert "Changed" in last_reply(fd, ALICE)
    (absence,) = absences(fd)
    assert (absence.backup_id, absence.note) == (CAROL, "in Ottawa")


def test_ooo_alone_shows_the_status_and_the_form(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo")
    assert "not out of office" in last_reply(fd, ALICE)
    assert "/ooo until" in last_reply(fd, ALICE)
    fd.command(ALICE, "/ooo", f"until Friday backup {BOB_M}")
    fd.command(ALICE, "/ooo")
    assert "You are out of office until" in last_reply(fd, ALICE)


def test_a_time_with_a_colon_is_not_taken_for_the_note(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until Dec 10 10:30 backup {BOB_M}: dentist &amp; errands")
    (absence,) = absences(fd)
    assert absence.note == "dentist & errands"
    assert "dentist &amp; errands" in last_reply(fd, ALICE)


BAD_INPUT = [
    ("until", "Until when?"),
    ("Friday", "Say until when"),
    ("until flibbertigibbet", "could not read"),
    ("until yesterday", "in the past"),
    ("until 2028-06-01", "more than a year away"),
    (f"until Friday backup {ALICE_M}", "your own backup"),
    ("until Friday backup <@U0NOBODY|ghost>", "not someone I can find"),
    ("until Friday backup", "Who is your backup?"),
    (f"until Friday backup {BOB_M} {CAROL_M}", "Name one backup"),
    ("until &lt;!channel&gt;", "&lt;!channel&gt;"),
]


@pytest.mark.parametrize(("text", "error"), BAD_INPUT)
def test_bad_input_gets_the_right_form_and_changes_nothing(
    fd: Embedded, text: str, error: str
) -> None:
    fd.command(ALICE, "/ooo", text)
    reply = last_reply(fd, ALICE)
    assert error.lower() in reply.lower()
    assert "/ooo until" in reply
    assert "<!channel>" not in reply
    assert absences(fd) == []
    with Session(fd.engine) as session:
        assert list(session.exec(select(Outbox))) == []
