"""The outbox writes a key once and says so."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from storage import outbox


def test_enqueue_writes_a_key_once_and_says_whether_it_wrote(engine: Engine) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with Session(engine) as session:
        assert outbox.enqueue(session, key="k", template="t", target="C1", params={}, now=now)
        assert not outbox.enqueue(session, key="k", template="t", target="C1", params={}, now=now)
        session.commit()
        assert outbox.counts(session) == {"pending": 1}
