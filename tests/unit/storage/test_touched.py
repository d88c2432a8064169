"""storage.touched: whose Home committed work changed is a durable task, written with the work
(and a rollback writes none); writing it again while pending runs it once, with the newest data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage import tasks, touched
from storage.db import session_scope
from storage.models import Absence, Presence

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def pending_homes(engine: Engine) -> list[str]:
    claimed = tasks.claim(engine, now=NOW, owner="test", lease=timedelta(seconds=30))
    for task in claimed:
        tasks.finish(engine, task, owner="test", now=NOW)
    return sorted(str(t.params["user_id"]) for t in claimed if t.kind == touched.HOME_TASK)


def test_a_committed_change_writes_a_home_task_for_the_people_before_and_after(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        session.add(Presence(user_id="U0ALICE", state="in", updated_at=NOW))
        absence = Absence(user_id="U0BOB", starts_at=NOW, until=NOW)
        session.add(absence)
    assert pending_homes(engine) == ["U0ALICE", "U0BOB"]
    assert pending_homes(engine) == []  # done once
    with session_scope(engine) as session:
        moved = session.get(Absence, absence.id)
        assert moved is not None
        moved.user_id = "U0CAROL"
        session.add(moved)
    assert pending_homes(engine) == ["U0BOB", "U0CAROL"]


def test_a_rolled_back_change_writes_no_task(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Presence(user_id="U0ALICE", state="in", updated_at=NOW))
        session.flush()
        raise RuntimeError("changed my mind")
    assert pending_homes(engine) == []


def test_a_task_written_again_while_it_runs_is_run_once_more(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Presence(user_id="U0ALICE", state="in", updated_at=NOW))
    (first,) = tasks.claim(engine, now=NOW, owner="w1", lease=timedelta(seconds=30))
    with session_scope(engine) as session:  # another change lands while w1 publishes
        presence = session.get(Presence, "U0ALICE")
        assert presence is not None
        presence.state = "out"
        session.add(presence)
    assert not tasks.finish(engine, first, owner="w1", now=NOW)  # an older run: still pending
    (again,) = tasks.claim(engine, now=NOW, owner="w2", lease=timedelta(seconds=30))
    assert again.key == first.key and again.seq == first.seq + 1
    assert tasks.finish(engine, again, owner="w2", now=NOW)
    assert tasks.claim(engine, now=NOW, owner="w3", lease=timedelta(seconds=30)) == []
