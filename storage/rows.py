"""New rows on a request's path, written at once by one INSERT built once, without the ORM's flush.

`insert_new(session, Visit, name=…, …)` is `session.add(Visit(name=…, …)); session.flush()`
at about half the cost (measured: building a model through SQLModel's `__init__` and flushing
it cost more than the INSERT itself). The row is INSERTed with its id RETURNed, and the object
joins the session as if it had been loaded: later changes to it are flushed as UPDATEs, and it
is in the identity map. What a flush would have done around an INSERT is done here too:

- the session's pending changes are flushed first, so statements keep the order they were
  made in;
- the mapper's `before_insert` listeners run (a visit's `name_key`), then its `after_insert`;
- the session's `after_insert` hooks registered here run (storage.touched: whose App Home
  the new row changes).

Models with server-side defaults are not for this (their values would not be known).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

Model = TypeVar("Model")
# Called with the session and each new object once it is written (storage.touched).
_AFTER_INSERT: list[Callable[[Session, Any], None]] = []
_INSERTS: dict[Table, Any] = {}


def after_insert(hook: Callable[[Session, Any], None]) -> Callable[[Session, Any], None]:
    """Run `hook(session, obj)` after each row `insert_new` writes."""
    _AFTER_INSERT.append(hook)
    return hook


def insert_new(session: Session, model: type[Model], **values: Any) -> Model:
    """Build a `model` from `values` (its defaults for the rest), INSERT it now, and keep it
    in the session as a loaded row with its id."""
    configure_mappers()  # a no-op once done; a model's attributes need their mapper
    obj = model.model_construct(**values)  # type: ignore[attr-defined]  # SQLModel: no validation, as its table models
    mapper = inspect(model)
    mapper.class_manager._new_state_if_none(obj)  # what the ORM's own loading does
    state = instance_state(obj)
    session.flush()  # what is pending goes first
    connection = session.connection()
    mapper.dispatch.before_insert(mapper, connection, state)
    table: Table = mapper.local_table
    (key,) = (column.key for column in table.primary_key.columns)
    fields = obj.__dict__
    row = {c.key: fields.get(c.key) for c in table.columns if c.key != key or fields.get(key)}
    fields[key] = connection.execute(_insert(table), row).scalar_one()
    mapper.dispatch.after_insert(mapper, connection, state)
    make_transient_to_detached(obj)
    session.add(obj)
    for hook in _AFTER_INSERT:
        hook(session, obj)
    return obj


def _insert(table: Table) -> Any:
    """INSERT INTO `table` … RETURNING its key, built once per table."""
    if table not in _INSERTS:
        _INSERTS[table] = insert(table).returning(*table.primary_key.columns)
    return _INSERTS[table]
