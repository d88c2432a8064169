"""Absences planned ahead (`/ooo from … until …`): set, listed, withdrawn, and begun on time.

A planned absence starts at 00:00 site time of its first day (or the time given) and ends at
the first opening of the day it names. The hand-over chosen when it was set is applied when it
begins, by the `absences.start` job at its instant; it then runs like any other absence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.jobs import Job, JobContext
from bot.domain.services import sites
from bot.domain.services.absences import MAX_AHEAD, AbsenceError, HandedOver, hand_over
from bot.domain.teams import NO_TEAMS, TeamBook
from bot.domain.when import WhenError, parse_when
from storage import absences
from storage.db import session_scope
from storage.models import Absence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    """What `/ooo from … until …` stored."""

    absence: Absence
    backup_away_until: datetime | None  # the backup is away then too, until this instant


def start_instant(phrase: str, *, now: datetime, tz: ZoneInfo, date_order: str) -> datetime:
    """Read "from <when>": 00:00 site time of that day unless a time is given."""
    try:
        instant, time_given = parse_when(phrase, now=now, tz=tz, date_order=date_order)
    except WhenError as error:
        raise AbsenceError(f"{error}.") from None
    if not time_given:
        day = instant.astimezone(tz).date()
        instant = datetime.combine(day, time(0), tzinfo=tz)
    if instant > now + MAX_AHEAD:
        raise AbsenceError(f'"{phrase}" is more than a year away.')
    return instant


def plan_absence(
    session: Session,
    *,
    user_id: str,
    starts_at: datetime,
    until: datetime,
    backup_id: str | None,
    note: str | None,
    hand_over_items: bool,
    now: datetime,
) -> Planned:
    """Store an absence that begins at `starts_at` (which must be ahead of `now`)."""
    if backup_id == user_id:
        raise AbsenceError("You can't be your own backup: name someone who will be in.")
    if until <= starts_at:
        raise AbsenceError("The return must come after the start.")
    for other in absences.ahead_of(session, user_id, now=now):
        if other.starts_at < until and starts_at < other.until:
            raise AbsenceError(
                "That overlaps an absence you have already set: `/ooo list` shows it, "
                "`/ooo cancel` withdraws the next planned one."
            )
    absence = absences.add(
        session,
        Absence(
            user_id=user_id,
            starts_at=starts_at,
            until=until,
            backup_id=backup_id,
            note=note,
            hand_over=hand_over_items,
            start_pending=True,
        ),
    )
    backup_away = absences.current(session, backup_id, now=starts_at) if backup_id else None
    return Planned(absence, backup_away.until if backup_away else None)


def ahead(session: Session, *, user_id: str, now: datetime) -> list[Absence]:
    """`user_id`'s absence now (if any) and those planned, soonest first."""
    return absences.ahead_of(session, user_id, now=now)


def cancel_next(session: Session, *, user_id: str, now: datetime) -> Absence | None:
    """Withdraw `user_id`'s next planned absence (one not yet begun); None if there is none."""
    planned = [a for a in absences.ahead_of(session, user_id, now=now) if a.starts_at > now]
    if not planned:
        return None
    absence = planned[0]
    # Withdrawn before it began: it never starts, and there is no summary.
    absence.ended_at, absence.start_pending = now, False
    session.add(absence)
    session.flush()
    return absence


def begin_due(
    session: Session,
    *,
    now: datetime,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
    desk_of: Callable[[str], str] | None = None,
) -> list[tuple[Absence, HandedOver | None]]:
    """Begin every planned absence whose start has come, applying the hand-over chosen (to
    the desk of the person's own site, `desk_of(user_id)`, when nobody covers)."""
    begun = []
    for absence in absences.due_to_begin(session, now=now):
        try:
            with session.begin_nested():  # one absence that fails does not hold up the others
                absence.start_pending = False
                session.add(absence)
                session.flush()
                moved = None
                if absence.hand_over and absence.until > now:
                    moved = hand_over(
                        session,
                        user_id=absence.user_id,
                        now=now,
                        desk_channel=desk_of(absence.user_id) if desk_of else desk_channel,
                        teams=teams,
                    )
        except Exception:
            session.refresh(absence)  # still pending: tried again next round
            log.exception("planned absence %s could not begin; it is tried again", absence.id)
            continue
        begun.append((absence, moved))
    return begun


def choose_hand_over(
    session: Session, *, user_id: str, absence_id: int, hand_over_items: bool, now: datetime
) -> Absence:
    """The "Keep my items" / "Hand them over" buttons: change the hand-over stored with a
    planned absence before it starts (pressed twice, the same choice stands)."""
    absence = session.get(Absence, absence_id)
    if absence is None or absence.user_id != user_id:
        raise AbsenceError("that planned absence is not yours, or no longer on record")
    if absence.ended_at is not None and absence.ended_at <= absence.starts_at:
        raise AbsenceError("that planned absence was withdrawn (`/ooo list` shows what is set)")
    if not absence.start_pending or absence.starts_at <= now:
        raise AbsenceError(
            "that absence has already started: the hand-over chosen was applied when it "
            "began (`/ooo back` ends it)"
        )
    if absence.hand_over != hand_over_items:
        absence.hand_over = hand_over_items
        session.add(absence)
        session.flush()
    return absence


def is_planned(absence: Absence, *, now: datetime) -> bool:
    """Whether `absence` has yet to begin at `now`."""
    return absence.starts_at > now


def _run_start_of_absences(ctx: JobContext) -> int:
    with session_scope(ctx.engine) as session:

        def desk_of(user_id: str) -> str:
            return ctx.channels(sites.site_of_person(session, ctx.policy, user_id)).desk

        return len(
            begin_due(
                session,
                now=ctx.now,
                desk_channel=ctx.desk_channel,
                teams=ctx.policy.team_book(),
                desk_of=desk_of,
            )
        )


def _next_start(ctx: JobContext) -> datetime | None:
    with session_scope(ctx.engine) as session:
        return absences.next_start(session, after=ctx.now)


JOB = Job(id="absences.start", run=_run_start_of_absences, next_at=_next_start)
