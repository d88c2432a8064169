"""Escorts (`[visitors] escort`): who is with each visitor, and handing them over.

"On my way" on the arrival DM makes whoever pressed it the escort (bot/domain/services/visitors.py);
"Hand over to…" passes the visitor on, and the new escort is told by DM. The roll call shows
who is with whom.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.notices import EscortHandedOver, enqueue_notice
from bot.domain.roles import Refusal, Roles
from storage import audit
from storage.models import Visit


class HandOverError(ValueError):
    """The hand-over cannot be done (the visitor has left, or it is to the same person)."""


def hand_over(
    session: Session, *, now: datetime, visit_id: int, to: str, by: str, roles: Roles
) -> Visit:
    """Make `to` the escort of a visitor on site (by their escort, reception or a manager)."""
    visit = session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.state != "on_site":
        raise HandOverError("that visitor is no longer signed in")
    if by != visit.escort_id and not roles.is_desk(by):
        raise Refusal("Only the visitor's escort, reception and managers may hand them over.")
    if to == visit.escort_id:
        raise HandOverError("they are already with that person")
    visit.escort_id = to
    session.add(visit)
    audit.record(session, visit_id=visit.id, actor_id=by, action="escort", detail=to, at=now)
    assert visit.id is not None
    told = EscortHandedOver(
        visit_id=visit.id,
        name=visit.name,
        host_id=visit.host_id,
        escort_id=to,
        handed_over_by=by,
        pass_number=visit.pass_number,
        organisation=visit.organisation,
        needs=visit.needs,
    )
    enqueue_notice(
        session,
        told,
        key=f"visit:{visit.id}:escort:{to}:{int(now.timestamp())}",
        target=to,
        now=now,
    )
    return visit
