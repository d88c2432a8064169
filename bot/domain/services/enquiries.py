"""Enquiries (complaints, questions, requests, compliments…): log, acknowledge, resolve,
reassign, run late.

Each enquiry has a reference (`E-0042`) and up to two windows from receipt, both running at
once: "enquiry_ack" (acknowledge) and "enquiry_resolve" (resolve), from `[sla.enquiry]` with
its per-kind and per-channel overrides; a stage set to "none" is not opened (a one-stage
enquiry: one reminder, one alert). Kinds and channels are the policy's (`[enquiry]`). What the
customer was told, how, and the outcome are recorded (CustomerReply). The owner's DM, the
managers' notices and the owner's reminders go through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.domain.config import DEFAULT_SITE, EnquiryConfig, Policy, WindowSpec, window_spec
from bot.domain.contacts import scrub_contacts
from bot.domain.durations import parse_duration
from bot.domain.notices import (
    EnquiryDm,
    EnquiryFacts,
    EnquiryLateManagers,
    EnquiryLateOwner,
    enqueue_notice,
)
from bot.domain.roles import Refusal, Roles
from bot.domain.services import windows
from bot.domain.services.cover import cover_for
from bot.domain.services.customer_texts import CustomerFacts, customer_text, owner_name
from bot.domain.services.item_actions import rewrite_posts
from bot.domain.services.routing import Places, Routed, item_team, route
from bot.domain.services.windows import WindowClosed
from bot.domain.teams import NO_TEAMS, TeamBook, Thing
from storage import audit, enquiries
from storage import item_posts as outbox_posts
from storage.models import AuditEvent, CustomerReply, Enquiry, Item

STAGES = {"enquiry_ack": "acknowledge", "enquiry_resolve": "resolve"}


class EnquiryError(ValueError):
    """Something about the request the user can put right (a past date, a closed enquiry)."""


@dataclass(frozen=True)
class EnquiryView:
    """An enquiry and its windows, as the DM and the replies show it (a one-stage enquiry has
    no `ack` or no `resolve`)."""

    enquiry: Enquiry
    ack: Item | None
    resolve: Item | None
    routed: Routed | None = None  # logged with no `for @owner`: where the rules sent it

    @property
    def last(self) -> Item:
        """The stage that ends the enquiry: resolve, or acknowledge when it is the only one."""
        item = self.resolve or self.ack
        assert item is not None
        return item

    @property
    def stages(self) -> list[Item]:
        """Its windows, acknowledge first."""
        return [item for item in (self.ack, self.resolve) if item is not None]

    @property
    def ref(self) -> str:
        """The reference to quote (`E-0042`)."""
        return self.enquiry.ref or f"E-{self.enquiry.id or 0:04d}"

    @property
    def facts(self) -> EnquiryFacts:
        """The enquiry and its windows as its notices carry them."""
        return enquiry_facts(self.enquiry, self.ack, self.resolve)

    @property
    def params(self) -> dict[str, Any]:
        """What the DM template needs (JSON-ready), for the listeners' replies."""
        return self.facts.params()


def label(word: str) -> str:
    """A kind or channel as people write it: "in_person" → "in person"."""
    return word.replace("_", " ")


def enquiry_facts(enquiry: Enquiry, ack: Item | None, resolve: Item | None) -> EnquiryFacts:
    """The fields of an enquiry and its windows, for notices and replies."""
    assert enquiry.id is not None
    last = resolve or ack
    assert last is not None
    return EnquiryFacts(
        enquiry_id=enquiry.id,
        ref=enquiry.ref,
        kind=enquiry.kind,
        channel=label(enquiry.channel),
        from_name=enquiry.from_name,
        summary=enquiry.summary,
        contact=enquiry.contact,
        has_contact=bool(enquiry.contact),
        prefers=label(enquiry.prefers) if enquiry.prefers else None,
        logged_by=enquiry.logged_by,
        owner_id=last.owner_id,
        owner_channel=last.owner_channel,
        ack_due=ack.due_at if ack else None,
        ack_window=ack.window if ack else None,
        ack_state=ack.state if ack else None,
        ack_outcome=ack.outcome if ack else None,
        resolve_due=resolve.due_at if resolve else None,
        resolve_window=resolve.window if resolve else None,
        resolve_state=resolve.state if resolve else None,
        resolve_outcome=resolve.outcome if resolve else None,
        revised_reason=last.revised_reason,
        needs=enquiry.needs,
    )


