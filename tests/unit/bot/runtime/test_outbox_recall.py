"""A row whose earlier attempt may have reached Slack is looked for there before it is posted
again (bot/runtime/outbox_recall.py): found, it is marked sent with that message; not found,
posted; and if Slack cannot be asked, posted all the same, with a warning.

"Killed" here is a sender whose marking of the row as sent fails after Slack took the post:
what a kill -9 in that instant leaves behind (tests/process/test_crash.py does it for real).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.console import demo
from bot.console.double import Call, SlackDouble
from bot.console.embedded import start_double
from bot.domain.clock import ManualClock
from bot.domain.config import Policy
from bot.runtime.app import make_client
from bot.runtime.outbox_recall import EVENT_TYPE
from bot.runtime.outbox_sender import OutboxSender
from storage import outbox
from storage.db import session_scope
from storage.models import Outbox, SlackPost

DESK, ALICE = "C0DESK", "U0ALICE"


@pytest.fixture
def double(clock: ManualClock) -> Iterator[SlackDouble]:
    started = start_double()
    started.set_clock(lambda: clock.now().timestamp())  # Slack's clock and ours agree
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def sender(engine: Engine, double: SlackDouble, clock: ManualClock, policy: Policy) -> OutboxSender:
    return OutboxSender(
        engine,
        make_client(demo.BOT_TOKEN, double.base_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=DESK,
    )


def write(engine: Engine, clock: ManualClock, key: str, target: str, **params: Any) -> None:
    """A row that says its key (a "could not deliver" notice, the simplest there is)."""
    with session_scope(engine) as session:
        outbox.enqueue(
            session,
            key=key,
            template="delivery_failed",
            target=target,
            params={"template": key, "target": target, "error": "x", **params},
            now=clock.now(),
            item_id=7,
        )


def killed_after_posting(
    sender: OutboxSender, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deliver, the sender dying between Slack taking each post and marking its row sent;
    then wait out its leases."""

    def killed(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("killed before the row was marked sent")

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "mark_sent", killed)
        patched.setattr(outbox, "release", killed)  # the dead give nothing back
        sender.deliver_due()
    clock.advance(sender.lease + timedelta(seconds=1))


def posts(double: SlackDouble, key: str) -> list[Call]:
    return [c for c in double.calls_to("chat.postMessage") if key in str(c.args["text"])]


def the_row(engine: Engine, key: str) -> Outbox:
    with Session(engine) as session:
        return session.exec(select(Outbox).where(Outbox.key == key)).one()


def remembered(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(p.channel, p.ts) for p in session.exec(select(SlackPost)).all()]


