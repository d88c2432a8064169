"""The migrations that ship build exactly the tables the models describe, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from storage.migrate import alembic_config, is_current, upgrade
from storage.models import SQLModel


def test_there_is_one_head(empty_engine: Engine) -> None:
    heads = ScriptDirectory.from_config(alembic_config(empty_engine)).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"


def test_upgrade_builds_what_the_models_describe(empty_engine: Engine) -> None:
    assert not is_current(empty_engine)
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    assert "outbox" in inspect(empty_engine).get_table_names()


def test_upgrade_twice_changes_nothing(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert is_current(empty_engine)


def test_upgrading_a_0001_database_keeps_its_passes_and_numbers_them(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0001")
    with empty_engine.begin() as connection:
        for number, state in (("V-007", "on_site"), ("V-1000", "left"), (None, "expected")):
            connection.execute(
                text(
                    "INSERT INTO visit (name, host_id, state, pass_number, pass_day, logged_by,"
                    " anonymised, created_at) VALUES (:n, 'U0ALICE', :s, :p, :d, 'U0DESK',"
                    " false, :c)"
                ),
                {
                    "n": f"Visitor {number}",
                    "s": state,
                    "p": number,
                    "d": date(2026, 11, 23),
                    "c": datetime(2026, 11, 23, 15, tzinfo=UTC),
                },
            )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT pass_number, pass_seq FROM visit ORDER BY id"))
        assert [tuple(row) for row in rows] == [("V-007", 7), ("V-1000", 1000), (None, None)]


def test_upgrading_gives_existing_enquiries_their_references(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as connection:
        for name in ("Jane Doe", "Sam Roe"):
            connection.execute(
                text(
                    "INSERT INTO enquiry (kind, channel, from_name, summary, logged_by,"
                    " received_at, anonymised) VALUES ('complaint', 'letter', :n, 'x',"
                    " 'U0DESK', :r, false)"
                ),
                {"n": name, "r": datetime(2026, 11, 23, 15, tzinfo=UTC)},
            )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT from_name, ref, contact FROM enquiry ORDER BY id"))
        assert [tuple(row) for row in rows] == [
            ("Jane Doe", "E-0001", None),
            ("Sam Roe", "E-0002", None),
        ]


def test_upgrading_fills_the_name_key_of_existing_visits(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as connection:
        for name in ("Dr Helen Ward", "Zoë Åberg", "(anonymised)"):
            connection.execute(
                text(
                    "INSERT INTO visit (name, host_id, state, logged_by, anonymised, created_at)"
                    " VALUES (:n, 'U0ALICE', 'left', 'U0DESK', false, :c)"
                ),
                {"n": name, "c": datetime(2026, 11, 23, 15, tzinfo=UTC)},
            )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        keys = connection.execute(text("SELECT name_key FROM visit ORDER BY id")).scalars().all()
    assert keys == ["helen ward", "zoe aberg", "anonymised"]
