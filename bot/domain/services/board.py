"""The staff in/out board (policy 000): in office, off-site, out for the day, out of office.

What someone told the desk (`/desk in`, `/desk out …`) is kept in Presence; an absence
(`/ooo`) outranks it. "Off-site" and "out for the day" lapse at the next opening, when the
person is presumed back in the office.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from bot.domain.when import WhenError, parse_when
from storage import absences, presence

IN, OFF_SITE, OUT_FOR_DAY, AWAY = "in", "out", "out_day", "away"
MAX_OFF_SITE = timedelta(days=7)


class BoardError(ValueError):
    """A board change that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Status:
    """Where one person is, as the board shows it."""

    user_id: str
    state: str  # in | out | out_day | away
    back_at: datetime | None = None  # off-site: back then; away: the return instant
    backup_id: str | None = None
    note: str | None = None
    away_from: datetime | None = None  # a planned absence: it starts then (until `back_at`)


@dataclass(frozen=True)
class OffSite:
    """What `/desk out back <when>` recorded."""

    back_at: datetime
    rolled_to_tomorrow: bool  # a time already past today was read as tomorrow's


@dataclass(frozen=True)
class Board:
    """Everyone, grouped as the sign-in board is."""

    in_office: list[Status] = field(default_factory=list)
    off_site: list[Status] = field(default_factory=list)
    out_for_day: list[Status] = field(default_factory=list)
    away: list[Status] = field(default_factory=list)
    planned: list[Status] = field(default_factory=list)  # away from a later date


def status_of(session: Session, user_id: str, *, now: datetime) -> Status:
    """Where `user_id` is at `now`."""
    absence = absences.current(session, user_id, now=now)
    if absence is not None:
        return Status(user_id, AWAY, absence.until, absence.backup_id, absence.note)
    told = presence.where_is(session, user_id)
    if told is None:
        return Status(user_id, IN)
    state, back_at = told
    if state == IN or back_at is None or back_at <= now:
        return Status(user_id, IN)
    return Status(user_id, state, back_at)


def board(session: Session, user_ids: Sequence[str], *, now: datetime) -> Board:
    """The board for these people (in the order given)."""
    away = {a.user_id: a for a in absences.current_all(session, now=now)}
    rows = presence.everyone(session)
    grouped = Board()
    for user_id in dict.fromkeys(user_ids):
        if user_id in away:
            absence = away[user_id]
            grouped.away.append(
                Status(user_id, AWAY, absence.until, absence.backup_id, absence.note)
            )
            continue
        row = rows.get(user_id)
        if row is None or row.state == IN or row.back_at is None or row.back_at <= now:
            grouped.in_office.append(Status(user_id, IN))
        elif row.state == OUT_FOR_DAY:
            grouped.out_for_day.append(Status(user_id, OUT_FOR_DAY, row.back_at))
        else:
            grouped.off_site.append(Status(user_id, OFF_SITE, row.back_at))
    grouped.off_site.sort(key=lambda s: s.back_at or now)
    grouped.away.sort(key=lambda s: s.back_at or now)
    planned = absences.planned_all(session, now=now)
    for user_id in dict.fromkeys(user_ids):
        if user_id in planned and user_id not in away:
            later = planned[user_id]
            grouped.planned.append(
                Status(user_id, IN, later.until, later.backup_id, later.note, later.starts_at)
            )
    grouped.planned.sort(key=lambda s: s.away_from or now)
    return grouped


def check_in(session: Session, *, user_id: str, now: datetime) -> Status:
    """`/desk in`: in the office."""
    presence.set_state(session, user_id=user_id, state=IN, back_at=None, now=now)
    return Status(user_id, IN)


def out_until(
    session: Session,
    *,
    user_id: str,
    phrase: str,
    now: datetime,
    tz: ZoneInfo,
    date_order: str,
) -> OffSite:
    """`/desk out back <when>`: off-site, returning then.

    A time of day already past today ("back 3pm" at 4 pm) means tomorrow at that time.
    """
    try:
        back_at, time_given = parse_when(phrase, now=now, tz=tz, date_order=date_order)
    except WhenError as error:
        raise BoardError(f"{error}.") from None
    rolled = False
    local = back_at.astimezone(tz)
    if time_given and back_at <= now and local.date() == now.astimezone(tz).date():
        tomorrow = local.date() + timedelta(days=1)
        back_at = datetime.combine(tomorrow, local.timetz().replace(tzinfo=None), tzinfo=tz)
        rolled = True
    if back_at <= now:
        raise BoardError(f'"{phrase}" is in the past: say when you will be back.')
    if back_at > now + MAX_OFF_SITE:
        raise BoardError(
            f'"{phrase}" is more than a week away: for that, set `/ooo until <when>` instead.'
        )
    presence.set_state(session, user_id=user_id, state=OFF_SITE, back_at=back_at, now=now)
    return OffSite(back_at=back_at, rolled_to_tomorrow=rolled)


def out_for_the_day(
    session: Session, *, user_id: str, now: datetime, calendar: BusinessCalendar
) -> Status:
    """`/desk out for the day`: gone until the next working day's opening."""
    today = now.astimezone(calendar.tz).date()
    back_at = calendar.opening_of(calendar.next_working_day(today))
    assert back_at is not None
    presence.set_state(session, user_id=user_id, state=OUT_FOR_DAY, back_at=back_at, now=now)
    return Status(user_id, OUT_FOR_DAY, back_at)