def listed(words: tuple[str, ...]) -> str:
    shown = [label(w) for w in words]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]


def kind_of(config: EnquiryConfig, word: str) -> str:
    """The policy's kind for `word`, or EnquiryError naming it and listing the kinds."""
    kind = config.kind_of(word)
    if kind is None:
        raise EnquiryError(f'"{word}" is not a kind of enquiry here: use {listed(config.kinds)}')
    return kind


def channel_of(config: EnquiryConfig, word: str, what: str = "a channel") -> str:
    """The policy's channel for `word` ("in person" → "in_person"), or EnquiryError naming
    it and listing the channels."""
    channel = config.channel_of(word)
    if channel is None:
        raise EnquiryError(f'"{word}" is not {what} here: use {listed(config.channels)}')
    return channel


def log_enquiry(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    kind: str,
    channel: str,
    from_name: str,
    summary: str,
    logged_by: str,
    owner_id: str | None,
    desk_channel: str,
    needs: str | None = None,
    contact: str | None = None,
    prefers: str | None = None,
    expect_by: date | None = None,
    managers_channel: str | None = None,
    site: str = DEFAULT_SITE,
) -> EnquiryView:
    """Record an enquiry, open its windows from receipt, and DM whoever has it; `expect_by`:
    when the customer was told to expect a full answer (an interim call back), recorded."""
    kind = kind_of(policy.enquiry, kind)
    channel = channel_of(policy.enquiry, channel)
    if prefers:
        prefers = channel_of(policy.enquiry, prefers, "a medium")
    ack_spec, resolve_spec = policy.sla.enquiry_windows(channel, kind)
    teams = policy.team_book()
    routed: Routed | None = None
    if owner_id is None:
        # No `for @owner`: the routing rules decide, else whoever logged it (DESIGN "Commands").
        routed = route(
            session,
            thing=Thing(kind, channel, summary, teams.team_of(logged_by)),
            now=now,
            teams=teams,
            places=Places(desk_channel, managers_channel or desk_channel),
            default_person=logged_by,
        )
        owner, intended_id = routed.owner, routed.person_id
    else:
        cover = cover_for(
            session, intended_id=owner_id, now=now, desk_channel=desk_channel, teams=teams
        )
        owner, intended_id = cover.owner, cover.intended_id
    team = item_team(
        teams,
        intended_id=intended_id,
        owner=owner,
        routed_team=routed.team if routed else None,
    )
    enquiry = enquiries.add(
        session,
        Enquiry(
            kind=kind,
            channel=channel,
            from_name=from_name,
            summary=summary,
            contact=contact or None,
            prefers=prefers or None,
            logged_by=logged_by,
            received_at=now,
            needs=needs,
        ),
    )
    enquiries.give_ref(session, enquiry)
    calendar = policy.calendar(site)
    opened = {
        kind_: windows.open_window(
            session,
            kind=kind_,
            site=site,
            now=now,
            calendar=calendar,
            spec=spec,
            owner=owner,
            actor_id=logged_by,
            intended_id=intended_id,
            enquiry_id=enquiry.id,
            team=team,
        )
        for kind_, spec in (("enquiry_ack", ack_spec), ("enquiry_resolve", resolve_spec))
        if spec is not None
    }
    view = EnquiryView(enquiry, opened.get("enquiry_ack"), opened.get("enquiry_resolve"), routed)
    if expect_by is not None:
        if expect_by < now.astimezone(calendar.tz).date():
            raise EnquiryError("The date they may expect a full answer by has passed")
        told = Told(medium=channel, expect_by=expect_by)
        _record_told(session, view, "interim", told, by=logged_by, now=now, policy=policy)
    _send_dm(session, view, key=f"enquiry:{enquiry.id}:dm", now=now, expect_by=expect_by)
    return view


def get_view(session: Session, enquiry_id: int) -> EnquiryView:
    """The enquiry and its windows (EnquiryError if it is gone)."""
    enquiry = enquiries.get(session, enquiry_id)
    found = enquiries.windows(session, enquiry_id)
    if enquiry is None or not found:
        raise EnquiryError("That enquiry is no longer on record.")
    return EnquiryView(enquiry, found.get("enquiry_ack"), found.get("enquiry_resolve"))


