"""Visits: sign-in, pass numbers, who is on site."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from storage import absences, at_commit, rows, transaction_memo, watch_list
from storage.models import Absence, Presence, Visit, WatchEntry
from storage.types import UTCDateTime


def add(session: Session, visit: Visit) -> Visit:
    """Store a new visit and give it its id."""
    session.add(visit)
    session.flush()
    return visit


def insert(session: Session, **values: Any) -> Visit:
    """Store a new visit (these fields) and give it its id."""
    return rows.insert_new(session, Visit, **values)


def get(session: Session, visit_id: int) -> Visit | None:
    """The visit with this id."""
    _written(session)
    return session.get(Visit, visit_id)


def on_site(session: Session, site: str | None = None) -> list[Visit]:
    """Everyone signed in and not yet signed out (at `site`, or anywhere), earliest first."""
    _written(session)
    statement = select(Visit).where(col(Visit.state) == "on_site")
    if site is not None:
        statement = statement.where(col(Visit.site) == site)
    return list(session.scalars(statement.order_by(col(Visit.arrived_at), col(Visit.id))))


# Asked at every sign-in: built once (building a statement cost more than running it).
_ON_SITE_NAMED = select(Visit).where(
    col(Visit.state) == "on_site", col(Visit.name_key) == bindparam("p_key")
)
_ON_SITE_NAMED_ANYWHERE = _ON_SITE_NAMED.order_by(col(Visit.id))
_ON_SITE_NAMED_AT = _ON_SITE_NAMED.where(col(Visit.site) == bindparam("p_site")).order_by(
    col(Visit.id)
)


# A sign-in asks two things of the visits before it writes: who of the visitor's name is on
# site (held_for_confirmation) and whom the host expects (its expected match); one of the
# watch list: whether the name is on it; and where the host is: their absence (whoever covers)
# and what they told the board (the reply's note). Asked together in one statement
# (read_ahead_for_sign_in: each outer-joined to one row, so that an empty answer still comes
# back), each answer is kept for the read that asks exactly it, taken by that read once, and
# dropped as soon as the transaction writes a visit (an entry, an absence, the board) or ends.
_ONE = select(literal(1).label("one")).subquery("one")
_AT = bindparam("p_now", type_=UTCDateTime())
_FOR_SIGN_IN = (
    select(Visit, WatchEntry, Absence, Presence.state, Presence.back_at)  # type: ignore[call-overload]
    .select_from(_ONE)
    .outerjoin(
        Visit,
        or_(
            and_(
                col(Visit.state) == "on_site",
                col(Visit.name_key) == bindparam("p_key"),
                col(Visit.site) == bindparam("p_site"),
            ),
            and_(col(Visit.state) == "expected", col(Visit.host_id) == bindparam("p_host")),
        ),
    )
    .outerjoin(WatchEntry, col(WatchEntry.name_key) == bindparam("p_key"))
    .outerjoin(Absence, col(Absence.id) == absences.latest_current_id(bindparam("p_host"), _AT))
    .outerjoin(Presence, col(Presence.user_id) == bindparam("p_host"))
)
_AHEAD = transaction_memo.kept_until_written("frontdesk.visits.ahead", Visit)


def read_ahead_for_sign_in(
    session: Session, *, key: str, host_id: str, site: str, now: datetime
) -> None:
    """Read in one statement what `on_site_named(key, site)`, `expected(host_id=host_id)`,
    `storage.watch_list.with_key(key)`, `storage.absences.current(host_id, now=now)` and
    `storage.presence.where_is(host_id)` will be asked next in this transaction."""
    _written(session)
    params = {"p_key": key, "p_site": site, "p_host": host_id, "p_now": now}
    rows = session.execute(_FOR_SIGN_IN, params).all()
    found = list({r[0].id: r[0] for r in rows if r[0] is not None}.values())
    entries = list({r[1].id: r[1] for r in rows if r[1] is not None}.values())
    watch_list.read_with(session, key, entries)
    _, _, away, state, back_at = rows[0]  # the host's: the same on every row
    absences.read_with(session, host_id, now=now, absence=away, state=state, back_at=back_at)
    named = [v for v in found if v.state == "on_site" and v.name_key == key and v.site == site]
    hosted = [v for v in found if v.state == "expected" and v.host_id == host_id]
    session.info[_AHEAD] = {
        ("on_site_named", key, site): sorted(named, key=lambda v: v.id or 0),
        ("expected", host_id): sorted(hosted, key=_expected_order),
    }


def _expected_order(visit: Visit) -> tuple[datetime, int]:
    return (visit.expected_at or datetime.min.replace(tzinfo=UTC), visit.id or 0)


def _read_ahead(session: Session, question: tuple[str, ...]) -> list[Visit] | None:
    ahead = session.info.get(_AHEAD)
    return ahead.pop(question, None) if ahead else None


def on_site_named(session: Session, key: str, site: str | None = None) -> list[Visit]:
    """Everyone signed in whose name has the key `key` (storage/names.py), at `site` or
    anywhere."""
    _written(session)
    if (
        site is not None
        and (ahead := _read_ahead(session, ("on_site_named", key, site))) is not None
    ):
        return ahead
    if site is None:
        return list(session.scalars(_ON_SITE_NAMED_ANYWHERE, {"p_key": key}))
    return list(session.scalars(_ON_SITE_NAMED_AT, {"p_key": key, "p_site": site}))


_EXPECTED = select(Visit).where(col(Visit.state) == "expected")
_EXPECTED_ORDER = (col(Visit.expected_at), col(Visit.id))
_EXPECTED_ALL = _EXPECTED.order_by(*_EXPECTED_ORDER)
# Asked at every sign-in and Home tab: built once.
_EXPECTED_FOR = _EXPECTED.where(col(Visit.host_id) == bindparam("p_host")).order_by(
    *_EXPECTED_ORDER
)


def expected(
    session: Session, *, host_id: str | None = None, site: str | None = None
) -> list[Visit]:
    """Visitors pre-registered and not yet arrived or cancelled (at `site`, or anywhere)."""
    _written(session)
    if host_id is None:
        found = list(session.scalars(_EXPECTED_ALL))
    elif (ahead := _read_ahead(session, ("expected", host_id))) is not None:
        found = ahead
    else:
        found = list(session.scalars(_EXPECTED_FOR, {"p_host": host_id}))
    return found if site is None else [v for v in found if v.site == site]


_GIVE_PASS = (  # built once: every sign-in runs it (its names its own: it is queued)
    update(Visit)
    .where(col(Visit.id) == bindparam("p_pass_visit"))
    .values(
        pass_day=bindparam("p_pass_day"),
        pass_seq=bindparam("p_pass_seq"),
        pass_number=bindparam("p_pass_number"),
    )
)
_TABLE = Visit.__table__  # type: ignore[attr-defined]


def give_pass(session: Session, visit: Visit, *, day: date, seq: int, number: str) -> None:
    """Give `visit` its pass with the COMMIT (queued through storage.at_commit: no round trip
    of its own while the site's pass book row is held); the loaded visit holds it as saved, and this
    module's reads send the queue first, so the transaction reads its own pass."""
    session.flush()  # the visit's other changes first
    transaction_memo.forget(session, _AHEAD)  # the pass is queued: no flush to see
    params = {"p_pass_visit": visit.id, "p_pass_day": day, "p_pass_seq": seq}
    at_commit.statement(session, _GIVE_PASS, params | {"p_pass_number": number})
    for name, value in {"pass_day": day, "pass_seq": seq, "pass_number": number}.items():
        set_committed_value(visit, name, value)


def _written(session: Session) -> None:
    """Send a pass give_pass queued in this transaction (before reading visits)."""
    at_commit.send_before_reading(session, _TABLE)


def count_between(session: Session, start: datetime, end: datetime) -> int:
    """How many arrivals fell in [start, end)."""
    _written(session)
    statement = select(func.count()).where(
        col(Visit.arrived_at) >= start,
        col(Visit.arrived_at) < end,
    )
    return int(session.scalar(statement) or 0)


def arrivals(
    session: Session,
    *,
    start: datetime | None,
    end: datetime | None,
    key: str,
    limit: int | None,
) -> tuple[list[Visit], int]:
    """Visits that arrived in [start, end) (None: no bound) whose name key holds `key` ("" for
    anyone), earliest first: at most `limit` of them, and how many there are."""
    _written(session)
    conditions: list[ColumnElement[bool]] = [col(Visit.arrived_at).is_not(None)]
    if start is not None:
        conditions.append(col(Visit.arrived_at) >= start)
    if end is not None:
        conditions.append(col(Visit.arrived_at) < end)
    if key:
        # Keys hold only a-z, 0-9 and single spaces: nothing LIKE would read as a wildcard.
        conditions.append(col(Visit.name_key).contains(key))
    statement = select(Visit).where(*conditions).order_by(col(Visit.arrived_at), col(Visit.id))
    if limit is not None:
        statement = statement.limit(limit)
    found = list(session.scalars(statement))
    if limit is None or len(found) < limit:
        return found, len(found)
    total = session.scalar(select(func.count()).select_from(Visit).where(*conditions))
    return found, int(total or 0)


# Expected visitors the host has not yet been told are late (bot/domain/services/late_visitors.py).
_UNREPORTED = select(Visit).where(
    col(Visit.state) == "expected",
    col(Visit.late_reported_at).is_(None),
    col(Visit.expected_at).is_not(None),
)


def late_unreported(session: Session, *, expected_before: datetime) -> list[Visit]:
    """Expected visitors due before `expected_before`, not signed in, whose host is not yet told
    (locked, so two processes tell each host once)."""
    _written(session)
    statement = (
        _UNREPORTED.where(col(Visit.expected_at) <= expected_before)
        .order_by(col(Visit.expected_at), col(Visit.id))
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def next_unreported_expected(session: Session, *, expected_after: datetime) -> datetime | None:
    """The earliest expected time after `expected_after` among visitors not yet reported late."""
    _written(session)
    statement = select(func.min(col(Visit.expected_at))).where(
        col(Visit.state) == "expected",
        col(Visit.late_reported_at).is_(None),
        col(Visit.expected_at) > expected_after,
    )
    found: datetime | None = session.scalar(statement)
    return found


def expected_before(session: Session, before: datetime, site: str | None = None) -> list[Visit]:
    """Expected visitors whose time was before `before` and who never signed in (no-shows at
    closing; at `site`, or anywhere)."""
    _written(session)
    statement = select(Visit).where(col(Visit.state) == "expected", col(Visit.expected_at) < before)
    if site is not None:
        statement = statement.where(col(Visit.site) == site)
    return list(session.scalars(statement.order_by(col(Visit.expected_at), col(Visit.id))))
