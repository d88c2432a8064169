"""Writes nothing reads back in their transaction, sent together just before it commits.

A request's Home refresh tasks, its kept reply and its audit lines are only written by the
transaction that makes them. Queued on the session (`insert`, `statement`), they reach the
database in ONE statement just before COMMIT — on PostgreSQL the first with the others as
data-modifying CTEs, one round trip for all; on SQLite one after another (no round trips to
save) — still inside the transaction, so they commit with the work or not at all, and a
rollback drops them (a `before_commit` listener sends them, after storage.touched has queued
the Home tasks; `after_rollback` forgets them).

- Rows queued for one table become one multi-row INSERT, in the order they were queued (so
  their ids keep that order, as when each was inserted at once).
- Statements in one PostgreSQL statement do not see each other's changes, so nothing queued
  may touch a row another queued statement touches (a task key is queued once: touched.py
  dedupes the people).
- A module that reads a table it queues rows for sends the queue first (storage.audit).
- Inside a savepoint (`begin_nested`) nothing is queued: it is written at once, so that a
  savepoint rolled back takes its rows with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, select, union_all
from sqlalchemy.orm import Session

_QUEUED = "frontdesk.at_commit"
# Called before the queue is sent at commit, in order (storage.touched queues the Home tasks).
_BEFORE_SENDING: list[Callable[[Session], None]] = []


def before_sending(hook: Callable[[Session], None]) -> Callable[[Session], None]:
    """Run `hook(session)` just before the queue is sent at commit (it may queue more)."""
    _BEFORE_SENDING.append(hook)
    return hook


def _queue(session: Session) -> list[Any]:
    queued: list[Any] = session.info.setdefault(_QUEUED, [])
    return queued


def insert_row(session: Session, table: Table, values: dict[str, Any]) -> None:
    """Insert a row into `table` just before this transaction commits."""
    if session.in_nested_transaction():
        session.connection().execute(insert(table), values)
        return
    queue = _queue(session)
    for entry in queue:  # the rows of one table go in one INSERT
        if isinstance(entry, _Rows) and entry.table is table:
            entry.rows.append(values)
            return
    queue.append(_Rows(table, [values]))


def statement(session: Session, statement: Any, params: dict[str, Any] | None = None) -> None:
    """Execute `statement` just before this transaction commits, with `params` for its named
    bind parameters (a statement built once; its names must be its own, as on PostgreSQL the
    queue goes as one statement)."""
    if session.in_nested_transaction():
        session.connection().execute(statement, params or {})
        return
    _queue(session).append(_Bound(statement, params or {}))


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
    if dialect != "postgresql":  # no round trips to save: one statement per row, cached
        for entry in queue:
            if isinstance(entry, _Rows):
                for row in entry.rows:  # compiled once per table and set of columns
                    connection.execute(_insert(entry.table), row)
            else:
                connection.execute(entry.statement, entry.params)
        return
    statements: list[Any] = []
    params: dict[str, Any] = {}
    for entry in queue:
        if isinstance(entry, _Rows):
            statements += entry.statements()
        else:
            statements.append(entry.statement)
            params.update(entry.params)
    first, *rest = statements
    if rest:
        first = first.add_cte(*(each.cte(f"at_commit_{n}") for n, each in enumerate(rest)))
    connection.execute(first, params)


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
    send(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)


class _Bound:
    """A statement and the values of its named bind parameters."""

    def __init__(self, statement: Any, params: dict[str, Any]) -> None:
        self.statement = statement
        self.params = params


class _Rows:
    """Rows queued for one table."""

    def __init__(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.table = table
        self.rows = rows

    def statements(self) -> list[Any]:
        """The INSERT (PostgreSQL), built so that SQLAlchemy's statement cache knows it (a
        multi-row VALUES is compiled anew each time, which cost more than the round trip it
        saved)."""
        if len(self.rows) == 1:
            return [insert(self.table).values(self.rows[0])]
        names = list(self.rows[0])
        types = {name: self.table.c[name].type for name in names}
        chosen = [
            select(*(bindparam(None, row[name], type_=types[name]) for name in names))
            for row in self.rows
        ]  # INSERT ... SELECT ... UNION ALL SELECT ...: the rows in the order they came
        return [insert(self.table).from_select(names, union_all(*chosen))]
