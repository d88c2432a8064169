"""`/desk close`: a snow day closes the site and open deadlines move past it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Closure, Item
from tests.conftest import SITE
from tests.helpers import block_text, last_reply, posts_to

MANAGER, RECEPTION, ALICE = "U0MANAGER", "U0RECEPTION", "U0ALICE"


def items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item)))


def test_closing_tomorrow_moves_a_message_due_tomorrow_to_the_day_after(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe 416-555-0100 : call back")
    (before,) = items(fd)
    assert before.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=SITE)  # Tue 15:00 + 1 business day

    fd.command(MANAGER, "/desk", "close 2026-11-25: snow")

    (after,) = items(fd)
    assert after.due_at == datetime(2026, 11, 26, 15, 0, tzinfo=SITE)
    assert after.deadline_version == 2
    assert "1 open deadline moved" in last_reply(fd, MANAGER)
    assert any("snow" in block_text(c) for c in posts_to(fd, "C0DESK"))


def test_only_managers_may_close_the_site(fd: Embedded) -> None:
    fd.command(RECEPTION, "/desk", "close tomorrow")
    assert "Only managers" in last_reply(fd, RECEPTION)
    with Session(fd.engine) as session:
        assert list(session.exec(select(Closure))) == []


def test_a_past_day_or_a_day_already_closed_is_refused(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "close 2026-11-20")
    assert "in the past" in last_reply(fd, MANAGER)
    fd.command(MANAGER, "/desk", "close 2026-11-26")
    fd.command(MANAGER, "/desk", "close 2026-11-26")
    assert "already closed" in last_reply(fd, MANAGER)
    assert "/desk close" in last_reply(fd, MANAGER)


def test_a_new_message_after_a_closure_skips_the_closed_day(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "close 2026-11-25")
    fd.command(RECEPTION, "/message", "<@U0ALICE|alice> Jane Doe : call back")
    (item,) = items(fd)
    assert item.due_at == datetime(2026, 11, 26, 15, 0, tzinfo=SITE)
