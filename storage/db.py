"""The one engine factory, and sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, String, bindparam, create_engine, event, func, select, true
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
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
    if schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection that has been idle longer than this is pinged before it is
# handed out (and replaced if the ping fails); one used more recently is handed out as it is.
# SQLAlchemy's `pool_pre_ping` pinged on every checkout: a round trip per request, and on a busy
# server every connection was used a few milliseconds before. A connection that dies in between
# fails its request, which is rolled back and told "Nothing was saved" (nothing half-done), and
# SQLAlchemy then drops the pool's older connections.
PING_AFTER_IDLE_S = 2.0
_RETURNED_AT = "frontdesk.returned_at"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned <= PING_AFTER_IDLE_S:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"an idle pooled connection is gone: {error}") from error


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


def wait_limits() -> Any:
    """A one-row selectable that sets this transaction's lock and statement timeouts to the
    milliseconds bound as `p_wait_ms` (`wait_ms`; PostgreSQL's `set_config(..., is_local =>
    true)`): select from it on its own, or fold it into the transaction's first statement
    (storage.request_log.claim) to spend no round trip of its own."""
    ms: Any = bindparam("p_wait_ms", type_=String())
    return select(
        func.set_config("lock_timeout", ms, true()).label("lock_timeout"),
        func.set_config("statement_timeout", ms, true()).label("statement_timeout"),
    )


def wait_ms(seconds_left: float) -> str:
    return str(max(int(seconds_left * 1000), 1))


_LIMIT_WAITS = wait_limits()


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def limit_waits(session: Session, seconds_left: float) -> None:
    """No lock wait or statement in this transaction may outlast `seconds_left` (PostgreSQL,
    both set in one round trip; SQLite has one writer, taken at BEGIN, and its busy timeout)."""
    if is_postgresql(session):
        session.execute(_LIMIT_WAITS, {"p_wait_ms": wait_ms(seconds_left)})
