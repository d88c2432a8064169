"""Migration 0006 carries what is on record into the default site, and closures become per site."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, text

from storage.migrate import is_current, upgrade

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)


def test_existing_visits_items_and_closures_belong_to_the_default_site(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO visit (name, host_id, state, logged_by, anonymised, created_at)"
                " VALUES ('Ann Lee', 'U0ALICE', 'on_site', 'U0DESK', false, :c)"
            ),
            {"c": NOW},
        )
        connection.execute(
            text(
                'INSERT INTO item (kind, started_at, due_at, state, deadline_version, "window",'
                " attempts, created_at) VALUES ('phone_message', :c, :c, 'open', 1, '1 business"
                " day', 0, :c)"
            ),
            {"c": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO closure (day, reason, added_by, added_at)"
                " VALUES (:d, 'snow', 'U0MANAGER', :c)"
            ),
            {"d": date(2026, 12, 2), "c": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO staff (id, handle, real_name, deleted, updated_at)"
                " VALUES ('U0ALICE', 'alice', 'Alice', false, :c)"
            ),
            {"c": NOW},
        )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.begin() as connection:
        assert connection.scalar(text("SELECT site FROM visit")) == "default"
        assert connection.scalar(text("SELECT site FROM item")) == "default"
        assert connection.scalar(text("SELECT site FROM staff")) is None  # nothing chosen yet
        closed = connection.execute(text("SELECT site, reason FROM closure")).all()
        assert [tuple(row) for row in closed] == [("default", "snow")]
        # Another site may close the same day.
        connection.execute(
            text(
                "INSERT INTO closure (site, day, added_by, added_at)"
                " VALUES ('west', :d, 'U0MANAGER', :c)"
            ),
            {"d": date(2026, 12, 2), "c": NOW},
        )
        assert connection.scalar(text("SELECT count(*) FROM closure")) == 2
