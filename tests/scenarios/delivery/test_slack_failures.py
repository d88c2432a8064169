"""Slack failing the sender: transient errors keep the row with backoff, permanent ones are told once.

The clock is advanced, never slept on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Outbox
from tests.helpers import block_text, dms_to, posts_to
from tests.time_helpers import run_round

RECEPTION, ALICE = "U0RECEPTION", "U0ALICE"
ALICE_M = "<@U0ALICE|alice>"
DESK = "C0DESK"
WARN = datetime.fromisoformat("2026-11-25T13:00:00-05:00")


def the_row(fd: Embedded, key: str) -> Outbox:
    with Session(fd.engine) as session:
        row = session.exec(select(Outbox).where(Outbox.key == key)).one()
        return row


def take_message(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: hello")


def test_429_waits_as_long_as_retry_after_says(fd: Embedded) -> None:
    fd.double.fail("chat.postMessage", status=429, retry_after=30)
    take_message(fd)
    row = the_row(fd, "item:1:dm")
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == fd.clock.now() + timedelta(seconds=30)
    fd.clock.advance(timedelta(seconds=29))
    fd.runtime.sender.deliver_due()
    assert dms_to(fd, ALICE) == []
    fd.clock.advance(timedelta(seconds=1))
    fd.runtime.sender.deliver_due()
    assert len(dms_to(fd, ALICE)) == 1
    assert the_row(fd, "item:1:dm").state == "sent"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, "internal_error"),
        (503, "service_unavailable"),
        (200, "ratelimited"),
        (200, "internal_error"),
    ],
)
def test_transient_errors_keep_the_row_pending_with_backoff(
    fd: Embedded, status: int, error: str
) -> None:
    fd.double.fail("chat.postMessage", status=status, error=error, times=3)
    take_message(fd)
    waits = []
    for _ in range(3):
        row = the_row(fd, "item:1:dm")
        assert row.state == "pending"
        waits.append(row.next_attempt_at - fd.clock.now())
        fd.clock.set(row.next_attempt_at)
        fd.runtime.sender.deliver_due()
    assert waits == sorted(waits) and waits[0] > timedelta(0)  # backing off, never at once
    assert the_row(fd, "item:1:dm").state == "sent"
    assert len(dms_to(fd, ALICE)) == 1


def test_refused_connections_keep_rows_until_slack_is_back(fd: Embedded) -> None:
    take_message(fd)
    fd.double.refuse_connections()
    try:
        fd.clock.set(WARN)
        run_round(fd)
        row = the_row(fd, "item:1:warn:v1")
        assert row.state == "pending" and "connection" in (row.error or "")
    finally:
        fd.double.accept_connections()
    fd.runtime.sender.deliver_due()
    assert the_row(fd, "item:1:warn:v1").state == "pending"  # not before its backoff
    fd.clock.set(row.next_attempt_at)
    fd.runtime.sender.deliver_due()
    assert the_row(fd, "item:1:warn:v1").state == "sent"
    assert sum("Due soon" in block_text(c) for c in dms_to(fd, ALICE)) == 1


def test_a_permanent_error_fails_the_row_and_tells_the_desk_once(fd: Embedded) -> None:
    fd.double.fail("chat.postMessage", error="channel_not_found")
    take_message(fd)
    row = the_row(fd, "item:1:dm")
    assert (row.state, row.error) == ("failed", "channel_not_found")
    for _ in range(3):
        fd.clock.advance(timedelta(minutes=15))
        fd.runtime.sender.deliver_due()
    told = [c for c in posts_to(fd, DESK) if "could not deliver" in block_text(c)]
    assert len(told) == 1 and "channel_not_found" in block_text(told[0])
    assert dms_to(fd, ALICE) == []
