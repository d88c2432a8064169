"""Writes nothing reads back in their transaction, sent together just before it commits.

A request's Home refresh tasks, its kept reply and its audit lines are only written by the
transaction that makes them. Queued on the session (`insert`, `statement`), they reach the
database in ONE statement just before COMMIT — on PostgreSQL the first with the others as
data-modifying CTEs, sent with the COMMIT in one round trip (psycopg's pipeline mode); on
SQLite one after another (no round trips to save) — still inside the transaction, so they
commit with the work or not at all, and a rollback drops them (a `before_commit` listener
sends them, after storage.touched has queued the Home tasks; `after_rollback` forgets them).

- Rows queued for one table with the same columns become one multi-row INSERT (on SQLite one
  executemany), in the order they were queued (so their ids keep that order, as when each was
  inserted at once); a row with other columns goes in an INSERT of its own.
- Statements in one PostgreSQL statement do not see each other's changes, so nothing queued
  may touch a row another queued statement touches (a task key is queued once: touched.py
  dedupes the people).
- A module that reads a table it queues writes for sends the queue first
  (`send_before_reading`: storage.audit, storage.outbox, storage.visits).
- Inside a savepoint (`begin_nested`) nothing is queued: it is written at once, so that a
  savepoint rolled back takes its rows with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, select, true, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_QUEUED = "frontdesk.at_commit"
# Called before the queue is sent at commit, in order (storage.touched queues the Home tasks).
_BEFORE_SENDING: list[Callable[[Session], None]] = []


def before_sending(hook: Callable[[Session], None]) -> Callable[[Session], None]:
    """Run `hook(session)` just before the queue is sent at commit (it may queue more)."""
    _BEFORE_SENDING.append(hook)
    return hook


def _queue(session: Session) -> list[Any]:
    if not session.in_transaction():
        session.begin()  # so that a rollback before anything else is sent forgets the queue
    queued: list[Any] = session.info.setdefault(_QUEUED, [])
    return queued


def insert_row(session: Session, table: Table, values: dict[str, Any]) -> None:
    """Insert a row into `table` just before this transaction commits."""
    if session.in_nested_transaction():
        session.connection().execute(insert(table), values)
        return
    queue = _queue(session)
    last = next((e for e in reversed(queue) if isinstance(e, _Rows) and e.table is table), None)
    if last is not None and last.rows[-1].keys() == values.keys():
        last.rows.append(values)  # the table's rows, the same columns: one INSERT
    else:
        queue.append(_Rows(table, [values]))


def statement(session: Session, statement: Any, params: dict[str, Any] | None = None) -> None:
    """Execute `statement` just before this transaction commits, with `params` for its named
    bind parameters (a statement built once; its names must be its own, as on PostgreSQL the
    queue goes as one statement)."""
    if session.in_nested_transaction():
        session.connection().execute(statement, params or {})
        return
    queue = _queue(session)
    if any(isinstance(entry, _Bound) and entry.statement is statement for entry in queue):
        send(session)  # the same statement twice: its parameters' names would clash
        queue = _queue(session)
    queue.append(_Bound(statement, params or {}))


def send_before_reading(session: Session, table: Table) -> None:
    """Send the queue if anything in it writes `table`: called by a module before it reads a
    table it queues writes for, so that the transaction reads its own."""
    queue = session.info.get(_QUEUED)
    if queue and any(entry.writes(table) for entry in queue):
        send(session)


def pending(session: Session) -> int:
    """How many writes are queued (tests)."""
    return len(session.info.get(_QUEUED, ()))


def send(session: Session) -> None:
    """Write what is queued now, in one statement (called before COMMIT, and by readers)."""
    queue = session.info.pop(_QUEUED, None)
    if not queue:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect != "postgresql":  # no round trips to save: a statement per table, cached
        for entry in queue:
            if isinstance(entry, _Rows):  # compiled once per table and set of columns
                connection.execute(_insert(entry.table), entry.rows)  # executemany, in order
            else:
                connection.execute(entry.statement, entry.params)
        return
    statements: list[Any] = []
    params: dict[str, Any] = {}
    for entry in queue:
        if isinstance(entry, _Rows):
            built, values = entry.bound(len(statements))
            statements.append(built)
            params.update(values)
        else:
            statements.append(entry.statement)
            params.update(entry.params)
    connection.execute(_together(statements), params)


# The statements sent together, by the statements they are made of (each built once): built
# once too, so a request pays neither for building nor for compiling them. Bounded: the
# shapes a request writes are few, but nothing may grow without end.
_TOGETHER: dict[tuple[int, ...], Any] = {}
_ROWS: dict[tuple[str, tuple[str, ...], int, int], Any] = {}
MAX_SHAPES = 512


def _together(statements: list[Any]) -> Any:
    """One statement: the first, with the others as data-modifying CTEs."""
    shape = tuple(id(each) for each in statements)
    found = _TOGETHER.get(shape)
    # The parts are kept with it: an id is only the same statement while that one lives.
    if found is not None and all(a is b for a, b in zip(found[0], statements, strict=True)):
        return found[1]
    first, *rest = statements
    together = first.add_cte(*(each.cte(f"at_commit_{n}") for n, each in enumerate(rest)))
    _remember(_TOGETHER, shape, (tuple(statements), together))
    return together


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= MAX_SHAPES:
        cache.clear()  # a statement built once more is the only cost
    cache[key] = value


def insert_select(insert: Any, table: Table, names: tuple[str, ...], rows: int, prefix: str) -> Any:
    """`insert(table)` (a dialect's, so that ON CONFLICT can follow) of `rows` rows as INSERT
    ... SELECT ... UNION ALL SELECT ..., each value a bind parameter `<prefix>_<column>_<n>`
    typed by its column. Unlike a multi-row VALUES, which SQLAlchemy compiles again at every
    execution, it is compiled once. Each SELECT has a WHERE (SQLite's upsert needs one)."""
    chosen = [
        select(
            *(bindparam(f"{prefix}_{name}_{n}", type_=table.c[name].type) for name in names)
        ).where(true())
        for n in range(rows)
    ]
    source = chosen[0] if rows == 1 else union_all(*chosen)
    return insert(table).from_select(list(names), source)


_INSERTS: dict[Table, Any] = {}


def _insert(table: Table) -> Any:
    """INSERT INTO `table`, built once per table."""
    if table not in _INSERTS:
        _INSERTS[table] = insert(table)
    return _INSERTS[table]


@event.listens_for(Session, "before_commit")
def _send_at_commit(session: Session) -> None:
    for hook in _BEFORE_SENDING:
        hook(session)
    if session.info.get(_QUEUED) and not session.in_nested_transaction():
        connection = session.connection()
        if connection.dialect.name == "postgresql" and _pipelines(connection):
            _send_and_commit(session, connection)
            return
    send(session)


def _pipelines(connection: Any) -> bool:
    """Whether psycopg can pipeline here (a libpq of version 14 or later; psycopg[binary]
    brings one). Without, the queue goes alone and SQLAlchemy sends the COMMIT."""
    return bool(connection.dialect.loaded_dbapi.Pipeline.is_supported())


def _send_and_commit(session: Session, connection: Any) -> None:
    """PostgreSQL: the queue and the COMMIT in one round trip (psycopg's pipeline mode), so a
    lock the transaction holds (a site's pass book row) is let go as soon as the server has
    them, not after one more wait for the client. SQLAlchemy's own COMMIT then finds the
    transaction ended and sends nothing. A failure in either raises here, before anything is
    acked, and the transaction is rolled back as any failed commit is."""
    session.flush()  # the commit's last flush, now: nothing may reach the server after COMMIT
    raw = connection.connection.dbapi_connection
    dbapi = connection.dialect.loaded_dbapi
    try:
        with raw.pipeline():
            send(session)
            raw.cursor().execute(_COMMIT)
    except dbapi.Error as error:  # raised by the pipeline's sync: as SQLAlchemy raises it
        raise DBAPIError.instance(_COMMIT, None, error, dbapi.Error) from error


_COMMIT = "COMMIT"


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the transaction, not a savepoint in it
        session.info.pop(_QUEUED, None)


class _Bound:
    """A statement and the values of its named bind parameters."""

    def __init__(self, statement: Any, params: dict[str, Any]) -> None:
        self.statement = statement
        self.params = params

    def writes(self, table: Table) -> bool:
        written = getattr(self.statement, "table", None)
        return written is not None and written.name == table.name


class _Rows:
    """Rows queued for one table."""

    def __init__(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.table = table
        self.rows = rows

    def writes(self, table: Table) -> bool:
        return self.table.name == table.name

    def bound(self, place: int) -> tuple[Any, dict[str, Any]]:
        """The INSERT (PostgreSQL) and its values: built once per table, columns, number of
        rows and place in the queue (its parameters are named for that place), so that
        SQLAlchemy neither builds nor compiles it again. Several rows go as INSERT ... SELECT
        ... UNION ALL SELECT ..., in the order they came (so their ids keep that order)."""
        names = tuple(self.rows[0])
        shape = (self.table.name, names, len(self.rows), place)
        built = _ROWS.get(shape)
        if built is None:
            types = {name: self.table.c[name].type for name in names}
            chosen = [
                select(*(bindparam(f"p_q{place}_{name}_{n}", type_=types[name]) for name in names))
                for n in range(len(self.rows))
            ]
            source = chosen[0] if len(chosen) == 1 else union_all(*chosen)
            built = insert(self.table).from_select(list(names), source)
            _remember(_ROWS, shape, built)
        values = {
            f"p_q{place}_{name}_{n}": row[name] for n, row in enumerate(self.rows) for name in names
        }
        return built, values
