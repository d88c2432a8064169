"""The one engine factory, and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from storage.sqlite_turns import take_turns


def normalise_url(url: str) -> str:
    """Send PostgreSQL URLs through psycopg 3 whatever driver they name."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> Engine:
    """Build an engine: SQLite with WAL and foreign keys on, or PostgreSQL via psycopg 3.

    `schema` puts every table of a PostgreSQL engine in that schema (tests use one each).
    """
    url = normalise_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, in_memory="poolclass" in kwargs)
        return engine
    kwargs["pool_pre_ping"] = True
    if schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    return create_engine(url, **kwargs)


# Page cache per SQLite connection, in KiB (SQLite's default is 2,000). The pool keeps five
# connections, each filling its cache as the file grows, which showed as resident memory creeping
# up with the request count (bench/startup.py); the OS caches the file anyway, and the bot's
# queries all go through indexes. An in-memory database lives in its cache, so it keeps the default.
SQLITE_CACHE_KIB = 512
BUSY_TIMEOUT_S = 30


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction starts, so that
        # BEGIN IMMEDIATE below takes the write lock up front (one writer at a time).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if not in_memory:
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    if not in_memory:  # one connection in memory: nothing to take turns at
        take_turns(engine, timeout=BUSY_TIMEOUT_S)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# The transaction of the Slack request being handled on this thread, if any (request_session).
_REQUEST: ContextVar[tuple[Engine, Session] | None] = ContextVar("request_session", default=None)


@contextmanager
def request_session(engine: Engine) -> Iterator[Session]:
    """The one transaction of a Slack request: every `session_scope` opened on this thread
    while it lasts joins it, so the request's work commits once, as a whole, or not at all.

    The caller commits (after its deadline check) or rolls back; leaving the block without a
    commit rolls back.
    """
    with Session(engine, expire_on_commit=False) as session:
        token = _REQUEST.set((engine, session))
        try:
            yield session
        finally:
            _REQUEST.reset(token)
            if session.in_transaction():
                session.rollback()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error.

    Inside a request's transaction (request_session) it is that transaction: nothing commits
    until the request's work is all done.
    """
    current = _REQUEST.get()
    if current is not None and current[0] is engine:
        yield current[1]
        return
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_TIMEOUTS = text(
    "SELECT set_config('lock_timeout', :ms, true), set_config('statement_timeout', :ms, true)"
)


def limit_waits(session: Session, seconds_left: float) -> None:
    """No lock wait or statement in this transaction may outlast `seconds_left` (PostgreSQL,
    both set in one round trip; SQLite has one writer, taken at BEGIN, and its busy timeout)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ms = str(max(int(seconds_left * 1000), 1))
    session.execute(_TIMEOUTS, {"ms": ms})
