"""Acknowledged means saved: what Slack was told is done is in the database before the ack,
done once however often the request comes, and what follows the ack survives a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.console.embedded import Embedded
from bot.domain.clock import ManualClock
from bot.domain.config import Policy
from handlers import transaction
from handlers.transaction import BUDGET_S
from storage import outbox
from storage.models import Outbox, PhoneMessage, Task, Visit
from tests.conftest import start_on_test_clock
from tests.helpers import block_text, buttons, dms_to, last_reply, press, replies_to

RECEPTION, ALICE = "U0RECEPTION", "U0ALICE"
ALICE_M = "<@U0ALICE|alice>"


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def crashed(fd: Embedded) -> Embedded:
    """Front Desk that acks and then dies before sending anything: its worker never runs."""
    fd.runtime.ctx.deliver = lambda: None
    return fd


@pytest.fixture
def restarted(fd: Embedded, policy: Policy, clock: ManualClock) -> Iterator[Embedded]:
    """A second Front Desk on the same database and Slack: a replica, or the process restarted."""
    other = start_on_test_clock(engine=fd.engine, policy=policy, clock=clock, double=fd.double)
    try:
        yield other
    finally:
        other.executor.shutdown(wait=True)


def test_the_visit_is_in_the_database_when_the_ack_leaves(fd: Embedded) -> None:
    seen: dict[str, Any] = {}

    def ack(**reply: Any) -> None:  # what another process could read at that instant
        seen["visits"] = count(fd.engine, Visit)
        seen["reply"] = reply.get("text", "")

    def work(reply: Any) -> None:
        from handlers.commands.visitor import handle
        from handlers.commands.visitor_parse import parse_visitor

        handle(fd.runtime.ctx, RECEPTION, parse_visitor(f"arrived Jane Doe for {ALICE_M}"), reply)

    body = {"trigger_id": "1.2.3", "user_id": RECEPTION}
    transaction.command(fd.runtime.ctx, ack, body, {}, "/visitor", work)
    assert seen["visits"] == 1 and "Jane Doe" in seen["reply"]


def test_work_past_its_deadline_is_rolled_back_and_not_acked(fd: Embedded) -> None:
    timer = [100.0]  # the injectable monotonic timer
    fd.runtime.ctx.monotonic = lambda: timer[0]
    acked: list[Any] = []

    def work(reply: Any) -> None:
        from handlers.commands.message import take
        from handlers.commands.message_parse import parse_message

        reply(text=take(fd.runtime.ctx, RECEPTION, parse_message(f"{ALICE_M} Jane Doe: hi")))
        timer[0] += BUDGET_S + 0.1  # a slow lock wait, say: past the budget before COMMIT

    body = {"trigger_id": "9.9.9", "user_id": RECEPTION}
    transaction.command(fd.runtime.ctx, lambda **r: acked.append(r), body, {}, "/message", work)
    assert acked == []  # Slack tells the user it failed; a retry is not a duplicate
    assert count(fd.engine, PhoneMessage) == 0 and count(fd.engine, Outbox) == 0


def test_a_failure_half_way_stores_nothing_and_says_so(
    fd: Embedded, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, real_later = outbox.enqueue, outbox.enqueue_at_commit

    def desk_post_fails(session: Session, **row: Any) -> bool:
        if row["template"] == "visitor_signin":
            raise RuntimeError("the disk is full")
        return real(session, **row)

    def desk_post_fails_later(session: Session, rows: list[dict[str, Any]], **kw: Any) -> None:
        if any(row["template"] == "visitor_signin" for row in rows):
            raise RuntimeError("the disk is full")
        real_later(session, rows, **kw)

    monkeypatch.setattr(outbox, "enqueue", desk_post_fails)
    monkeypatch.setattr(outbox, "enqueue_at_commit", desk_post_fails_later)
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert "Nothing was saved" in last_reply(fd, RECEPTION)
    assert count(fd.engine, Visit) == 0 and count(fd.engine, Outbox) == 0
    assert dms_to(fd, ALICE) == []


def test_a_command_replayed_after_a_restart_is_done_once(fd: Embedded, restarted: Embedded) -> None:
    request = fd.requests.command("/visitor", f"arrived Jane Doe for {ALICE_M}", user_id=RECEPTION)
    first = fd.dispatch(request)
    fd.settle()
    again = restarted.dispatch(request)  # a new process: nothing in memory remembers it
    restarted.settle()
    assert count(fd.engine, Visit) == 1
    assert len(dms_to(fd, ALICE)) == 1
    assert first.body == again.body and "Jane Doe" in first.body  # told the same, twice


def test_a_button_replayed_after_a_restart_is_done_once(fd: Embedded, restarted: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: call me")
    (dm,) = dms_to(fd, ALICE)
    (button,) = [b for b in buttons(dm) if b["text"]["text"] == "Called back"]
    press = fd.requests.block_action(
        user_id=ALICE,
        action=button,
        channel_id=dm.response["channel"],
        message={"ts": dm.response["ts"], "blocks": dm.args["blocks"]},
        message_ts=dm.response["ts"],
    )
    fd.dispatch(press)
    fd.settle()
    restarted.dispatch(press)
    restarted.settle()
    answers = fd.double.calls_to("response_url")
    assert len(answers) == 1 and "called back" in block_text(answers[0])


def test_a_buttons_answer_written_before_a_crash_is_sent_after_restart(
    crashed: Embedded, restarted: Embedded
) -> None:
    crashed.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: call me")
    restarted.runtime.deliver_now()  # the DM was only in the outbox
    (dm,) = dms_to(crashed, ALICE)
    press(crashed, ALICE, dm, "Called back")
    assert crashed.double.calls_to("response_url") == []  # acked, then the process died
    restarted.runtime.deliver_now()
    (answer,) = crashed.double.calls_to("response_url")
    assert answer.args.get("replace_original") is True and "called back" in block_text(answer)


def test_home_refreshes_are_tasks_any_worker_runs(crashed: Embedded, restarted: Embedded) -> None:
    crashed.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert count(crashed.engine, Task) == 1  # alice's Home, written with the visit
    assert crashed.double.home_view(ALICE) is None
    restarted.runtime.deliver_now()
    view = restarted.double.home_view(ALICE) or {}
    assert "Jane Doe" in str(view)
    with Session(crashed.engine) as session:
        assert session.scalars(select(Task.state)).all() == ["done"]


def test_a_form_answers_in_its_own_modal(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", "")
    (opened,) = fd.double.calls_to("views.open")
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=opened.response["view"],
            values={
                "name": {"name": {"type": "plain_text_input", "value": "Jane Doe"}},
                "host": {"host": {"type": "users_select", "selected_user": ALICE}},
            },
        )
    )
    fd.settle()
    assert '"response_action": "update"' in response.body
    assert "signed in" in replies_to(fd, RECEPTION)[-1]
    assert count(fd.engine, Visit) == 1


def test_on_my_way_pressed_twice_tells_the_desk_once(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    (dm,) = dms_to(fd, ALICE)
    press(fd, ALICE, dm, "On my way")
    press(fd, ALICE, dm, "On my way")
    desk = fd.runtime.ctx.desk_channel
    posts = [c for c in fd.double.calls_to("chat.postMessage") if c.args["channel"] == desk]
    assert sum("on their way" in block_text(p).lower() for p in posts) == 1


def test_tried_pressed_twice_within_minutes_is_one_attempt_and_says_so(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: call me")
    (dm,) = dms_to(fd, ALICE)
    press(fd, ALICE, dm, "Tried — no answer")
    press(fd, ALICE, dm, "Tried — no answer")
    answers = [block_text(c) for c in fd.double.calls_to("response_url")]
    assert "attempt 1" in answers[0] and "Already noted" in answers[1]
    with Session(fd.engine) as session:
        from storage.models import Item

        assert session.scalars(select(Item.attempts)).all() == [1]
    fd.clock.advance(timedelta(minutes=6))
    press(fd, ALICE, dm, "Tried — no answer")
    assert "attempt 2" in block_text(fd.double.calls_to("response_url")[-1])


def test_a_window_starts_when_the_request_arrived_not_when_it_was_carried_out(
    fd: Embedded,
) -> None:
    from handlers.commands.message import take
    from handlers.commands.message_parse import parse_message
    from handlers.transaction import ARRIVED, ARRIVED_AT
    from storage.models import Item

    fd.runtime.ctx.monotonic = lambda: 101.5  # 1.5 s after it arrived, its turn came
    sent_at = fd.clock.now()
    fd.clock.advance(timedelta(seconds=1.5))

    def work(reply: Any) -> None:
        reply(text=take(fd.runtime.ctx, RECEPTION, parse_message(f"{ALICE_M} Jane Doe: hi")))

    body = {"trigger_id": "4.5.6", "user_id": RECEPTION}
    stamps = {ARRIVED: 100.0, ARRIVED_AT: sent_at}
    transaction.command(fd.runtime.ctx, lambda **r: None, body, stamps, "/message", work)
    with Session(fd.engine) as session:
        (started,) = session.scalars(select(Item.started_at)).all()
    assert started == sent_at


def test_send_someone_after_the_visitor_left_asks_nobody(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    (dm,) = dms_to(fd, ALICE)
    fd.command(RECEPTION, "/visitor", "left Jane Doe")
    desk = fd.runtime.ctx.desk_channel
    before = len([c for c in fd.double.calls_to("chat.postMessage") if c.args["channel"] == desk])
    press(fd, ALICE, dm, "I can't — send someone")
    after = len([c for c in fd.double.calls_to("chat.postMessage") if c.args["channel"] == desk])
    assert after == before
    assert "no longer signed in" in block_text(fd.double.calls_to("response_url")[-1])


def test_a_task_that_fails_for_good_is_told_to_the_desk_once(fd: Embedded) -> None:
    from bot.runtime.task_runner import MAX_ATTEMPTS, TaskRunner
    from storage import tasks
    from storage.db import session_scope

    def broken(_params: dict[str, Any]) -> None:
        raise RuntimeError("the chart library is missing")

    runner = TaskRunner(fd.engine, fd.clock, {"report_files": broken}, desk_channel="C0DESK")
    with session_scope(fd.engine) as session:
        tasks.enqueue(
            session.connection(),
            key="report:x",
            kind="report_files",
            params={"user_id": "U0MANAGER"},
            now=fd.clock.now(),
        )
    for _ in range(MAX_ATTEMPTS + 2):
        runner.run_due()
        fd.clock.advance(timedelta(hours=1))  # past each backoff
    fd.runtime.deliver_now()
    told = [p for p in fd.double.calls_to("chat.postMessage") if p.args["channel"] == "C0DESK"]
    assert len(told) == 1 and "report_files" in block_text(told[0])
    with Session(fd.engine) as session:
        assert session.scalars(select(Task.state)).all() == ["failed"]
