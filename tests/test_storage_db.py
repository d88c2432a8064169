"""The engine factory's SQLite settings: what every connection of a file database gets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import SQLITE_CACHE_KIB, make_engine


def pragma(url: str, name: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"PRAGMA {name}")).scalar()
    finally:
        engine.dispose()


def test_a_file_database_is_wal_with_foreign_keys_and_a_small_page_cache(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frontdesk.db'}"
    assert pragma(url, "journal_mode") == "wal"
    assert pragma(url, "foreign_keys") == 1
    assert pragma(url, "cache_size") == -SQLITE_CACHE_KIB


def test_an_in_memory_database_keeps_sqlites_page_cache() -> None:
    assert pragma("sqlite://", "cache_size") == -2000
