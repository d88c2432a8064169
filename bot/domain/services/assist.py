"""A receptionist's call for help (policy 003: call for assistance when a visitor becomes
abusive): the desk and managers' channels are alerted at once, the first to answer is named to
the others, an incident is opened for the managers to complete, and a call nobody has answered
within two minutes is alerted again, louder (a periodic job, from the row's `louder_at`: once,
whatever restarts or workers come between)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.channels import Channels
from bot.domain.config import DEFAULT_SITE
from bot.domain.jobs import Job, JobContext
from bot.domain.notices import AssistAlert, enqueue_notice
from bot.domain.services.incidents import NOTHING_SAID
from storage import assists, incidents, outbox
from storage.db import session_scope
from storage.models import AssistCall, Incident

JOB_ID = "assist_louder"
LOUDER_AFTER = timedelta(minutes=2)
WHERE = ("desk", "managers")
AT_THE_DESK = "at the front desk (a call for help)"


class AssistNotFound(LookupError):
    """No such call for help."""


@dataclass(frozen=True)
class Answered:
    call: AssistCall
    first: bool  # this press answered it; else someone had already


def post_key(assist_id: int, where: str, *, louder: bool = False) -> str:
    """The outbox key of a call's post in `where` (desk | managers)."""
    return f"assist:{assist_id}:{'louder:' if louder else ''}{where}"


def call_for_help(
    session: Session,
    *,
    now: datetime,
    called_by: str,
    what: str | None,
    channels: Channels,
    managers: Sequence[str],
    site: str = DEFAULT_SITE,
) -> AssistCall:
    """Open an incident at `site`, alert both channels (mentioning the managers), and set
    the louder alert two minutes on."""
    incident = incidents.add(
        session,
        Incident(
            reported_by=called_by,
            occurred=AT_THE_DESK,
            occurred_at=now,
            location="the front desk",
            what=what or NOTHING_SAID,
            created_at=now,
            site=site,
        ),
    )
    call = assists.add(
        session,
        AssistCall(
            called_by=called_by,
            called_at=now,
            what=what,
            incident_id=incident.id,
            louder_at=now + LOUDER_AFTER,
            site=site,
        ),
    )
    for where in WHERE:
        enqueue_notice(
            session,
            _alert(call, managers, where),
            key=post_key(_id(call), where),
            target=channels.of(where),
            now=now,
        )
    return call


def answer(
    session: Session,
    *,
    now: datetime,
    assist_id: int,
    by: str,
    channels_of: Callable[[str], Channels],
) -> Answered:
    """ "On my way": the first press names its presser on every post of the call (and on the
    incident), in the channels of the site that called; a later press changes nothing."""
    call = assists.locked(session, assist_id)
    if call is None:
        raise AssistNotFound("that call for help is no longer on record")
    channels = channels_of(call.site)
    if call.answered_by is not None:
        return Answered(call, first=False)
    call.answered_by, call.answered_at, call.louder_at = by, now, None
    session.add(call)
    incident = session.get(Incident, call.incident_id) if call.incident_id else None
    if incident is not None:
        incident.responded_by = by
        session.add(incident)
    session.flush()
    for louder in (False, True):
        for where in WHERE:
            key = post_key(assist_id, where, louder=louder)
            posted = outbox.row_state(session, key)
            if posted is None:
                continue
            # A post not sent yet gets an answered one of its own (its button then says so).
            sent = posted.ts if posted.state == "sent" and posted.ts else None
            enqueue_notice(
                session,
                replace(_alert(call, (), where), louder=louder, update_ts=sent),
                key=f"{key}:answered",
                target=channels.of(where),
                now=now,
            )
    return Answered(call, first=True)


def alert_louder(
    session: Session,
    *,
    now: datetime,
    channels_of: Callable[[str], Channels],
    managers: Sequence[str],
) -> int:
    """Alert again, louder, in the channels of the site that called, every call nobody has
    answered in time, mentioning `managers` (but not whoever called); return how many."""
    due = assists.due_louder(session, now=now)
    for call in due:
        channels = channels_of(call.site)
        others = [person for person in managers if person != call.called_by]
        for where in WHERE:
            enqueue_notice(
                session,
                replace(_alert(call, others, where), louder=True),
                key=post_key(_id(call), where, louder=True),
                target=channels.of(where),
                now=now,
            )
        call.louder_at, call.louder_sent_at = None, now
        session.add(call)
    session.flush()
    return len(due)


def _alert(call: AssistCall, managers: Sequence[str], where: str) -> AssistAlert:
    return AssistAlert(
        for_managers=where == "managers",
        assist_id=_id(call),
        called_by=call.called_by,
        called_at=call.called_at,
        what=call.what,
        incident_id=call.incident_id,
        mention_ids=tuple(managers),
        answered_by=call.answered_by,
        answered_at=call.answered_at,
    )


def _id(call: AssistCall) -> int:
    assert call.id is not None
    return call.id


def run(ctx: JobContext) -> int:
    """Alert again, louder, the calls for help whose two minutes have passed: the managers and
    everyone at reception mentioned."""
    roles = ctx.policy.roles
    everyone = list(dict.fromkeys([*roles.managers, *roles.reception]))
    with session_scope(ctx.engine) as session:
        return alert_louder(session, now=ctx.now, channels_of=ctx.channels, managers=everyone)


def next_at(ctx: JobContext) -> datetime | None:
    """The next louder alert due."""
    with session_scope(ctx.engine) as session:
        return assists.next_louder_at(session, after=ctx.now)


JOB = Job(id=JOB_ID, run=run, next_at=next_at)
