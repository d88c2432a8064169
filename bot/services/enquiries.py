"""Enquiries (complaints, questions, requests): log, acknowledge, resolve, reassign, run late.

Each enquiry has two windows from receipt, both running at once: "enquiry_ack" (acknowledge)
and "enquiry_resolve" (resolve), from `[sla.enquiry]` with its per-channel overrides.
The owner's DM, the managers' notices and the owner's reminders go through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.config import DEFAULT_SITE, ENQUIRY_CHANNELS, Policy
from bot.contacts import scrub_contacts
from bot.notices import (
    EnquiryDm,
    EnquiryFacts,
    EnquiryLateManagers,
    EnquiryLateOwner,
    enqueue_notice,
)
from bot.roles import Refusal, Roles
from bot.services import windows
from bot.services.cover import cover_for
from bot.services.item_actions import rewrite_posts
from bot.services.windows import WindowClosed
from storage import audit, enquiries
from storage import item_posts as outbox_posts
from storage.models import AuditEvent, Enquiry, Item

KINDS = ("complaint", "question", "request")
CHANNEL_LABELS = {channel: channel.replace("_", " ") for channel in ENQUIRY_CHANNELS}
STAGES = {"enquiry_ack": "acknowledge", "enquiry_resolve": "resolve"}


class EnquiryError(ValueError):
    """Something about the request the user can put right (a past date, a closed enquiry)."""


@dataclass(frozen=True)
class EnquiryView:
    """An enquiry and its two windows, as the DM and the replies show it."""

    enquiry: Enquiry
    ack: Item
    resolve: Item

    @property
    def facts(self) -> EnquiryFacts:
        """The enquiry and its windows as its notices carry them."""
        return enquiry_facts(self.enquiry, self.ack, self.resolve)

    @property
    def params(self) -> dict[str, Any]:
        """What the DM template needs (JSON-ready), for the listeners' replies."""
        return self.facts.params()


def enquiry_facts(enquiry: Enquiry, ack: Item, resolve: Item) -> EnquiryFacts:
    """The fields of an enquiry and its windows, for notices and replies."""
    assert enquiry.id is not None
    return EnquiryFacts(
        enquiry_id=enquiry.id,
        kind=enquiry.kind,
        channel=CHANNEL_LABELS.get(enquiry.channel, enquiry.channel),
        from_name=enquiry.from_name,
        summary=enquiry.summary,
        logged_by=enquiry.logged_by,
        owner_id=resolve.owner_id,
        owner_channel=resolve.owner_channel,
        ack_due=ack.due_at,
        ack_window=ack.window,
        ack_state=ack.state,
        ack_outcome=ack.outcome,
        resolve_due=resolve.due_at,
        resolve_window=resolve.window,
        resolve_state=resolve.state,
        resolve_outcome=resolve.outcome,
        revised_reason=resolve.revised_reason,
    )


def normalise_channel(channel: str) -> str:
    """ "in person" → "in_person"; raise EnquiryError for an unknown channel."""
    key = channel.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in ENQUIRY_CHANNELS:
        raise EnquiryError(f'"{channel}" is not a channel I know')
    return key


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
    site: str = DEFAULT_SITE,
) -> EnquiryView:
    """Record an enquiry, open both windows from receipt, and DM whoever has it."""
    if kind not in KINDS:
        raise EnquiryError(f'"{kind}" is not a kind of enquiry I know')
    channel = normalise_channel(channel)
    ack_spec, resolve_spec = policy.sla.enquiry_windows(channel)
    cover = cover_for(
        session, intended_id=owner_id or logged_by, now=now, desk_channel=desk_channel
    )
    enquiry = enquiries.add(
        session,
        Enquiry(
            kind=kind,
            channel=channel,
            from_name=from_name,
            summary=summary,
            logged_by=logged_by,
            received_at=now,
        ),
    )
    calendar = policy.calendar(site)
    opened = {
        kind_: windows.open_window(
            session,
            kind=kind_,
            site=site,
            now=now,
            calendar=calendar,
            spec=spec,
            owner=cover.owner,
            actor_id=logged_by,
            intended_id=cover.intended_id,
            enquiry_id=enquiry.id,
        )
        for kind_, spec in (("enquiry_ack", ack_spec), ("enquiry_resolve", resolve_spec))
    }
    view = EnquiryView(enquiry, opened["enquiry_ack"], opened["enquiry_resolve"])
    _send_dm(session, view, key=f"enquiry:{enquiry.id}:dm", now=now)
    return view


