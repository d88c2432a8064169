"""Mentions of people who are out, and who is on site at closing (fire safety)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.jobs import JobContext, load_jobs, run_due
from storage.models import Visit
from tests.helpers import block_text, buttons, posts_to

RECEPTION, ALICE, BOB, CAROL = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL"
ALICE_M = "<@U0ALICE|alice>"


def say(fd: Embedded, user_id: str, text: str, **extra: Any) -> None:
    event = {"type": "message", "channel": "C0DESK", "user": user_id, "text": text}
    event.update(extra)
    event["ts"] = f"{fd.clock.now().timestamp():.6f}"
    fd.dispatch(fd.requests.event(event))
    fd.settle()


def notices_to(fd: Embedded, user_id: str) -> list[str]:
    return [
        block_text(c)
        for c in fd.double.calls_to("chat.postEphemeral")
        if c.args.get("user") == user_id
    ]


def job_context(fd: Embedded) -> JobContext:
    ctx = fd.runtime.ctx
    return JobContext(fd.engine, ctx.policy, fd.clock.now(), ctx.desk_channel, ctx.managers_channel)


def test_mentioning_someone_who_is_out_tells_the_mentioner_once_a_day(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until next Friday backup <@U0BOB|bob>")
    say(fd, CAROL, "can <@U0ALICE> look at this?")
    (notice,) = notices_to(fd, CAROL)
    assert "<@U0ALICE> is out of office until" in notice and "<@U0BOB> is covering" in notice
    say(fd, CAROL, "<@U0ALICE> ping again")
    assert len(notices_to(fd, CAROL)) == 1
    say(fd, RECEPTION, "<@U0ALICE>?")
    assert len(notices_to(fd, RECEPTION)) == 1
    fd.clock.advance(timedelta(days=1))
    say(fd, CAROL, "<@U0ALICE> and again tomorrow")
    assert len(notices_to(fd, CAROL)) == 2


def test_bots_edits_and_people_who_are_in_are_ignored(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until Friday")
    say(fd, CAROL, "<@U0ALICE> edited", subtype="message_changed")
    say(fd, CAROL, "<@U0ALICE> from a bot", bot_id="B0OTHER")
    say(fd, CAROL, "<@U0BOB> is in")
    say(fd, ALICE, "I mention <@U0ALICE> myself")
    assert fd.double.calls_to("chat.postEphemeral") == []


def test_closing_time_lists_visitors_still_signed_in_once(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Sam Roe for {ALICE_M}")
    closing_job = load_jobs()["closing.on_site"]
    closing_at = closing_job.next_at(job_context(fd))
    assert closing_at is not None and closing_at.astimezone(fd.runtime.ctx.site_tz).hour == 17
    fd.clock.set(closing_at)
    for _ in range(2):
        run_due(job_context(fd))
        fd.runtime.sender.deliver_due()
    (post,) = [c for c in posts_to(fd, "C0DESK") if "Closing time" in block_text(c)]
    assert "Jane Doe" in block_text(post) and "Sam Roe" in block_text(post)
    assert [b["text"]["text"] for b in buttons(post)] == ["Signed out", "Staying"] * 2

    signed_out = buttons(post)[0]
    fd.dispatch(
        fd.requests.block_action(
            user_id=RECEPTION,
            action=signed_out,
            channel_id="C0DESK",
            message={"ts": post.response["ts"], "blocks": post.args["blocks"], "text": "x"},
            message_ts=post.response["ts"],
        )
    )
    fd.settle()
    with Session(fd.engine) as session:
        states = {v.name: v.state for v in session.exec(select(Visit))}
    assert states == {"Jane Doe": "left", "Sam Roe": "on_site"}
    updated = fd.double.message("C0DESK", post.response["ts"])
    assert updated is not None and "signed out by <@U0RECEPTION>" in block_text(updated)
    assert len(buttons(updated)) == 2

    # A second answer pressed on the list as first posted: Jane stays signed out on it.
    staying = buttons(post)[3]
    fd.dispatch(
        fd.requests.block_action(
            user_id=RECEPTION,
            action=staying,
            channel_id="C0DESK",
            message={"ts": post.response["ts"], "blocks": post.args["blocks"], "text": "x"},
            message_ts=post.response["ts"],
        )
    )
    fd.settle()
    final = block_text(fd.double.message("C0DESK", post.response["ts"]) or {})
    assert "signed out by <@U0RECEPTION>" in final and "is staying" in final
    assert buttons(fd.double.message("C0DESK", post.response["ts"]) or {}) == []


def test_staff_may_not_answer_the_closing_list(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    closing_at = load_jobs()["closing.on_site"].next_at(job_context(fd))
    assert closing_at is not None
    fd.clock.set(closing_at + timedelta(minutes=1))
    run_due(job_context(fd))
    fd.runtime.sender.deliver_due()
    (post,) = [c for c in posts_to(fd, "C0DESK") if "Closing time" in block_text(c)]
    fd.dispatch(
        fd.requests.block_action(
            user_id=BOB,
            action=buttons(post)[0],
            channel_id="C0DESK",
            message={"ts": post.response["ts"], "blocks": post.args["blocks"]},
            message_ts=post.response["ts"],
        )
    )
    fd.settle()
    with Session(fd.engine) as session:
        assert [v.state for v in session.exec(select(Visit))] == ["on_site"]


def test_no_list_when_nobody_is_on_site_or_after_the_site_reopens(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.clock.advance(timedelta(days=1))  # Wednesday 15:00: the site reopened since closing
    run_due(job_context(fd))
    fd.runtime.sender.deliver_due()
    assert not [c for c in posts_to(fd, "C0DESK") if "Closing time" in block_text(c)]
