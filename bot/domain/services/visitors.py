"""The visitor log: sign in, expect, sign out, cancel, who is on site, the host's answer."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.config import DEFAULT_SITE, Policy
from bot.domain.notices import (
    VisitorArrivalLeft,
    VisitorArrivedDm,
    VisitorExpectedDm,
    VisitorHostResponse,
    VisitorSignin,
    enqueue_notice,
    enqueue_notices_at_commit,
)
from bot.domain.roles import Refusal, Roles
from bot.domain.services import watch_list, windows
from bot.domain.services.cover import Cover, cover_for
from bot.domain.services.routing import item_team
from bot.domain.services.windows import Owner
from bot.domain.teams import NO_TEAMS, TeamBook
from storage import audit, items, names, outbox, passbook, visits
from storage.models import Visit
from storage.names import name_key

PASS_FORMAT = "V-{:03d}"
HostDm = TypeVar("HostDm", VisitorArrivedDm, VisitorExpectedDm)
PASS_QUERY = re.compile(r"^\s*[Vv]?-?0*(\d{1,4})\s*$")
HOST_RESPONSES = {
    "on_my_way": "On my way",
    "please_wait": "Please ask them to wait",
    "send_someone": "I can't — send someone",
}


class VisitorNotFound(LookupError):
    """No visitor matches what was typed."""


@dataclass(frozen=True)
class Ambiguous:
    """Several visitors match: the user must pick one."""

    matches: tuple[Visit, ...]


@dataclass(frozen=True)
class SignIn:
    visit: Visit
    matched_expected: bool
    cover: Cover | None = None  # who was told, when the host is out of office
    watched: bool = False  # the name is on the watch list: the managers were alerted


def sign_in(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    logged_by: str,
    name: str,
    organisation: str | None,
    host_id: str,
    note: str | None,
    desk_channel: str,
    policy: Policy,
    needs: str | None = None,
    managers_channel: str = "",
    site: str = DEFAULT_SITE,
) -> SignIn:
    """Sign a visitor in, issue a pass, tell the host and the desk, and start the host's window
    (and alert the managers' channel if the name is on the watch list)."""
    today = now.astimezone(tz).date()  # `tz`: the receiving site's zone
    expected = _expected_match(session, name=name, host_id=host_id, today=today, tz=tz, site=site)
    cover = cover_for(
        session,
        intended_id=host_id,
        now=now,
        desk_channel=desk_channel,
        teams=policy.team_book(),
    )
    reasons = watch_list.reasons_watched(session, name)
    if expected is None:
        visit = visits.insert(
            session,
            name=name,
            organisation=organisation,
            host_id=host_id,
            note=note,
            needs=needs,
            site=site,
            state="on_site",
            arrived_at=now,
            logged_by=logged_by,
            created_at=now,
        )
    else:
        visit = expected
        visit.organisation = organisation or expected.organisation
        visit.note = note or expected.note
        visit.needs = needs or expected.needs
        visit.state = "on_site"
        visit.arrived_at = now
        session.add(visit)
    audit.record(session, visit_id=visit.id, actor_id=logged_by, action="signed_in", at=now)
    _open_arrival_window(session, visit=visit, now=now, policy=policy, cover=cover)
    # The pass comes last. Passes are issued one at a time: a second desk signing someone in
    # at this site waits here until this transaction ends, then counts on from the number this
    # one took; so the site's pass book is held only for the notices that show it and the COMMIT.
    number = passbook.take(session, site=site, day=today)
    visits.give_pass(session, visit, day=today, seq=number, number=PASS_FORMAT.format(number))
    arrived = replace(_arrived(visit), escort=policy.visitors.escort)
    told = cover.owner.user_id or cover.owner.channel or host_id
    enqueue_notices_at_commit(  # with the COMMIT: no round trip of their own under the lock
        session,
        [
            (_covered(arrived, cover), f"visit:{visit.id}:arrived_dm", told),
            (_signin(visit), f"visit:{visit.id}:signin", desk_channel),
        ],
        now=now,
    )
    watched = watch_list.alert_if_watched(
        session, visit=visit, now=now, managers_channel=managers_channel, reasons=reasons
    )
    return SignIn(visit=visit, matched_expected=expected is not None, cover=cover, watched=watched)


def expect(
    session: Session,
    *,
    now: datetime,
    logged_by: str,
    name: str,
    organisation: str | None,
    host_id: str,
    expected_at: datetime,
    desk_channel: str | None = None,
    needs: str | None = None,
    teams: TeamBook = NO_TEAMS,
    site: str = DEFAULT_SITE,
) -> Visit:
    """Pre-register a visitor and let the host know (or whoever covers while they are away).

    With no `desk_channel`, a host away with nobody to cover is still told themselves (there is
    no channel to tell instead).
    """
    visit = visits.add(
        session,
        Visit(
            name=name,
            organisation=organisation,
            host_id=host_id,
            site=site,
            state="expected",
            expected_at=expected_at,
            needs=needs,
            logged_by=logged_by,
            created_at=now,
        ),
    )
    audit.record(session, visit_id=visit.id, actor_id=logged_by, action="expected", at=now)
    cover = cover_for(
        session, intended_id=host_id, now=now, desk_channel=desk_channel or "", teams=teams
    )
    target = cover.owner.user_id or cover.owner.channel
    if not target:  # away, nobody covers, and no desk channel to tell: the host after all
        target, cover = host_id, Cover(owner=Owner(user_id=host_id), intended_id=host_id)
    enqueue_notice(
        session,
        _covered(_expected(visit), cover),
        key=f"visit:{visit.id}:expected_dm",
        target=target,
        now=now,
    )
    return visit


def sign_out(
    session: Session, *, now: datetime, query: str, by: str, site: str | None = None
) -> Visit | Ambiguous:
    """Sign out the visitor named or holding the pass in `query` (among those at `site`)."""
    found = find(visits.on_site(session, site), query)
    if isinstance(found, Ambiguous):
        return found
    return sign_out_visit(session, now=now, visit=found, by=by)


def sign_out_visit(session: Session, *, now: datetime, visit: Visit, by: str) -> Visit:
    """Sign out this visit (after a pick among several matches)."""
    if visit.state != "on_site":
        raise VisitorNotFound(f"{visit.name} is not signed in")
    visit.state = "left"
    visit.left_at = now
    session.add(visit)
    _close_arrival_window(session, visit=visit, now=now, by=by, outcome="visitor_left")
    audit.record(session, visit_id=visit.id, actor_id=by, action="signed_out", at=now)
    _rewrite_arrival_dm(session, visit=visit, now=now, by=by)
    return visit


def sign_out_or_cancel_picked(
    session: Session, *, now: datetime, visit_id: int, by: str, left: bool
) -> Visit:
    """Sign out (`left`) or cancel the visit picked among several that matched."""
    visit = visits.get(session, visit_id)
    if visit is None:
        raise VisitorNotFound("That visit is no longer on record")
    if left:
        return sign_out_visit(session, now=now, visit=visit, by=by)
    return cancel_visit(session, now=now, visit=visit, by=by)


def _rewrite_arrival_dm(session: Session, *, visit: Visit, now: datetime, by: str) -> None:
    """The arrival DM's buttons mean nothing once the visitor has left: it is rewritten to say
    when they signed out. A DM not sent yet is left (its buttons are refused if pressed)."""
    key = f"visit:{visit.id}:arrived_dm"
    posted = outbox.row_state(session, key)
    if posted is None or posted.state != "sent" or not posted.channel or not posted.ts:
        return
    told = outbox.row_target(session, key) or visit.host_id
    assert visit.id is not None
    left = VisitorArrivalLeft(
        visit_id=visit.id,
        name=visit.name,
        organisation=visit.organisation,
        host_id=visit.host_id,
        note=visit.note,
        pass_number=visit.pass_number,
        arrived_at=visit.arrived_at,
        expected_at=visit.expected_at,
        left_at=now,
        signed_out_by=by,
        response=visit.host_response,
        told_id=told if told[:1] in ("U", "W") else None,
        covering_for=visit.host_id if told != visit.host_id else None,
        update_ts=posted.ts,
    )
    enqueue_notice(session, left, key=f"{key}:left", target=posted.channel, now=now)


def cancel(
    session: Session, *, now: datetime, query: str, by: str, site: str | None = None
) -> Visit | Ambiguous:
    """Cancel an expected visitor who will not come (among those expected at `site`)."""
    found = find(visits.expected(session, site=site), query)
    if isinstance(found, Ambiguous):
        return found
    return cancel_visit(session, now=now, visit=found, by=by)


def cancel_visit(session: Session, *, now: datetime, visit: Visit, by: str) -> Visit:
    """Cancel this expected visit."""
    if visit.state != "expected":
        raise VisitorNotFound(f"{visit.name} is not expected")
    visit.state = "cancelled"
    session.add(visit)
    audit.record(session, visit_id=visit.id, actor_id=by, action="cancelled", at=now)
    return visit


def on_site(session: Session, site: str | None = None) -> list[Visit]:
    """Who is on site now (at `site`, or at any site)."""
    return visits.on_site(session, site)


def read_ahead_for_sign_in(
    session: Session, *, name: str, host_id: str, site: str, now: datetime
) -> None:
    """Before a sign-in of `name` for `host_id` at `site` at `now`: what `already_signed_in`,
    `board.status_of` and `sign_in` will ask of the visits, the watch list and the host's
    whereabouts, read in one statement (storage.visits keeps it for them)."""
    visits.read_ahead_for_sign_in(session, key=name_key(name), host_id=host_id, site=site, now=now)


def already_signed_in(
    session: Session, name: str, *, after: int | None = None, site: str | None = None
) -> list[Visit]:
    """Visitors on site (at `site`, or anywhere) under `name` (case, accents and titles aside);
    with `after`, only those signed in since the receptionist was asked about visit `after` and
    the ones before it."""
    found = visits.on_site_named(session, name_key(name), site)
    return [v for v in found if after is None or (v.id or 0) > after]


def record_host_response(
    session: Session,
    *,
    now: datetime,
    visit_id: int,
    response: str,
    by: str,
    roles: Roles,
    escort: bool = False,
) -> Visit:
    """Record the host's answer to an arrival and tell the desk in the sign-in's thread; with
    `escort` ([visitors] escort), "On my way" makes whoever pressed it the visitor's escort."""
    # Locked: two presses at once (or a replica each) answer once.
    visit = session.get(Visit, visit_id, with_for_update=True)
    if visit is None:
        raise VisitorNotFound("that visit is no longer on record")
    if by not in (visit.host_id, _told(session, visit)) and not roles.is_desk(by):
        raise Refusal("Only the host, reception and managers may answer for this visitor.")
    if response not in HOST_RESPONSES:
        raise ValueError(f"unknown response {response!r}")
    if visit.host_response == response:
        return visit  # pressed again: the desk was told already
    if visit.state != "on_site":  # a button on an old DM: nothing to answer any more
        raise VisitorNotFound(f"{visit.name} is no longer signed in")
    visit.host_response = response
    visit.host_responded_at = now
    visit.host_responded_by = by
    if escort and response == "on_my_way":
        visit.escort_id = by
        audit.record(session, visit_id=visit.id, actor_id=by, action="escort", detail=by, at=now)
    session.add(visit)
    _close_arrival_window(session, visit=visit, now=now, by=by, outcome=f"host_{response}")
    audit.record(session, visit_id=visit.id, actor_id=by, action=f"host_{response}", at=now)
    assert visit.id is not None
    answered = VisitorHostResponse(
        visit_id=visit.id,
        name=visit.name,
        organisation=visit.organisation,
        host_id=visit.host_id,
        note=visit.note,
        pass_number=visit.pass_number,
        arrived_at=visit.arrived_at,
        expected_at=visit.expected_at,
        response=response,
        responded_by=by,
    )
    enqueue_notice(
        session,
        answered,
        key=f"visit:{visit.id}:response:{response}:{int(now.timestamp())}",
        target=_desk_target(session, visit),
        now=now,
        thread_key=f"visit:{visit.id}:signin",
    )
    return visit


def tell_new_host(session: Session, *, visit: Visit, now: datetime, cover: Cover) -> None:
    """A corrected host is told as the first one was: the arrival DM with its buttons for a
    visitor on site, the heads-up for one expected (or whoever covers, as at sign-in)."""
    if visit.state not in ("on_site", "expected"):
        return
    arrived = visit.state == "on_site"
    told = _covered(_arrived(visit), cover) if arrived else _covered(_expected(visit), cover)
    target = cover.owner.user_id or cover.owner.channel or visit.host_id
    enqueue_notice(
        session,
        told,
        key=f"visit:{visit.id}:host:{visit.host_id}:{int(now.timestamp())}",
        target=target,
        now=now,
    )


def _told(session: Session, visit: Visit) -> str | None:
    """Who got the arrival DM: the host, or whoever covers for them."""
    return outbox.row_target(session, f"visit:{visit.id}:arrived_dm")


def _covered(notice: HostDm, cover: Cover) -> HostDm:
    """The host's DM as whoever covers for them gets it: `owner_id` is the person told, None
    when it is a channel."""
    if not cover.redirected:
        return notice
    return replace(
        notice,
        covering_for=cover.intended_id,
        away_until=cover.away_until,
        chain=cover.chain,
        owner_id=cover.owner.user_id,
    )


def _open_arrival_window(
    session: Session, *, visit: Visit, now: datetime, policy: Policy, cover: Cover
) -> None:
    """The host (or whoever covers for them) has `sla.visitor.acknowledge` to answer."""
    windows.open_window(
        session,
        kind="visitor_arrival",
        site=visit.site,
        now=now,
        calendar=policy.calendar(visit.site),
        spec=policy.sla.visitor_window(),
        owner=cover.owner,
        actor_id=visit.logged_by,
        intended_id=visit.host_id,
        visit_id=visit.id,
        warn=False,
        team=item_team(policy.team_book(), intended_id=visit.host_id, owner=cover.owner),
    )


def _close_arrival_window(
    session: Session, *, visit: Visit, now: datetime, by: str, outcome: str
) -> None:
    for item in items.for_subject(session, visit_id=visit.id):
        if item.kind == "visitor_arrival" and item.state != "done":
            windows.close(session, item=item, now=now, by=by, outcome=outcome)


def _desk_target(session: Session, visit: Visit) -> str:
    parent = outbox.row_target(session, f"visit:{visit.id}:signin")
    return parent or ""


# What the host's DMs and the desk line say about a visit, each kind taking those it has
# (the desk line, a channel's, has no `needs`).
_TOLD = (
    "name",
    "organisation",
    "host_id",
    "note",
    "needs",
    "pass_number",
    "arrived_at",
    "expected_at",
)
_Told = TypeVar("_Told", VisitorArrivedDm, VisitorExpectedDm, VisitorSignin)


def _about(kind: type[_Told], visit: Visit) -> _Told:
    """A notice of `kind` about `visit`, filled from the visit's own fields."""
    assert visit.id is not None
    fields = {f.name for f in dataclasses.fields(kind)}
    return kind(visit_id=visit.id, **{n: getattr(visit, n) for n in _TOLD if n in fields})


def _arrived(visit: Visit) -> VisitorArrivedDm:
    """The host's DM that `visit` is at reception."""
    return _about(VisitorArrivedDm, visit)


def _expected(visit: Visit) -> VisitorExpectedDm:
    """The host's heads-up that `visit` is expected."""
    assert visit.expected_at is not None
    return _about(VisitorExpectedDm, visit)


def _signin(visit: Visit) -> VisitorSignin:
    """The desk channel's line that `visit` has signed in (with a pass)."""
    assert visit.pass_number is not None and visit.arrived_at is not None
    return _about(VisitorSignin, visit)


def _expected_match(
    session: Session, *, name: str, host_id: str, today: object, tz: ZoneInfo, site: str
) -> Visit | None:
    """The visit expected today (in `tz`, the site's zone) at `site` for this name and host."""
    wanted = name_key(name)
    for visit in visits.expected(session, host_id=host_id, site=site):
        day = visit.expected_at.astimezone(tz).date() if visit.expected_at else None
        if name_key(visit.name) == wanted and day == today:
            return visit
    return None


def find(candidates: list[Visit], query: str) -> Visit | Ambiguous:
    """The visit among `candidates` holding the pass, or named (case, accents, titles aside)."""
    query = query.strip()
    if not query:
        raise VisitorNotFound("no name or pass number given")
    pass_match = PASS_QUERY.match(query)
    if pass_match:
        wanted = PASS_FORMAT.format(int(pass_match.group(1)))
        for visit in candidates:
            if visit.pass_number == wanted:
                return visit
        raise VisitorNotFound(f"no one signed in holds pass {wanted}")
    wanted_name = name_key(query)
    exact = [v for v in candidates if name_key(v.name) == wanted_name]
    matches = exact or [v for v in candidates if names.matches(name_key(v.name), wanted_name)]
    if not matches:
        raise VisitorNotFound(f'no visitor matches "{query}"')
    if len(matches) > 1:
        return Ambiguous(tuple(matches))
    return matches[0]
