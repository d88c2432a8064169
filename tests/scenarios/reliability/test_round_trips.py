"""What one command costs the database, held: the round trips of a `/visitor arrived` and a
`/message` (bench/ack_cost.py measures the same, with CPU), and the writes sent together just
before COMMIT (storage.at_commit) still commit with the work, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

from bench.ack_cost import RoundTrips
from bot.console.embedded import Embedded
from storage import (
    absences,
    at_commit,
    audit,
    passbook,
    presence,
    request_log,
    visits,
    watch_list,
)
from storage.models import Absence, AuditEvent, HandledRequest, Task, Visit, WatchEntry
from storage.names import name_key
from storage.touched import refresh_home
from tests.conftest import TUESDAY_3PM
from tests.helpers import last_reply

RECEPTION = "U0RECEPTION"
HOSTS = ("<@U0ALICE|alice>", "<@U0BOB|bob>")

# The most each may take; fewer is fine (then lower these). Measured on 2026-12-01: 20 and 14
# before storage.at_commit, the claim with the timeouts and the pre-ping only when idle; 14 and
# 9 after; main's check for a name already on site, then its visitor checks (issue 19b), each
# added one read to a sign-in.
# The pass written with the COMMIT, the two reads of visits made one, and the host's absence
# and board read together (2026-12-02): 11. The pass taken with its lock in one upsert
# (storage.passbook): 10. The last writes and the COMMIT in one round trip: 9. The watch list
# read with the visits: 8. The host's absence and board read with them too: 7.
VISITOR_ROUND_TRIPS = 7  # BEGIN, claim + timeouts, 4 reads and writes, last writes + COMMIT
# DM with the COMMIT, absence and board together (2026-12-02): from 9 to 7; the last writes and
# the COMMIT in one round trip: 6.
MESSAGE_ROUND_TRIPS = 6
# SQLite: BEGIN IMMEDIATE is one, and the last writes go one table at a time (no round trips
# to save). The host's whereabouts read with the visits, and the audit lines in one
# executemany (2026-12-02): 11 and 6.
VISITOR_STATEMENTS = {"sqlite": 11, "postgresql": 6}


@contextmanager
def counted(engine: Engine) -> Iterator[dict[str, Any]]:
    """Statements executed on `engine` (both databases) and, on PostgreSQL, round trips."""
    seen: dict[str, Any] = {"statements": 0, "which": []}

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen["statements"] += 1
        seen["which"].append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        if engine.dialect.name == "postgresql":
            with RoundTrips().installed(engine) as trips:
                trips.on = True
                yield seen
                seen["round_trips"] = trips.count
        else:
            yield seen
    finally:
        event.remove(engine, "before_cursor_execute", executed)


def _selects(seen: dict[str, Any]) -> int:
    """How many SELECTs `counted` has seen so far."""
    return len([w for w in seen["which"] if w.startswith("SELECT")])


def quiet(fd: Embedded) -> Embedded:
    """As in a web process: the worker sends, so a command's cost is its own."""
    fd.runtime.ctx.deliver = lambda: None
    for n, host in enumerate(HOSTS):  # each host once into the directory, as a running install has
        fd.command(RECEPTION, "/visitor", f"arrived Warm Up {n} from Acme for {host}")
    return fd


def test_a_visitor_arrived_costs_at_most_its_round_trips(fd: Embedded) -> None:
    quiet(fd)
    with counted(fd.engine) as seen:
        fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {HOSTS[0]}")
    assert "signed in for" in last_reply(fd, RECEPTION)
    assert seen["statements"] <= VISITOR_STATEMENTS[fd.engine.dialect.name], seen
    if "round_trips" in seen:
        assert seen["round_trips"] <= VISITOR_ROUND_TRIPS, seen


def test_a_message_costs_at_most_its_round_trips(fd: Embedded) -> None:
    quiet(fd)
    text = f"{HOSTS[1]} Caller 1 (Acme) 416-555-0101: please call back"
    with counted(fd.engine) as seen:
        fd.command(RECEPTION, "/message", text)
    if "round_trips" in seen:
        assert seen["round_trips"] <= MESSAGE_ROUND_TRIPS, seen


def test_the_last_writes_of_a_command_are_all_committed(fd: Embedded) -> None:
    quiet(fd)
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {HOSTS[0]}")
    with Session(fd.engine) as session:
        lines = session.exec(select(AuditEvent).where(AuditEvent.actor_id == RECEPTION)).all()
        kept = session.exec(select(HandledRequest)).all()
        homes = session.exec(select(Task).where(Task.key == "home:U0ALICE")).all()
    assert len([a for a in lines if a.action == "signed_in"]) == 3  # two warm-ups and Jane
    assert all(k.reply and "signed in for" in k.reply for k in kept)
    assert len(homes) == 1 and homes[0].seq == 1  # written, then re-armed by the second sign-in