def get_view(session: Session, enquiry_id: int) -> EnquiryView:
    """The enquiry and its windows (EnquiryError if it is gone)."""
    enquiry = enquiries.get(session, enquiry_id)
    found = enquiries.windows(session, enquiry_id)
    if enquiry is None or set(found) != set(STAGES):
        raise EnquiryError("That enquiry is no longer on record.")
    return EnquiryView(enquiry, found["enquiry_ack"], found["enquiry_resolve"])


def may_act(roles: Roles, user_id: str, item: Item) -> None:
    """Refuse unless `user_id` owns the item, or the desk does and they are reception, or
    they are a manager."""
    if roles.is_manager(user_id) or item.owner_id == user_id:
        return
    if item.owner_channel is not None:
        if roles.is_desk(user_id):
            return
        raise Refusal("Only reception and managers may act on enquiries the desk has.")
    raise Refusal(f"Only <@{item.owner_id}>, who has this enquiry, and managers may act on it.")


def acknowledge(
    session: Session, *, now: datetime, enquiry_id: int, by: str, roles: Roles
) -> EnquiryView:
    """Close the acknowledge window (the customer has been told who has it and when)."""
    view = get_view(session, enquiry_id)
    may_act(roles, by, view.ack)
    try:
        windows.close(session, item=view.ack, now=now, by=by, outcome="acknowledged")
    except WindowClosed as closed:
        raise EnquiryError(f"It is {closed}.") from None
    return view


def resolve(
    session: Session, *, now: datetime, enquiry_id: int, by: str, roles: Roles
) -> EnquiryView:
    """Close both windows: the enquiry is resolved."""
    view = get_view(session, enquiry_id)
    may_act(roles, by, view.resolve)
    if view.resolve.state == "done":
        raise EnquiryError(f"It is {WindowClosed(view.resolve.outcome)}.")
    for item in (view.ack, view.resolve):
        if item.state != "done":
            windows.close(session, item=item, now=now, by=by, outcome="resolved")
    return view


