"""storage.touched: whose Home committed work changed (and a rollback changes no one's)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from storage import touched
from storage.db import session_scope
from storage.models import Absence, Presence

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def test_a_committed_change_names_the_people_before_and_after(engine: Engine) -> None:
    touched.drain()
    with session_scope(engine) as session:
        session.add(Presence(user_id="U0ALICE", state="in", updated_at=NOW))
        absence = Absence(user_id="U0BOB", starts_at=NOW, until=NOW)
        session.add(absence)
    assert touched.drain() == {"U0ALICE", "U0BOB"}
    assert touched.drain() == set()  # drained once
    with session_scope(engine) as session:
        moved = session.get(Absence, absence.id)
        assert moved is not None
        moved.user_id = "U0CAROL"
        session.add(moved)
    assert touched.drain() == {"U0BOB", "U0CAROL"}


def test_a_rolled_back_change_touches_no_one(engine: Engine) -> None:
    touched.drain()
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Presence(user_id="U0ALICE", state="in", updated_at=NOW))
        session.flush()
        raise RuntimeError("changed my mind")
    assert touched.drain() == set()