def may_act(roles: Roles, user_id: str, item: Item) -> None:
    """Refuse unless `user_id` owns the item, or the desk does and they are reception, or
    they are a manager."""
    if roles.is_manager(user_id) or item.owner_id == user_id:
        return
    if item.owner_channel is not None:
        if roles.owns_for_managers(item.owner_channel):
            raise Refusal("Only managers may act on enquiries the managers have.")
        if roles.is_desk(user_id):
            return
        raise Refusal("Only reception and managers may act on enquiries the desk has.")
    raise Refusal(f"Only <@{item.owner_id}>, who has this enquiry, and managers may act on it.")


def check_stage(view: EnquiryView, stage: str) -> Item:
    """The window "Acknowledged" ("acknowledge") or "Resolved" ("resolve") closes, or
    EnquiryError if it is done or the enquiry has no such stage."""
    if stage == "acknowledge":
        if view.ack is None:
            raise EnquiryError(f"{view.ref} has one stage: press Resolved when it is done.")
        if view.last.state == "done":
            raise EnquiryError(f"It is {WindowClosed(view.last.outcome)}.")
        if view.ack.state == "done":
            raise EnquiryError(f"It is {WindowClosed(view.ack.outcome)}.")
        return view.ack
    if view.resolve is None:
        raise EnquiryError(f"{view.ref} has one stage: Acknowledged closes it.")
    if view.resolve.state == "done":
        raise EnquiryError(f"It is {WindowClosed(view.resolve.outcome)}.")
    return view.resolve


@dataclass(frozen=True)
class Told:
    """What the customer was told, and how ("Acknowledged", "Resolved" or "Running late…")."""

    medium: str | None = None
    said: str | None = None
    outcome: str | None = None  # at "Resolved": what was decided
    expect_by: date | None = None  # at "Acknowledged": when to expect a full answer
    told: bool = True


def acknowledge(
    session: Session,
    *,
    now: datetime,
    enquiry_id: int,
    by: str,
    roles: Roles,
    told: Told | None = None,
    policy: Policy | None = None,
) -> EnquiryView:
    """Close the acknowledge window (the customer has been told who has it and when); on a
    one-stage enquiry whose only stage it is, that ends it."""
    view = get_view(session, enquiry_id)
    item = check_stage(view, "acknowledge")
    may_act(roles, by, item)
    windows.close(session, item=item, now=now, by=by, outcome="acknowledged")
    _record_told(session, view, "acknowledge", told, by=by, now=now, policy=policy)
    return view


def resolve(
    session: Session,
    *,
    now: datetime,
    enquiry_id: int,
    by: str,
    roles: Roles,
    told: Told | None = None,
    policy: Policy | None = None,
) -> EnquiryView:
    """Close every window: the enquiry is resolved."""
    view = get_view(session, enquiry_id)
    item = check_stage(view, "resolve")
    may_act(roles, by, item)
    for stage in view.stages:
        if stage.state != "done":
            windows.close(session, item=stage, now=now, by=by, outcome="resolved")
    _record_told(session, view, "resolve", told, by=by, now=now, policy=policy)
    return view


def _record_told(
    session: Session,
    view: EnquiryView,
    stage: str,
    told: Told | None,
    *,
    by: str,
    now: datetime,
    policy: Policy | None,
) -> None:
    if told is None:
        return
    medium = told.medium
    if medium and policy is not None:
        medium = channel_of(policy.enquiry, medium, "a medium")
    assert view.enquiry.id is not None
    enquiries.add_reply(
        session,
        CustomerReply(
            enquiry_id=view.enquiry.id,
            stage=stage,
            told=told.told,
            medium=medium or None,
            said=" ".join((told.said or "").split(" ")).strip() or None,
            outcome=(told.outcome or "").strip() or None,
            expect_by=told.expect_by,
            by=by,
            at=now,
        ),
    )


def customer_facts(
    session: Session, view: EnquiryView, *, revised_by: datetime | date | None = None
) -> CustomerFacts:
    """What the `[templates]` may name about this enquiry."""
    last = view.last
    return CustomerFacts(
        customer=view.enquiry.from_name,
        kind=view.enquiry.kind,
        ref=view.ref,
        owner=owner_name(session, last.owner_id),
        acknowledge_by=view.ack.due_at if view.ack else None,
        resolve_by=view.resolve.due_at if view.resolve else None,
        revised_by=revised_by or (last.due_at if last.deadline_version > 1 else None),
    )