def test_writes_queued_for_commit_are_rolled_back_with_the_work(engine: Engine) -> None:
    now = _now()
    with Session(engine) as session:
        audit.record(session, actor_id="U0ALICE", action="tried", at=now)
        refresh_home(session, ["U0ALICE"], now=now)
        request_log.claim(session, "command:t1", now=now)
        request_log.keep_reply(session, "command:t1", {"text": "done"})
        assert at_commit.pending(session) == 3
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(AuditEvent)).all() == []
        assert session.exec(select(Task)).all() == []
        assert session.exec(select(HandledRequest)).all() == []


def test_queued_audit_lines_are_read_back_in_their_transaction_in_order(
    engine: Engine,
) -> None:
    now = _now()
    with Session(engine) as session:
        for action in ("created", "tried", "resolved"):
            audit.record(session, actor_id="U0ALICE", action=action, at=now, item_id=None)
        assert audit.last_at(session, item_id=0, action="tried") is None  # sent, none on item 0
        assert at_commit.pending(session) == 0
        session.commit()
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == ["created", "tried", "resolved"]


def _signed_in(session: Session, name: str, host_id: str) -> Visit:
    """A visit on site at "main" since now, inserted as a sign-in inserts it (no pass yet)."""
    now = _now()
    return visits.insert(
        session,
        name=name,
        host_id=host_id,
        site="main",
        state="on_site",
        arrived_at=now,
        logged_by=RECEPTION,
        created_at=now,
    )


def test_a_pass_given_with_the_commit_is_read_back_in_its_transaction(engine: Engine) -> None:
    """A second sign-in in the same transaction reads the first one's pass, not the number
    again; a rollback takes the pass with the visit."""
    day = _now().date()

    def sign_in(session: Session, name: str) -> Visit:
        visit = _signed_in(session, name, "U0ALICE")
        seq = passbook.take(session, site="main", day=day)
        visits.give_pass(session, visit, day=day, seq=seq, number=f"V-{seq:03d}")
        return visit

    with Session(engine) as session:
        first, second = sign_in(session, "Kim Lee"), sign_in(session, "Sam Roe")
        assert (first.pass_number, second.pass_number) == ("V-001", "V-002")
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(Visit).order_by(Visit.id)).all()
        assert [(v.name, v.pass_number, v.pass_seq) for v in stored] == [
            ("Kim Lee", "V-001", 1),
            ("Sam Roe", "V-002", 2),
        ]
        sign_in(session, "Ann Poe")
        session.rollback()
    with Session(engine) as session:
        assert passbook.take(session, site="main", day=day) == 3  # Ann Poe's 3 rolled back


def test_visits_read_ahead_for_a_sign_in_are_answered_once_and_never_after_a_write(
    engine: Engine,
) -> None:
    now = _now()

    def visit(name: str, state: str, host: str = "U0ALICE") -> Visit:
        return Visit(
            name=name,
            host_id=host,
            site="main",
            state=state,
            logged_by=RECEPTION,
            created_at=now,
            arrived_at=now if state == "on_site" else None,
            expected_at=now + timedelta(hours=1) if state == "expected" else None,
        )

    with Session(engine) as session:
        session.add_all([visit("Kim Lee", "on_site"), visit("Sam Roe", "expected")])
        session.add(visit("Ann Poe", "expected", host="U0BOB"))
        session.commit()
    with Session(engine) as session, counted(engine) as seen:
        visits.read_ahead_for_sign_in(
            session, key=name_key("Kim Lee"), host_id="U0ALICE", site="main", now=now
        )
        named = visits.on_site_named(session, name_key("kim lee"), "main")
        expected = visits.expected(session, host_id="U0ALICE", site="main")

        assert _selects(seen) == 1  # both answered by the one read
        assert [v.name for v in named] == ["Kim Lee"] and [v.name for v in expected] == ["Sam Roe"]
        visits.on_site_named(session, name_key("Kim Lee"), "main")
        assert _selects(seen) == 2  # an answer is taken once
        visits.read_ahead_for_sign_in(
            session, key=name_key("Kim Lee"), host_id="U0ALICE", site="main", now=now
        )
        _signed_in(session, "Kim Lee", "U0BOB")
        again = visits.on_site_named(session, name_key("Kim Lee"), "main")
        assert [v.host_id for v in again] == ["U0ALICE", "U0BOB"]  # read again after the write


