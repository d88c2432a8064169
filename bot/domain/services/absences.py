"""Out of office: when someone is back, who covers, and the "while you were out" summary.

An absence runs from when it is set until its return instant. It ends by itself then (the
`absences.end` job), or earlier with `/ooo back`; either way the person is sent, through
the outbox, a summary of what was handled for them while they were away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from bot.domain.jobs import Job, JobContext
from bot.domain.notices import HandledItem, HandledVisit, OooWhileYouWereOut, enqueue_notice
from bot.domain.services import windows
from bot.domain.services.cover import cover_for
from bot.domain.teams import NO_TEAMS, TeamBook
from bot.domain.when import WhenError, parse_when
from storage import absences, handled, items
from storage.db import session_scope
from storage.models import Absence, Item

MAX_AHEAD = timedelta(days=366)
SUMMARY_LIMIT = 25  # entries of each kind in the summary; the rest are counted


class AbsenceError(ValueError):
    """An absence that cannot be set as asked; the message says why."""


@dataclass(frozen=True)
class Return:
    """When someone is back, and whether they named the time or we took the opening."""

    at: datetime
    time_given: bool
    moved_to_working_day: bool = False


@dataclass(frozen=True)
class SetAbsence:
    """What `/ooo until` did."""

    absence: Absence
    replaced: bool  # an earlier absence was changed rather than a new one started
    backup_reminder: bool  # over one working day with no backup: the policy asks for one
    backup_away_until: datetime | None  # the backup is out too, until then


def return_instant(
    phrase: str, *, now: datetime, tz: ZoneInfo, calendar: BusinessCalendar, date_order: str
) -> Return:
    """Read "back on <when>": the opening of that day unless a time is given.

    A closed day means the next working day's opening. A past return, one that cannot be
    read, and one more than a year out are errors.
    """
    try:
        instant, time_given = parse_when(phrase, now=now, tz=tz, date_order=date_order)
    except WhenError as error:
        raise AbsenceError(f"{error}.") from None
    moved = False
    if not time_given:
        day = instant.astimezone(tz).date()
        opening = calendar.opening_of(day)
        if opening is None:
            opening = calendar.opening_of(calendar.next_working_day(day))
            moved = True
        assert opening is not None
        instant = opening
    if instant <= now:
        raise AbsenceError(f'"{phrase}" is in the past: give the day you will be back.')
    if instant > now + MAX_AHEAD:
        raise AbsenceError(f'"{phrase}" is more than a year away.')
    return Return(at=instant, time_given=time_given, moved_to_working_day=moved)


def set_absence(
    session: Session,
    *,
    user_id: str,
    until: datetime,
    backup_id: str | None,
    note: str | None,
    now: datetime,
    calendar: BusinessCalendar,
) -> SetAbsence:
    """Mark `user_id` out of office until `until` (changing an absence already set)."""
    if backup_id == user_id:
        raise AbsenceError("You can't be your own backup: name someone who will be in.")
    if until <= now:
        raise AbsenceError("That return is in the past.")
    absence = absences.current(session, user_id, now=now)
    replaced = absence is not None
    if absence is None:
        absence = absences.add(
            session,
            Absence(
                user_id=user_id,
                starts_at=now,
                until=until,
                backup_id=backup_id,
                note=note,
            ),
        )
    else:
        absence.until, absence.backup_id, absence.note = until, backup_id, note
        session.add(absence)
        session.flush()
    long_absence = calendar.working_time_between(now, until) > timedelta(
        hours=calendar.hours_per_business_day
    )
    backup_away = absences.current(session, backup_id, now=now) if backup_id else None
    return SetAbsence(
        absence=absence,
        replaced=replaced,
        backup_reminder=long_absence and backup_id is None,
        backup_away_until=backup_away.until if backup_away else None,
    )


def current(session: Session, user_id: str, *, now: datetime) -> Absence | None:
    """The absence `user_id` is on at `now`, if any."""
    return absences.current(session, user_id, now=now)


def everyone_away(session: Session, *, now: datetime) -> list[Absence]:
    """Every absence running at `now`."""
    return absences.current_all(session, now=now)


def come_back(session: Session, *, user_id: str, now: datetime) -> Absence | None:
    """End `user_id`'s absence now (`/ooo back`) and send the summary; None if not away."""
    absence = absences.current(session, user_id, now=now)
    if absence is None:
        return None
    _end(session, absence, at=now)
    return absence


