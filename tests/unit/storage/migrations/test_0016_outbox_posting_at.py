"""Migration 0016 on a database with data: rows waiting to be sent stay waiting, with no post
attempt on record (so they are posted as before, not looked for first), and the sender can
mark an attempt on them; going back to 0015 keeps them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, text

from storage import outbox
from storage.migrate import alembic_config, is_current, upgrade

AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


def write_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for key, state in (("item:1:dm", "pending"), ("visit:2:signin", "sent")):
            connection.execute(
                text(
                    "INSERT INTO outbox (key, template, target, params, state, attempts,"
                    " next_attempt_at, created_at) VALUES (:k, 'message_dm', 'U0ALICE', '{}',"
                    " :s, 0, :t, :t)"
                ),
                {"k": key, "s": state, "t": AT},
            )


def test_pending_rows_come_through_with_no_attempt_on_record_and_take_one(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0015")
    write_rows(empty_engine)
    upgrade(empty_engine)
    assert is_current(empty_engine)
    (row,) = outbox.claim(empty_engine, now=AT, owner="s/1", lease=timedelta(seconds=60))
    assert (row.key, row.posting_at) == ("item:1:dm", None)
    held = outbox.extend(
        empty_engine,
        [row.id],
        owner="s/1",
        until=AT + timedelta(seconds=40),
        posting=row.id,
        now=AT,
    )
    assert held == {row.id}
    with empty_engine.connect() as connection:
        stored = connection.execute(text("SELECT key, posting_at FROM outbox ORDER BY id")).all()
    assert [(key, posting_at is not None) for key, posting_at in stored] == [
        ("item:1:dm", True),
        ("visit:2:signin", False),
    ]


def test_going_back_to_0015_keeps_the_rows(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0015")
    write_rows(empty_engine)
    upgrade(empty_engine)
    command.downgrade(alembic_config(empty_engine), "0015")
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT key, state FROM outbox ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("item:1:dm", "pending"), ("visit:2:signin", "sent")]
    upgrade(empty_engine)
    assert is_current(empty_engine)
