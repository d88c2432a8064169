"""The engine factory's SQLite settings: what every connection of a file database gets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import SQLITE_CACHE_KIB, make_engine
from storage.sqlite_turns import turns_of


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


def test_an_in_memory_database_keeps_sqlites_page_cache_and_takes_no_turns() -> None:
    assert pragma("sqlite://", "cache_size") == -2000
    assert turns_of(make_engine("sqlite://")) is None


def _run(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_transaction_waits_its_turn_and_starts_once_the_other_has_committed(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'frontdesk.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE seen (who TEXT)"))
    holding, finish, entered = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO seen VALUES ('first')"))
            holding.set()
            finish.wait(10)

    def second() -> None:
        with engine.begin() as connection:
            entered.set()
            connection.execute(text("INSERT INTO seen VALUES ('second')"))

    turns = turns_of(engine)
    assert turns is not None and not turns.taken
    a = _run(first)
    assert holding.wait(10)
    assert turns.taken
    b = _run(second)
    assert not entered.wait(0.3)  # the first still has its turn
    finish.set()
    a.join(10)
    b.join(10)
    assert not turns.taken
    with engine.connect() as connection:
        order = connection.execute(text("SELECT who FROM seen ORDER BY rowid")).scalars().all()
    assert order == ["first", "second"]
    engine.dispose()


def test_the_turn_comes_back_after_an_error_and_after_an_invalidated_connection(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'frontdesk.db'}")

    def fails() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text("SELECT * FROM no_such_table"))
        except OperationalError:
            pass

    def invalidated() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            connection.invalidate()

    for target in (fails, invalidated):
        _run(target).join(10)
        done = threading.Event()

        def after(done: threading.Event = done) -> None:
            with engine.begin() as connection:
                connection.execute(text("SELECT 1"))
            done.set()

        _run(after)
        assert done.wait(5), f"the turn was not given back after {target.__name__}"
    engine.dispose()