def prefilled(session: Session, policy: Policy, view: EnquiryView, stage: str) -> str:
    """The `[templates]` text for `stage`, filled for this enquiry, for the owner to copy."""
    facts = customer_facts(session, view)
    return customer_text(policy.templates, stage, facts, policy.calendar(view.last.site).tz)


def reassign(
    session: Session,
    *,
    now: datetime,
    enquiry_id: int,
    to_user_id: str,
    by: str,
    roles: Roles,
    desk_channel: str | None = None,
    teams: TeamBook = NO_TEAMS,
) -> EnquiryView:
    """Give the enquiry's open windows to someone else, or to whoever covers while they are
    away; the customer's clocks run on."""
    view = get_view(session, enquiry_id)
    last = view.last
    if by != last.owner_id and not roles.is_manager(by):
        may_act(roles, by, last)  # the desk may pass on what the desk has
    if last.state == "done":
        raise EnquiryError(f"It is {WindowClosed(last.outcome)}.")
    if to_user_id == last.owner_id:
        raise EnquiryError(f"<@{to_user_id}> has it already.")
    cover = cover_for(
        session,
        intended_id=to_user_id,
        now=now,
        desk_channel=desk_channel or last.owner_channel or "",
        teams=teams,
    )
    owner = cover.owner
    if not (owner.user_id or owner.channel):
        raise EnquiryError(
            f"<@{to_user_id}> is out of office with nobody covering: pass it to someone who is in."
        )
    if owner.user_id is not None and owner.user_id == last.owner_id:
        raise EnquiryError(f"<@{owner.user_id}> has it already (covering for <@{to_user_id}>).")
    for item in view.stages:
        if item.state != "done":
            windows.reassign(session, item=item, owner=owner, now=now, by=by)
            item.intended_id = to_user_id
            session.add(item)
    # The enquiry's posts in a channel (the desk's copy) keep no live buttons once it has
    # moved on (the one the button was pressed on is rewritten by the listener as well).
    rewrite_posts(
        session,
        item=last,
        found=outbox_posts.sent_channel_posts(
            session, key_prefix=f"enquiry:{enquiry_id}:dm", templates=("enquiry_dm",)
        ),
        now=now,
        by=by,
        taken=False,
    )
    # Done windows keep their owner, so read the new one off the last window.
    _send_dm(
        session,
        view,
        key=f"enquiry:{enquiry_id}:dm:{owner.user_id or owner.channel}:{int(now.timestamp())}",
        now=now,
        reassigned_by=by,
        covering_for=to_user_id if cover.redirected else None,
        away_until=cover.away_until if cover.redirected else None,
    )
    return view


def stage_spec(policy: Policy, enquiry: Enquiry, item: Item) -> WindowSpec:
    """The policy's window for this stage of `enquiry` (the base window if the policy has
    since switched the stage off)."""
    ack, resolve = policy.sla.enquiry_windows(enquiry.channel, enquiry.kind)
    spec = ack if item.kind == "enquiry_ack" else resolve
    return spec or window_spec(parse_duration(item.window or "1 business day"), None, None)


