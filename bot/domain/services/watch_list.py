"""The managers' watch list: a sign-in of a listed name alerts the managers' channel.

The sign-in is not held; the receptionist is only told to call a manager, and the reason is
shown in the managers' channel alone (never the desk channel). Names match ignoring case,
accents, punctuation and spacing ("zoe o'neil" matches "Zoë O'Neil").
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.notices import WatchAlert, enqueue_notice
from bot.domain.roles import Roles, require_manager
from storage import audit, watch_list
from storage.models import Visit, WatchEntry
from storage.names import name_key

WATCH_ACTION = "manage the watch list (`/desk watch`)"


def add(
    session: Session, *, name: str, reason: str, by: str, now: datetime, roles: Roles
) -> WatchEntry:
    """Put a name on the watch list."""
    require_manager(roles, by, WATCH_ACTION)
    entry = WatchEntry(name=name, name_key=name_key(name), reason=reason, added_by=by, added_at=now)
    return watch_list.add(session, entry)


def entries(session: Session, *, by: str, roles: Roles) -> list[WatchEntry]:
    """The watch list (managers only)."""
    require_manager(roles, by, WATCH_ACTION)
    return watch_list.all_entries(session)


def remove(session: Session, *, name: str, by: str, roles: Roles) -> int:
    """Take a name off the watch list; return how many entries went."""
    require_manager(roles, by, WATCH_ACTION)
    return watch_list.remove_key(session, name_key(name))


def reasons_watched(session: Session, name: str) -> tuple[str, ...]:
    """Why `name` is on the watch list (each entry's reason); empty when it is not."""
    return tuple(entry.reason for entry in watch_list.with_key(session, name_key(name)))


def alert_if_watched(
    session: Session,
    *,
    visit: Visit,
    now: datetime,
    managers_channel: str,
    reasons: tuple[str, ...] | None = None,
) -> bool:
    """At a sign-in: tell the managers' channel if the visitor's name is on the watch list
    (`reasons`: what reasons_watched said, when it was asked earlier in the transaction)."""
    if reasons is None:
        reasons = reasons_watched(session, visit.name)
    if not reasons or not managers_channel:
        return False
    assert visit.id is not None
    alert = WatchAlert(
        visit_id=visit.id,
        name=visit.name,
        host_id=visit.host_id,
        pass_number=visit.pass_number,
        arrived_at=visit.arrived_at,
        signed_in_by=visit.logged_by,
        reasons=reasons,
    )
    enqueue_notice(session, alert, key=f"visit:{visit.id}:watch", target=managers_channel, now=now)
    audit.record(session, visit_id=visit.id, actor_id=visit.logged_by, action="watch_alert", at=now)
    return True
