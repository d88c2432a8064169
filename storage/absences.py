"""Out of office: absences, and the mention notices sent about them."""

from __future__ import annotations

from datetime import date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import String, and_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage import presence, transaction_memo
from storage.models import Absence, MentionNotice, Presence
from storage.types import UTCDateTime


def add(session: Session, absence: Absence) -> Absence:
    """Store a new absence and give it its id."""
    session.add(absence)
    session.flush()
    return absence


def _on(user_id: Any, now: Any) -> tuple[Any, ...]:
    """The conditions of an absence `user_id` is on at `now` (not withdrawn, begun, not over)."""
    return (
        col(Absence.user_id) == user_id,
        col(Absence.ended_at).is_(None),
        col(Absence.starts_at) <= now,
        col(Absence.until) > now,
    )


_NOW = bindparam("p_now", type_=UTCDateTime())
# Built once: every visitor, message and Home tab asks it, often more than once, and building
# the statement cost more than running it (bench/README.md).
_CURRENT = (
    select(Absence).where(*_on(bindparam("p_user"), _NOW)).order_by(col(Absence.id).desc()).limit(1)
)


_SEEN = transaction_memo.kept_until_written("frontdesk.absences.current", Absence)


# The same, with what the person last told the in/out board, in one statement: whoever's
# absence is asked on a request's path (the host's cover) is usually asked where they are
# next (the reply's board note), so storage.presence is handed the answer.
_WHO = select(bindparam("p_user", type_=String).label("user_id")).subquery("who")
_CURRENT_AND_BOARD = (
    select(Absence, Presence.state, Presence.back_at)  # type: ignore[call-overload]
    .select_from(_WHO)
    .outerjoin(Absence, and_(*_on(_WHO.c.user_id, _NOW)))
    .outerjoin(Presence, col(Presence.user_id) == _WHO.c.user_id)
    .order_by(col(Absence.id).desc())
    .limit(1)
)


def latest_current_id(user_id: Any, now: Any) -> Any:
    """The id of the absence `user_id` is on at `now` (the latest, as `current` answers), as a
    scalar subquery for another module's statement to join on (storage.visits)."""
    return select(func.max(col(Absence.id))).where(*_on(user_id, now)).scalar_subquery()


def read_with(
    session: Session,
    user_id: str,
    *,
    now: datetime,
    absence: Absence | None,
    state: str | None,
    back_at: datetime | None,
) -> None:
    """`user_id`'s absence at `now` and board row (`state` None: no row), read with the
    absence or with another statement: `current` and storage.presence.where_is answer from
    them."""
    session.info.setdefault(_SEEN, {})[(user_id, now)] = absence
    presence.read_with(session, user_id, None if state is None else (state, back_at))


def current(session: Session, user_id: str, *, now: datetime) -> Absence | None:
    """The absence `user_id` is on at `now` (the latest, should there be several).

    Asked again in the same transaction (a sign-in asks it for the host's cover and again
    for the reply), the answer is remembered — until the transaction writes an absence, or
    has one not yet flushed, when it is asked of the database again. The first ask also
    reads what `user_id` told the board (storage.presence.where_is is answered from it).
    """
    if any(isinstance(o, Absence) for o in chain(session.new, session.dirty, session.deleted)):
        return session.scalars(_CURRENT, {"p_user": user_id, "p_now": now}).first()
    seen: dict[tuple[str, datetime], Absence | None] = session.info.setdefault(_SEEN, {})
    key = (user_id, now)
    if key not in seen:
        absence, state, back_at = session.execute(
            _CURRENT_AND_BOARD, {"p_user": user_id, "p_now": now}
        ).one()
        read_with(session, user_id, now=now, absence=absence, state=state, back_at=back_at)
    return seen[key]


def current_all(session: Session, *, now: datetime) -> list[Absence]:
    """Everyone's absence at `now`, soonest back first."""
    statement = (
        select(Absence)
        .where(
            col(Absence.ended_at).is_(None),
            col(Absence.starts_at) <= now,
            col(Absence.until) > now,
        )
        .order_by(col(Absence.until), col(Absence.id))
    )
    return list(session.scalars(statement))


def ahead_of(session: Session, user_id: str, *, now: datetime) -> list[Absence]:
    """`user_id`'s absences running at `now` or planned after it, soonest first."""
    statement = (
        select(Absence)
        .where(
            col(Absence.user_id) == user_id,
            col(Absence.ended_at).is_(None),
            col(Absence.until) > now,
        )
        .order_by(col(Absence.starts_at), col(Absence.id))
    )
    return list(session.scalars(statement))


def planned_all(session: Session, *, now: datetime) -> dict[str, Absence]:
    """Each person's next absence that starts after `now` (not withdrawn), by user ID."""
    statement = (
        select(Absence)
        .where(col(Absence.ended_at).is_(None), col(Absence.starts_at) > now)
        .order_by(col(Absence.starts_at).desc(), col(Absence.id).desc())
    )
    return {absence.user_id: absence for absence in session.scalars(statement)}


def due_to_begin(session: Session, *, now: datetime) -> list[Absence]:
    """Planned absences whose start has come and that have not begun (nor been withdrawn)."""
    statement = (
        select(Absence)
        .where(
            col(Absence.start_pending).is_(True),
            col(Absence.ended_at).is_(None),
            col(Absence.starts_at) <= now,
        )
        .order_by(col(Absence.starts_at), col(Absence.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def next_start(session: Session, *, after: datetime) -> datetime | None:
    """The earliest start after `after` of a planned absence that has not begun."""
    statement = (
        select(col(Absence.starts_at))
        .where(
            col(Absence.start_pending).is_(True),
            col(Absence.ended_at).is_(None),
            col(Absence.starts_at) > after,
        )
        .order_by(col(Absence.starts_at))
        .limit(1)
    )
    return session.scalars(statement).first()


def due_to_end(session: Session, *, now: datetime) -> list[Absence]:
    """Absences whose return instant has come and that have not been closed yet."""
    statement = (
        select(Absence)
        .where(col(Absence.ended_at).is_(None), col(Absence.until) <= now)
        .order_by(col(Absence.until), col(Absence.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def next_return(session: Session, *, after: datetime) -> datetime | None:
    """The earliest return instant after `after` of an absence still open."""
    statement = (
        select(col(Absence.until))
        .where(col(Absence.ended_at).is_(None), col(Absence.until) > after)
        .order_by(col(Absence.until))
        .limit(1)
    )
    return session.scalars(statement).first()


def note_mention(session: Session, *, mentioner_id: str, absentee_id: str, day: date) -> bool:
    """Record that `mentioner_id` was told about `absentee_id` on `day`; False if already."""
    values = {"mentioner_id": mentioner_id, "absentee_id": absentee_id, "day": day}
    insert_stmt = (
        postgresql.insert(MentionNotice)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(MentionNotice)
    )
    statement = insert_stmt.values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports a row for a skipped ORM insert.
    return session.execute(statement.returning(col(MentionNotice.id))).first() is not None