def running_late(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    enquiry_id: int,
    new_day: date,
    reason: str,
    by: str,
    roles: Roles,
    managers_channel: str,
    told: Told | None = None,
) -> EnquiryView:
    """Move the final deadline to the close of `new_day`; tell the managers, and the owner
    the text to give the customer (policy 003: the customer is told when a deadline slips),
    recording whether, and how, the customer has been told already."""
    view = get_view(session, enquiry_id)
    item = view.last
    may_act(roles, by, item)
    if item.state == "done":
        raise EnquiryError(f"It is {WindowClosed(item.outcome)}.")
    reason = " ".join(reason.split())
    if not reason:
        raise EnquiryError("Say why it is late: the managers see the reason.")
    calendar = policy.calendar(item.site)  # the calendar of the site that received it
    try:
        due = windows.day_close(calendar, new_day)
    except windows.NotAWorkingDay as error:
        raise EnquiryError(str(error)) from None
    if due <= now or due <= item.due_at:
        raise EnquiryError("The new date must be later than the current deadline.")
    old_due = item.due_at
    try:
        windows.revise(
            session,
            item=item,
            due=due,
            now=now,
            calendar=calendar,
            spec=stage_spec(policy, view.enquiry, item),
            by=by,
            reason=reason,
        )
    except WindowClosed as closed:
        raise EnquiryError(f"It is {closed}.") from None
    audit.record(
        session,
        item_id=item.id,
        actor_id=by,
        action="late_notice",
        at=now,
        detail=f"new date {new_day.isoformat()}",
    )
    told = told or Told(told=False)
    _record_told(session, view, "late", told, by=by, now=now, policy=policy)
    facts = replace(view.facts, summary=_channel_safe(view.enquiry.summary), contact=None)
    said = customer_text(
        policy.templates,
        "late",
        customer_facts(session, view, revised_by=due),
        calendar.tz,
    )
    version = item.deadline_version
    enqueue_notice(
        session,
        EnquiryLateManagers(
            enquiry=facts, old_due=old_due, new_due=due, by=by, reason=scrub_contacts(reason)
        ),
        key=f"enquiry:{enquiry_id}:late:v{version}",
        target=managers_channel,
        now=now,
        item_id=item.id,
    )
    owner_target = item.owner_id or item.owner_channel or by
    enqueue_notice(
        session,
        EnquiryLateOwner(
            enquiry=facts,
            old_due=old_due,
            new_due=due,
            by=by,
            reason=reason,
            told=told.told,
            told_by=told.medium,
            said=said if item.owner_id else scrub_contacts(said),
        ),
        key=f"enquiry:{enquiry_id}:late_tell:v{version}",
        target=owner_target,
        now=now,
        item_id=item.id,
    )
    return view


def history(
    session: Session, *, enquiry_id: int, by: str, roles: Roles
) -> tuple[EnquiryView, list[AuditEvent], list[CustomerReply]]:
    """Who created, reassigned, acknowledged, resolved or revised the enquiry, and what the
    customer was told, oldest first."""
    view = get_view(session, enquiry_id)
    if by != view.enquiry.logged_by:
        may_act(roles, by, view.last)
    events: list[AuditEvent] = []
    for item in view.stages:
        events += audit.for_item(session, item.id or 0)
    events.sort(key=lambda e: (e.at, e.id or 0))
    return view, events, enquiries.replies(session, enquiry_id)


def contact_of(session: Session, *, enquiry_id: int, by: str, roles: Roles) -> Enquiry:
    """The enquiry, for whoever may act on it to read the customer's contact ("Show contact"
    on the desk's copy)."""
    view = get_view(session, enquiry_id)
    may_act(roles, by, view.last)
    return view.enquiry


def describe_item(session: Session, item: Item) -> dict[str, Any]:
    """Display fields of an enquiry window for the sweep's reminders and alerts.

    No contact details: the summary is scrubbed of numbers and e-mail addresses, as these
    fields are shown in channel posts.
    """
    enquiry = enquiries.get(session, item.enquiry_id) if item.enquiry_id else None
    if enquiry is None:
        return {"kind": item.kind, "from_name": "", "summary": "", "title": item.kind}
    stage = STAGES.get(item.kind, item.kind)
    ref = enquiry.ref or f"E-{enquiry.id or 0:04d}"
    return {
        "enquiry_id": enquiry.id,
        "ref": ref,
        "kind": enquiry.kind,
        "channel": label(enquiry.channel),
        "stage": stage,
        "from_name": enquiry.from_name,
        "summary": _channel_safe(enquiry.summary),
        "title": f"{ref} {label(enquiry.kind).capitalize()} from {enquiry.from_name} ({stage})",
    }


def _channel_safe(text: str, limit: int = 300) -> str:
    text = scrub_contacts(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _send_dm(
    session: Session,
    view: EnquiryView,
    *,
    key: str,
    now: datetime,
    reassigned_by: str | None = None,
    covering_for: str | None = None,
    away_until: datetime | None = None,
    expect_by: date | None = None,
) -> None:
    owner = view.last
    target = owner.owner_id or owner.owner_channel
    assert target is not None
    facts = view.facts
    if owner.owner_channel is not None:
        # A channel sees the enquiry, never the contact, nor contact details someone typed
        # into the summary.
        facts = replace(facts, summary=_channel_safe(view.enquiry.summary, 3000), contact=None)
    notice = EnquiryDm(
        enquiry=facts,
        expect_by=expect_by,
        reassigned_by=reassigned_by,
        covering_for=covering_for,
        away_until=away_until,
    )
    enqueue_notice(session, notice, key=key, target=target, now=now)