def test_the_watch_list_read_with_a_sign_ins_visits_is_answered_once_and_never_after_a_write(
    engine: Engine,
) -> None:
    now = _now()
    key = name_key("Zoë O'Neil")
    with Session(engine) as session:
        for reason in ("trespass notice", "unpaid invoices"):
            session.add(
                WatchEntry(
                    name="Zoe ONeil", name_key=key, reason=reason, added_by="U0M", added_at=now
                )
            )
        session.commit()
    with Session(engine) as session, counted(engine) as seen:
        # No visit matches: the entries still come back, from the one read.
        visits.read_ahead_for_sign_in(session, key=key, host_id="U0ALICE", site="main", now=now)
        reasons = [e.reason for e in watch_list.with_key(session, key)]
        assert reasons == ["trespass notice", "unpaid invoices"]
        assert _selects(seen) == 1
        visits.read_ahead_for_sign_in(
            session, key=name_key("Kim Lee"), host_id="U0A", site="main", now=now
        )
        assert watch_list.with_key(session, name_key("Kim Lee")) == []  # read ahead: none
        visits.read_ahead_for_sign_in(session, key=key, host_id="U0ALICE", site="main", now=now)
        watch_list.remove_key(session, key)  # a write no flush sees
        assert watch_list.with_key(session, key) == []  # asked again, not the old answer
        visits.read_ahead_for_sign_in(session, key=key, host_id="U0ALICE", site="main", now=now)
        session.add(
            WatchEntry(name="Zoe", name_key=key, reason="new", added_by="U0M", added_at=now)
        )
        session.flush()
        assert [e.reason for e in watch_list.with_key(session, key)] == ["new"]


def test_the_hosts_absence_and_board_read_with_a_sign_ins_visits_are_their_answers(
    engine: Engine,
) -> None:
    now = _now()
    with Session(engine) as session:
        session.add(
            Absence(
                user_id="U0ALICE",
                starts_at=now - timedelta(days=1),
                until=now + timedelta(days=2),
                backup_id="U0BOB",
            )
        )
        presence.set_state(session, user_id="U0CARL", state="out", back_at=now, now=now)
        session.commit()
    with Session(engine) as session, counted(engine) as seen:
        key = name_key("Kim Lee")
        visits.read_ahead_for_sign_in(session, key=key, host_id="U0ALICE", site="main", now=now)
        away = absences.current(session, "U0ALICE", now=now)
        assert away is not None and away.backup_id == "U0BOB"  # whoever covers: from the read
        assert presence.where_is(session, "U0ALICE") is None  # no board row: none, not asked
        visits.read_ahead_for_sign_in(session, key=key, host_id="U0CARL", site="main", now=now)
        assert absences.current(session, "U0CARL", now=now) is None
        assert presence.where_is(session, "U0CARL") == ("out", now)
        assert _selects(seen) == 2  # the two reads
        later = now + timedelta(days=3)  # another instant is another question
        assert absences.current(session, "U0ALICE", now=later) is None
        assert _selects(seen) == 3


def test_an_absence_read_answers_the_board_once_and_never_after_the_board_is_written(
    engine: Engine,
) -> None:
    now = _now()
    with Session(engine) as session:
        presence.set_state(
            session, user_id="U0ALICE", state="out", back_at=now + timedelta(hours=1), now=now
        )
        session.commit()
    with Session(engine) as session, counted(engine) as seen:
        assert absences.current(session, "U0ALICE", now=now) is None
        assert presence.where_is(session, "U0ALICE") == ("out", now + timedelta(hours=1))
        assert presence.where_is(session, "U0BOB") is None  # asked of the database: no row
        assert _selects(seen) == 2
        assert absences.current(session, "U0BOB", now=now) is None  # reads Bob's board too
        presence.set_state(session, user_id="U0BOB", state="out_day", back_at=None, now=now)
        assert presence.where_is(session, "U0BOB") == ("out_day", None)  # not the old read


def test_a_savepoint_writes_at_once_so_its_rollback_takes_the_row(engine: Engine) -> None:
    now = _now()
    with Session(engine) as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            audit.record(session, actor_id="U0ALICE", action="tried", at=now)
            raise RuntimeError("undo")
        audit.record(session, actor_id="U0ALICE", action="kept", at=now)
        session.commit()
    with Session(engine) as session:
        assert [r.action for r in session.exec(select(AuditEvent)).all()] == ["kept"]


def test_an_absence_added_in_the_transaction_is_seen_by_the_next_ask(engine: Engine) -> None:
    now = _now()
    with Session(engine) as session:
        assert absences.current(session, "U0ALICE", now=now) is None
        session.add(
            Absence(
                user_id="U0ALICE",
                starts_at=now - timedelta(hours=1),
                until=now + timedelta(days=1),
            )
        )
        assert absences.current(session, "U0ALICE", now=now) is not None  # not the memo
        session.flush()
        assert absences.current(session, "U0ALICE", now=now) is not None


def _now() -> datetime:
    return TUESDAY_3PM


def test_the_claim_sets_the_timeouts_to_the_budget_left(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no lock or statement timeout to set")
    with Session(engine) as session:
        request_log.claim(session, "command:t2", now=_now(), wait_limit_s=1.234)
        lock = session.execute(text("SHOW lock_timeout")).scalar()
        statement = session.execute(text("SHOW statement_timeout")).scalar()
        session.rollback()
    assert (lock, statement) == ("1234ms", "1234ms")