def move_return(session: Session, *, user_id: str, until: datetime, now: datetime) -> Absence:
    """`/ooo back <when>` while away: the absence now ends at `until`, not at once."""
    absence = absences.current(session, user_id, now=now)
    if absence is None:
        raise AbsenceError("You are not out of office, so there is no return to move.")
    if until <= now:
        raise AbsenceError("That return is in the past: use `/ooo back` to come back now.")
    absence.until = until
    session.add(absence)
    session.flush()
    return absence


@dataclass(frozen=True)
class HandedOver:
    """Open items passed on when someone goes away, and to whom."""

    items: list[Item]
    to_user_id: str | None  # None: the desk channel


def open_items_of(session: Session, user_id: str) -> list[Item]:
    """What `user_id` still has open (offered for hand-over by `/ooo`)."""
    return items.open_for(session, owner_id=user_id)


def hand_over(
    session: Session,
    *,
    user_id: str,
    now: datetime,
    desk_channel: str,
    teams: TeamBook = NO_TEAMS,
) -> HandedOver:
    """Give `user_id`'s open items, with their deadlines, to whoever covers for them now
    (their backup, a teammate who is in, or the desk channel); each new owner is told through
    the outbox."""
    from bot.domain.services.item_actions import enqueue_assigned

    cover = cover_for(session, intended_id=user_id, now=now, desk_channel=desk_channel, teams=teams)
    if not cover.redirected:
        return HandedOver(items=[], to_user_id=user_id)
    moved = []
    for item in items.open_for(session, owner_id=user_id):
        windows.reassign(session, item=item, owner=cover.owner, now=now, by=user_id)
        item.intended_id = item.intended_id or user_id
        session.add(item)
        enqueue_assigned(session, item=item, now=now)
        moved.append(item)
    return HandedOver(items=moved, to_user_id=cover.owner.user_id)


def end_due(session: Session, *, now: datetime) -> list[Absence]:
    """End every absence whose return instant has come, each with its summary."""
    ended = absences.due_to_end(session, now=now)
    for absence in ended:
        _end(session, absence, at=absence.until)
    return ended


def _end(session: Session, absence: Absence, *, at: datetime) -> None:
    absence.ended_at = at
    session.add(absence)
    enqueue_notice(
        session,
        while_you_were_out(session, absence, back_at=at),
        key=f"absence:{absence.id}:summary",
        target=absence.user_id,
        now=at,
    )


def while_you_were_out(
    session: Session, absence: Absence, *, back_at: datetime
) -> OooWhileYouWereOut:
    """What was handled for the person while they were away."""
    user_id, start = absence.user_id, absence.starts_at
    items = handled.items_meant_for(session, user_id, start=start, end=back_at)
    names = handled.subjects(session, items)
    visit_ids = {item.visit_id for item in items if item.visit_id is not None}
    visits = [
        v
        for v in handled.visits_for(session, user_id, start=start, end=back_at)
        if v.id not in visit_ids
    ]
    return OooWhileYouWereOut(
        user_id=user_id,
        since=start,
        back_at=back_at,
        backup_id=absence.backup_id,
        items=tuple(
            HandledItem(
                kind=item.kind,
                subject=names.get(item.id or 0, ""),
                owner_id=item.owner_id,
                owner_channel=item.owner_channel,
                state=item.state,
                outcome=item.outcome,
                done_by=item.done_by,
                created_at=item.created_at,
            )
            for item in items[:SUMMARY_LIMIT]
        ),
        more_items=max(0, len(items) - SUMMARY_LIMIT),
        visits=tuple(
            HandledVisit(
                name=visit.name,
                organisation=visit.organisation,
                arrived_at=visit.arrived_at,
                response=visit.host_response,
                responded_by=visit.host_responded_by,
            )
            for visit in visits[:SUMMARY_LIMIT]
        ),
        more_visits=max(0, len(visits) - SUMMARY_LIMIT),
    )


def _run_end_of_absences(ctx: JobContext) -> int:
    with session_scope(ctx.engine) as session:
        return len(end_due(session, now=ctx.now))


def _next_return(ctx: JobContext) -> datetime | None:
    with session_scope(ctx.engine) as session:
        return absences.next_return(session, after=ctx.now)


JOB = Job(id="absences.end", run=_run_end_of_absences, next_at=_next_return)
