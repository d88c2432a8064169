"""Mentions of people who are out: tell the mentioner once a day per person mentioned."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session

from storage import absences
from storage.models import Absence


def absences_to_mention(
    session: Session, *, mentioner_id: str, mentioned_ids: Iterable[str], now: datetime, day: date
) -> list[Absence]:
    """The absences of the people mentioned that `mentioner_id` has not been told of on `day`."""
    found: list[Absence] = []
    for user_id in dict.fromkeys(mentioned_ids):
        if user_id == mentioner_id:
            continue
        absence = absences.current(session, user_id, now=now)
        if absence is None:
            continue
        if absences.note_mention(session, mentioner_id=mentioner_id, absentee_id=user_id, day=day):
            found.append(absence)
    return found