def reassign(
    session: Session,
    *,
    now: datetime,
    enquiry_id: int,
    to_user_id: str,
    by: str,
    roles: Roles,
    desk_channel: str | None = None,
) -> EnquiryView:
    """Give the enquiry's open windows to someone else, or to whoever covers while they are
    away; the customer's clocks run on."""
    view = get_view(session, enquiry_id)
    if by != view.resolve.owner_id and not roles.is_manager(by):
        may_act(roles, by, view.resolve)  # the desk may pass on what the desk has
    if view.resolve.state == "done":
        raise EnquiryError(f"It is {WindowClosed(view.resolve.outcome)}.")
    if to_user_id == view.resolve.owner_id:
        raise EnquiryError(f"<@{to_user_id}> has it already.")
    cover = cover_for(
        session,
        intended_id=to_user_id,
        now=now,
        desk_channel=desk_channel or view.resolve.owner_channel or "",
    )
    owner = cover.owner
    if not (owner.user_id or owner.channel):
        raise EnquiryError(
            f"<@{to_user_id}> is out of office with nobody covering: pass it to someone who is in."
        )
    if owner.user_id is not None and owner.user_id == view.resolve.owner_id:
        raise EnquiryError(f"<@{owner.user_id}> has it already (covering for <@{to_user_id}>).")
    for item in (view.ack, view.resolve):
        if item.state != "done":
            windows.reassign(session, item=item, owner=owner, now=now, by=by)
            item.intended_id = to_user_id
            session.add(item)
    # The enquiry's posts in a channel (the desk's copy) keep no live buttons once it has
    # moved on (the one the button was pressed on is rewritten by the listener as well).
    rewrite_posts(
        session,
        item=view.resolve,
        found=outbox_posts.sent_channel_posts(
            session, key_prefix=f"enquiry:{enquiry_id}:dm", templates=("enquiry_dm",)
        ),
        now=now,
        by=by,
        taken=False,
    )
    # Done windows keep their owner, so read the new one off the resolve window.
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
) -> EnquiryView:
    """Move the resolve deadline to the close of `new_day`; tell the managers, and remind the
    owner to tell the customer (policy 003: the customer is told when a deadline slips)."""
    view = get_view(session, enquiry_id)
    item = view.resolve
    may_act(roles, by, item)
    if item.state == "done":
        raise EnquiryError(f"It is {WindowClosed(item.outcome)}.")
    reason = " ".join(reason.split())
    if not reason:
        raise EnquiryError("Say why it is late: the managers see the reason.")
    calendar = policy.calendar()
    due = calendar.closing_of(new_day)
    if due is None:
        raise EnquiryError(f"{new_day:%a %d %b %Y} is not a working day: pick another.")
    if due <= now or due <= item.due_at:
        raise EnquiryError("The new date must be later than the current deadline.")
    old_due = item.due_at
    _, resolve_spec = policy.sla.enquiry_windows(view.enquiry.channel)
    try:
        windows.revise(
            session,
            item=item,
            due=due,
            now=now,
            calendar=calendar,
            spec=resolve_spec,
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
    facts = replace(view.facts, summary=_channel_safe(view.enquiry.summary))
    version = item.deadline_version
    enqueue_notice(
        session,
        EnquiryLateManagers(enquiry=facts, old_due=old_due, by=by, reason=scrub_contacts(reason)),
        key=f"enquiry:{enquiry_id}:late:v{version}",
        target=managers_channel,
        now=now,
        item_id=item.id,
    )
    enqueue_notice(
        session,
        EnquiryLateOwner(enquiry=facts, old_due=old_due, by=by, reason=reason),
        key=f"enquiry:{enquiry_id}:late_tell:v{version}",
        target=item.owner_id or item.owner_channel or by,
        now=now,
        item_id=item.id,
    )
    return view


def history(
    session: Session, *, enquiry_id: int, by: str, roles: Roles
) -> tuple[EnquiryView, list[AuditEvent]]:
    """Who created, reassigned, acknowledged, resolved or revised the enquiry, oldest first."""
    view = get_view(session, enquiry_id)
    if by != view.enquiry.logged_by:
        may_act(roles, by, view.resolve)
    events = audit.for_item(session, view.ack.id or 0) + audit.for_item(
        session, view.resolve.id or 0
    )
    events.sort(key=lambda e: (e.at, e.id or 0))
    return view, events


def describe_item(session: Session, item: Item) -> dict[str, Any]:
    """Display fields of an enquiry window for the sweep's reminders and alerts.

    No contact details: the summary is scrubbed of numbers and e-mail addresses, as these
    fields are shown in channel posts.
    """
    enquiry = enquiries.get(session, item.enquiry_id) if item.enquiry_id else None
    if enquiry is None:
        return {"kind": item.kind, "from_name": "", "summary": "", "title": item.kind}
    stage = STAGES.get(item.kind, item.kind)
    via = CHANNEL_LABELS.get(enquiry.channel, enquiry.channel)
    return {
        "enquiry_id": enquiry.id,
        "kind": enquiry.kind,
        "channel": via,
        "stage": stage,
        "from_name": enquiry.from_name,
        "summary": _channel_safe(enquiry.summary),
        "title": f"{enquiry.kind.capitalize()} from {enquiry.from_name} ({stage})",
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
) -> None:
    owner = view.resolve
    target = owner.owner_id or owner.owner_channel
    assert target is not None
    facts = view.facts
    if owner.owner_channel is not None:
        # A channel sees the enquiry, never contact details someone typed into the summary.
        facts = replace(facts, summary=_channel_safe(view.enquiry.summary, 3000))
    notice = EnquiryDm(
        enquiry=facts,
        reassigned_by=reassigned_by,
        covering_for=covering_for,
        away_until=away_until,
    )
    enqueue_notice(session, notice, key=key, target=target, now=now)
