"""storage.passbook: the next pass of a site's day, taken with its lock in one statement."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from storage import passbook
from storage.models import PassBook, Visit

DAY = date(2026, 11, 24)


def _visit(
    name: str, *, seq: int, day: date = DAY, state: str = "left", site: str = "main"
) -> Visit:
    return Visit(
        name=name,
        host_id="U0ALICE",
        site=site,
        state=state,
        pass_number=f"V-{seq:03d}",
        pass_seq=seq,
        pass_day=day,
        logged_by="U0RECEPTION",
        created_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )


def _take(engine: Engine, site: str = "main", day: date = DAY) -> int:
    with Session(engine) as session:
        number = passbook.take(session, site=site, day=day)
        session.commit()
    return number


def test_each_site_counts_its_own_day_from_one(engine: Engine) -> None:
    assert [_take(engine) for _ in range(3)] == [1, 2, 3]
    assert _take(engine, site="annex") == 1
    assert _take(engine, day=DAY + timedelta(days=1)) == 1
    with Session(engine) as session:
        book = {(p.site, p.day): p.last_seq for p in session.exec(select(PassBook))}
    assert book == {("main", DAY): 3, ("annex", DAY): 1, ("main", DAY + timedelta(days=1)): 1}


def test_a_rolled_back_take_gives_its_number_out_again(engine: Engine) -> None:
    assert _take(engine) == 1
    with Session(engine) as session:
        assert passbook.take(session, site="main", day=DAY) == 2
        session.rollback()
    assert _take(engine) == 2


def test_the_days_passes_already_on_visits_are_counted_on_from(engine: Engine) -> None:
    """A day begun before the pass book existed (or a restored database): never below them."""
    with Session(engine) as session:
        session.add_all([_visit("Ann", seq=7), _visit("Ben", seq=8, site="annex")])
        session.commit()
    assert _take(engine) == 8
    with Session(engine) as session:
        session.add(_visit("Cy", seq=40))  # written some other way, past the book
        session.commit()
    assert _take(engine) == 41
    assert _take(engine) == 42


def test_passes_still_held_from_an_earlier_day_are_skipped(engine: Engine) -> None:
    yesterday = DAY - timedelta(days=1)
    with Session(engine) as session:
        session.add_all(
            [
                _visit("Night Owl", seq=1, day=yesterday, state="on_site"),
                _visit("Stayed On", seq=2, day=yesterday, state="on_site"),
                _visit("Went Home", seq=3, day=yesterday, state="left"),
                _visit("Elsewhere", seq=4, day=yesterday, state="on_site", site="annex"),
            ]
        )
        session.commit()
    assert [_take(engine) for _ in range(3)] == [3, 4, 5]
    assert _take(engine, site="annex") == 1


def test_a_second_desk_waits_for_the_first_and_counts_on(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its transactions begin IMMEDIATE")
    with Session(engine) as first:
        assert passbook.take(first, site="main", day=DAY) == 1
        with Session(engine) as second:  # the site's row of the day is the first desk's
            second.execute(text("SET LOCAL lock_timeout = '50ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                passbook.take(second, site="main", day=DAY)
        assert _take(engine, site="annex") == 1  # another site's book is not held
        first.commit()
    assert _take(engine) == 2
