"""The migrations that ship build exactly the tables the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
