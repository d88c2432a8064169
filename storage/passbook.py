"""Pass numbers: each site numbers its passes per day, from 1, never giving out one a visitor
still holds from an earlier day.

`take` asks for the next number and locks the site's row of the day in ONE statement (an
upsert): a second desk signing someone in at the same site waits on that row until the first
desk's transaction ends, then counts on from the number it issued. So the wait is only the rest
of the first transaction (its COMMIT), not a lock, a read and the COMMIT. The day's first pass
starts after the highest already on a visit that day (a restored database, a day that began
before migration 0017), and never goes below it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date as DateType
from sqlalchemy import Integer, String, bindparam, case, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage import at_commit
from storage.models import PassBook, Visit

_SITE = bindparam("p_site", type_=String())
_DAY = bindparam("p_day", type_=DateType())
# Passes held by people signed in at the site on an earlier day (usually none).
_HELD = (col(Visit.state) == "on_site", col(Visit.pass_day) < _DAY, col(Visit.site) == _SITE)


def _take(insert: Any) -> Any:
    """The upsert, built with a dialect's INSERT (both have ON CONFLICT ... RETURNING)."""
    highest = select(_SITE, _DAY, func.coalesce(func.max(col(Visit.pass_seq)), 0) + 1).where(
        col(Visit.pass_day) == _DAY, col(Visit.site) == _SITE
    )
    statement = insert(PassBook).from_select(["site", "day", "last_seq"], highest)
    counted, seen = col(PassBook.last_seq), statement.excluded.last_seq
    return statement.on_conflict_do_update(
        index_elements=["site", "day"],
        set_={"last_seq": case((counted >= seen, counted + 1), else_=seen)},
    ).returning(counted, exists().where(*_HELD).label("held"))


_TAKE = {"postgresql": _take(postgresql.insert), "sqlite": _take(sqlite.insert)}  # built once
_HELD_PASSES = select(col(Visit.pass_seq)).where(*_HELD, col(Visit.pass_seq).is_not(None))
_SKIP_TO = (
    update(PassBook)
    .where(col(PassBook.site) == _SITE, col(PassBook.day) == _DAY)
    .values(last_seq=bindparam("p_seq", type_=Integer()))
)
_VISITS = Visit.__table__  # type: ignore[attr-defined]


def take(session: Session, *, site: str, day: date) -> int:
    """The next pass number of `site`'s `day`, recorded as issued. The site's row of the day
    stays locked until this transaction ends, so no other transaction takes the same number."""
    at_commit.send_before_reading(session, _VISITS)  # a pass given earlier in this transaction
    connection = session.connection()
    params = {"p_site": site, "p_day": day}
    taken, any_held = connection.execute(_TAKE[connection.dialect.name], params).one()
    number = int(taken)
    if any_held:  # rare: step over the passes still held, and record the one given
        held = set(connection.execute(_HELD_PASSES, params).scalars())
        while number in held:
            number += 1
        if number != taken:
            connection.execute(_SKIP_TO, params | {"p_seq": number})
    return number
