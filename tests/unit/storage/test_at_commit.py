"""storage.at_commit: the writes a request queues land with its commit, each with its own values,
although the statements that carry them are built once and reused (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col

from storage import at_commit, audit, outbox, request_log, tasks
from storage.db import make_engine, session_scope
from storage.models import AuditEvent, HandledRequest

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def lines(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        found = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))
        return [(e.actor_id, e.action) for e in found]


def replies(engine: Engine) -> dict[str, str | None]:
    with session_scope(engine) as session:
        return {r.id: r.reply for r in session.scalars(select(HandledRequest))}


def test_each_transaction_writes_its_own_values_through_the_same_built_statements(
    engine: Engine,
) -> None:
    for n, actor in enumerate(("U0ALICE", "U0BOB")):
        with session_scope(engine) as session:
            request_log.claim(session, f"trigger-{n}", now=NOW)
            audit.record(session, actor_id=actor, action="signed_in", at=NOW)
            audit.record(session, actor_id=actor, action="noted", at=NOW)
            request_log.keep_reply(session, f"trigger-{n}", {"text": f"done {actor}"})
    # Rows in the order queued, each transaction's values, nothing of one in the other.
    assert lines(engine) == [
        ("U0ALICE", "signed_in"),
        ("U0ALICE", "noted"),
        ("U0BOB", "signed_in"),
        ("U0BOB", "noted"),
    ]
    kept = replies(engine)
    assert kept["trigger-0"] is not None and "done U0ALICE" in kept["trigger-0"]
    assert kept["trigger-1"] is not None and "done U0BOB" in kept["trigger-1"]


def test_rows_queued_for_one_table_keep_their_order_and_their_own_columns(
    engine: Engine,
) -> None:
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    with session_scope(engine) as session:
        for actor, visit in (("U0A", None), ("U0B", None), ("U0C", 7), ("U0D", None)):
            row = {"actor_id": actor, "action": "noted", "at": NOW}
            at_commit.insert_row(session, table, row | ({"visit_id": visit} if visit else {}))
        event.listen(engine, "before_cursor_execute", seen)
        try:
            session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    with session_scope(engine) as session:
        found = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))
        kept = {e.actor_id: (e.id, e.visit_id) for e in found}
    assert {actor: visit for actor, (_, visit) in kept.items()} == {
        "U0A": None,
        "U0B": None,
        "U0C": 7,  # its own column kept, not the first row's columns
        "U0D": None,
    }
    assert kept["U0A"][0] < kept["U0B"][0]  # the same columns: in the order queued
    inserts = [s for s in sent if "INSERT INTO auditevent" in s]
    # SQLite: an executemany for the first two, then one each; PostgreSQL: one statement.
    assert len(inserts) == (3 if engine.dialect.name == "sqlite" else 1), inserts
    if engine.dialect.name == "sqlite":  # and in the order queued
        assert kept["U0A"][0] < kept["U0B"][0] < kept["U0C"][0] < kept["U0D"][0]


def test_the_same_statement_queued_twice_in_one_transaction_writes_both(engine: Engine) -> None:
    with session_scope(engine) as session:
        request_log.claim(session, "trigger-a", now=NOW)
        request_log.claim(session, "trigger-b", now=NOW)
        request_log.keep_reply(session, "trigger-a", {"text": "first"})
        request_log.keep_reply(session, "trigger-b", {"text": "second"})
    kept = replies(engine)
    assert kept["trigger-a"] is not None and "first" in kept["trigger-a"]
    assert kept["trigger-b"] is not None and "second" in kept["trigger-b"]


def test_a_rollback_writes_nothing_queued(engine: Engine) -> None:
    with session_scope(engine) as session:
        audit.record(session, actor_id="U0ALICE", action="signed_in", at=NOW)
        session.rollback()
    assert lines(engine) == []


def test_several_rows_queued_together_go_in_a_statement_sqlalchemy_compiles_once(
    engine: Engine,
) -> None:
    # A multi-row VALUES has no cache key: SQLAlchemy would compile it again at every request.
    dialect = engine.dialect.name
    for n in (1, 2, 3):
        rows = [tasks.row(key=f"home:U{i}", kind="home", params={}, now=NOW) for i in range(n)]
        statement, _ = tasks.upsert(dialect, rows)
        assert statement._generate_cache_key() is not None, n
    with session_scope(engine) as session:
        rows = [{"key": f"k{i}", "template": "t", "target": "C1", "params": {}} for i in range(2)]
        outbox.enqueue_at_commit(session, rows, now=NOW)
    assert outbox._LATER[(dialect, 2)]._generate_cache_key() is not None
    with session_scope(engine) as session:
        assert outbox.counts(session) == {"pending": 2}


def test_a_queued_write_that_fails_at_commit_takes_the_whole_transaction_with_it(
    engine: Engine,
) -> None:
    """On PostgreSQL the queue goes with the COMMIT in one round trip: a failure in it still
    fails the commit, keeps nothing of the transaction, and leaves the connection usable."""
    with session_scope(engine) as session:
        request_log.claim(session, "trigger-1", now=NOW)
    table = HandledRequest.__table__  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(AuditEvent(actor_id="U0ALICE", action="signed_in", at=NOW))
        session.flush()
        at_commit.insert_row(session, table, {"id": "trigger-1", "handled_at": NOW})
    assert lines(engine) == []
    with session_scope(engine) as session:  # the next transaction commits as usual
        audit.record(session, actor_id="U0BOB", action="noted", at=NOW)
    assert lines(engine) == [("U0BOB", "noted")]


def test_a_savepoint_released_with_writes_queued_does_not_commit_the_transaction(
    engine: Engine,
) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        audit.record(session, actor_id="U0ALICE", action="signed_in", at=NOW)
        with session.begin_nested():
            session.add(AuditEvent(actor_id="U0ALICE", action="noted", at=NOW))
        raise RuntimeError("the request failed after its savepoint")
    assert lines(engine) == []


def test_without_pipeline_mode_the_queue_still_commits_with_the_work(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A libpq older than 14 has no pipeline mode: the queue goes alone, then the COMMIT."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite sends the queue itself: no pipeline")
    import psycopg

    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    with session_scope(engine) as session:
        request_log.claim(session, "trigger-1", now=NOW)
        audit.record(session, actor_id="U0ALICE", action="signed_in", at=NOW)
        request_log.keep_reply(session, "trigger-1", {"text": "done"})
    assert lines(engine) == [("U0ALICE", "signed_in")]
    kept = replies(engine)
    assert kept["trigger-1"] is not None and "done" in kept["trigger-1"]


def test_a_connection_lost_at_the_pipelined_commit_fails_it_and_the_next_request_commits(
    engine: Engine,
) -> None:
    """The server goes away just before the queue and the COMMIT are sent: the commit raises
    (the request is told nothing was saved, never acked as done), nothing is kept, and the
    dead connection does not go back to the pool for the next request to fail on."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the pipelined COMMIT is PostgreSQL's")
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(DBAPIError), session_scope(engine) as session:
            request_log.claim(session, "trigger-1", now=NOW)
            audit.record(session, actor_id="U0ALICE", action="signed_in", at=NOW)
            pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.begin() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        assert lines(engine) == [] and replies(engine) == {}
        for n in range(8):  # at once, as the next requests would: every pooled connection
            with session_scope(engine) as session:
                audit.record(session, actor_id="U0BOB", action=f"noted {n}", at=NOW)
        assert lines(engine) == [("U0BOB", f"noted {n}") for n in range(8)]
    finally:
        admin.dispose()