@pytest.mark.parametrize("target", [DESK, ALICE], ids=["channel", "dm"])
def test_a_row_whose_post_landed_before_a_crash_is_marked_sent_with_it_not_posted_again(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    write(engine, clock, "visit:1:signin", target)
    killed_after_posting(sender, clock, monkeypatch)
    (first,) = posts(double, "visit:1:signin")
    assert the_row(engine, "visit:1:signin").state == "pending"
    sender.deliver_due()
    assert posts(double, "visit:1:signin") == [first]  # not posted again
    row = the_row(engine, "visit:1:signin")
    landed = (first.response["channel"], first.response["ts"])
    assert (row.state, row.sent_channel, row.sent_ts) == ("sent", *landed)
    assert remembered(engine) == [landed]  # kept for redaction, as a post of its own would be
    (looked,) = double.calls_to("conversations.history")
    assert looked.args["channel"] == first.response["channel"]  # a DM: its D… channel


def test_a_row_whose_earlier_attempt_did_not_land_is_posted(
    engine: Engine, double: SlackDouble, sender: OutboxSender, clock: ManualClock
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    write(engine, clock, "visit:2:signin", DESK)
    # A sender set out to post visit 1 (and so marked it) but died before the post left.
    (row,) = outbox.claim(engine, now=clock.now(), owner="dead/1", lease=timedelta(60), limit=1)
    outbox.extend(
        engine,
        [row.id],
        owner="dead/1",
        until=clock.now() + timedelta(seconds=15),
        posting=row.id,
        now=clock.now(),
    )
    sender.deliver_due()  # visit 2 is held back behind visit 1's lease: nothing
    clock.advance(timedelta(seconds=16))
    sender.deliver_due()
    assert [len(posts(double, k)) for k in ("visit:1:signin", "visit:2:signin")] == [1, 1]
    assert len(double.calls_to("conversations.history")) == 1  # visit 2 had no earlier attempt
    assert the_row(engine, "visit:1:signin").state == "sent"


@pytest.mark.parametrize(
    "failure",
    [{"error": "missing_scope"}, {"status": 500, "error": "internal_error"}],
    ids=["missing_scope", "server_error"],
)
def test_when_slack_cannot_be_asked_the_row_is_posted_again_and_a_warning_says_so(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: dict[str, Any],
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    killed_after_posting(sender, clock, monkeypatch)
    double.fail("conversations.history", **failure)
    with caplog.at_level(logging.WARNING, logger="bot.runtime.outbox_recall"):
        sender.deliver_due()
    assert len(posts(double, "visit:1:signin")) == 2  # a repeat, not a loss
    assert the_row(engine, "visit:1:signin").state == "sent"
    (warning,) = [r for r in caplog.records if "could not ask Slack" in r.getMessage()]
    assert "visit:1:signin" in warning.getMessage()
    assert failure["error"] in warning.getMessage()


def test_a_row_moot_by_now_whose_post_landed_is_kept_as_sent_for_redaction(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    policy: Policy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The owner pressed "Called back" on the DM a killed sender posted: the row is moot, but
    the DM is there and names someone, so it is remembered as any post is."""
    write(engine, clock, "item:7:dm", ALICE)
    killed_after_posting(sender, clock, monkeypatch)
    (dm,) = posts(double, "item:7:dm")
    next_sender = OutboxSender(
        engine,
        make_client(demo.BOT_TOKEN, double.base_url, retries=False),
        clock,
        site_tz=policy.site.tz,
        desk_channel=DESK,
        moot=lambda row: "the item is done",
    )
    next_sender.deliver_due()
    row = the_row(engine, "item:7:dm")
    landed = (dm.response["channel"], dm.response["ts"])
    assert (row.state, row.sent_channel, row.sent_ts) == ("sent", *landed)
    assert remembered(engine) == [landed]
    assert posts(double, "item:7:dm") == [dm]


def test_a_reply_in_a_thread_is_looked_for_in_that_thread(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    sender.deliver_due()
    with session_scope(engine) as session:
        outbox.enqueue(
            session,
            key="visit:1:left",
            template="delivery_failed",
            target=DESK,
            params={"template": "visit:1:left", "target": DESK, "error": "x"},
            now=clock.now(),
            thread_key="visit:1:signin",
        )
    killed_after_posting(sender, clock, monkeypatch)
    (reply,) = posts(double, "visit:1:left")
    sender.deliver_due()
    assert posts(double, "visit:1:left") == [reply]
    (looked,) = double.calls_to("conversations.replies")
    assert looked.args["ts"] == reply.args["thread_ts"]
    assert the_row(engine, "visit:1:left").sent_ts == reply.response["ts"]


def test_a_found_post_still_gets_the_files_its_row_carries(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [{"filename": "week.csv", "title": "Week", "content_b64": "YSxiCg=="}]
    write(engine, clock, "report:week", DESK, files=files)
    double.fail("files.getUploadURLExternal", status=500, error="internal_error")
    sender.deliver_due()  # posted; the upload failed: the row waits for a retry
    assert (len(posts(double, "report:week")), double.uploaded_files) == (1, [])
    clock.set(the_row(engine, "report:week").next_attempt_at)
    sender.deliver_due()
    assert len(posts(double, "report:week")) == 1
    assert [f["filename"] for f in double.uploaded_files] == ["week.csv"]
    assert the_row(engine, "report:week").state == "sent"


def test_a_post_slack_refused_whole_is_not_looked_for_before_the_next_try(
    engine: Engine, double: SlackDouble, sender: OutboxSender, clock: ManualClock
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    double.fail("chat.postMessage", status=429, retry_after=30)
    sender.deliver_due()
    assert the_row(engine, "visit:1:signin").posting_at is None
    clock.advance(timedelta(seconds=30))
    sender.deliver_due()
    assert len(posts(double, "visit:1:signin")) == 1
    assert double.calls_to("conversations.history", include_failed=True) == []


def test_a_lost_connection_is_looked_for_before_the_next_try(
    engine: Engine, double: SlackDouble, sender: OutboxSender, clock: ManualClock
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    double.refuse_connections()
    try:
        sender.deliver_due()
    finally:
        double.accept_connections()
    assert the_row(engine, "visit:1:signin").posting_at is not None
    clock.set(the_row(engine, "visit:1:signin").next_attempt_at)
    sender.deliver_due()
    assert len(posts(double, "visit:1:signin")) == 1
    assert len(double.calls_to("conversations.history")) == 1


def test_every_post_names_its_row_and_an_update_is_never_looked_for(
    engine: Engine,
    double: SlackDouble,
    sender: OutboxSender,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(engine, clock, "visit:1:signin", DESK)
    sender.deliver_due()
    (first,) = posts(double, "visit:1:signin")
    assert first.args["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"row": "visit:1:signin"},
    }
    write(engine, clock, "visit:1:redact", DESK, update_ts=first.response["ts"])
    killed_after_posting(sender, clock, monkeypatch)
    sender.deliver_due()
    assert len(double.calls_to("chat.update")) == 2  # the same rewrite twice: no harm
    assert double.calls_to("conversations.history", include_failed=True) == []
    assert the_row(engine, "visit:1:redact").state == "sent"
