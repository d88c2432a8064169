"""Phone messages: take one for someone, open its window, and act on it.

The owner (the recipient, or whoever covers for them) gets a DM with the caller's number;
channel posts never carry phone numbers or e-mail addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import phonenumbers
from sqlmodel import Session

from bot.domain.calendar import split_holiday_region
from bot.domain.config import DEFAULT_SITE, Policy
from bot.domain.notices import MessageDm, enqueue_notices_at_commit
from bot.domain.roles import Roles
from bot.domain.services import windows
from bot.domain.services.cover import Cover, cover_for
from bot.domain.services.item_access import require_may_act
from bot.domain.services.routing import Places, Routed, item_team, route
from bot.domain.services.windows import full_answer_promised
from bot.domain.teams import Thing
from storage import audit, items
from storage import messages as stored
from storage.models import Item, PhoneMessage

DEFAULT_REGION = "US"


class ItemNotFound(LookupError):
    """No such item (or it is not a phone message)."""


@dataclass(frozen=True)
class Phone:
    """A number as typed, and as `phonenumbers` reads it (`valid` False: kept as typed)."""

    typed: str
    e164: str | None
    display: str
    valid: bool


@dataclass(frozen=True)
class NewMessage:
    """What the receptionist wrote down."""

    recipient_id: str | None  # None: the routing rules say who has it (else the desk)
    caller: str
    organisation: str | None = None
    phone: str | None = None
    email: str | None = None
    subject: str | None = None
    body: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class TakenMessage:
    message: PhoneMessage
    item: Item
    cover: Cover
    phone: Phone | None
    routed: Routed | None = None  # taken with no recipient: where the rules sent it, and why


@dataclass(frozen=True)
class Contact:
    """How to reach the caller (for the owner, or whoever clicks "Show number")."""

    caller: str
    phone: str | None
    phone_valid: bool
    email: str | None


def phone_region(holidays: str) -> str:
    """The site's phone region: the country of its holiday region ("CA-ON" → "CA")."""
    if not holidays.strip():
        return DEFAULT_REGION
    country, _ = split_holiday_region(holidays.strip())
    return country.upper() if len(country) == 2 else DEFAULT_REGION


def parse_phone(typed: str, region: str) -> Phone:
    """Read a number; national format at home, international otherwise, as typed if unreadable."""
    typed = " ".join(typed.split())
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return Phone(typed, None, typed, False)
    if not phonenumbers.is_valid_number(number):
        return Phone(typed, None, typed, False)
    home = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(typed, e164, phonenumbers.format_number(number, style), True)


def take_message(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    taken_by: str,
    new: NewMessage,
    desk_channel: str,
    managers_channel: str | None = None,
    site: str = DEFAULT_SITE,
) -> TakenMessage:
    """Log the call, open its window for whoever covers the recipient (with no recipient: where
    the routing rules say, else the desk), and DM them."""
    region = phone_region(policy.site_config(site).holidays)
    phone = parse_phone(new.phone, region) if new.phone else None
    message = stored.insert(
        session,
        recipient_id=new.recipient_id,
        caller=new.caller,
        organisation=new.organisation,
        phone=phone.display if phone else None,
        phone_e164=phone.e164 if phone else None,
        phone_valid=phone.valid if phone else True,
        email=new.email,
        subject=new.subject,
        body=new.body,
        urgent=new.urgent,
        taken_by=taken_by,
        taken_at=now,
    )
    teams = policy.team_book()
    routed: Routed | None = None
    if new.recipient_id is None:
        about = " ".join(part for part in (new.subject, new.body) if part)
        routed = route(
            session,
            thing=Thing("message", "phone", about, teams.team_of(taken_by)),
            now=now,
            teams=teams,
            places=Places(desk_channel, managers_channel or desk_channel),
        )
        cover = routed.cover or Cover(owner=routed.owner, intended_id=routed.person_id or "")
    else:
        cover = cover_for(
            session,
            intended_id=new.recipient_id,
            now=now,
            desk_channel=desk_channel,
            teams=teams,
        )
    intended_id = new.recipient_id or (routed.person_id if routed else None)
    item = windows.open_window(
        session,
        kind="phone_message",
        site=site,
        now=now,
        calendar=policy.calendar(site),
        spec=policy.sla.phone_message_window(new.urgent),
        owner=cover.owner,
        actor_id=taken_by,
        intended_id=intended_id,
        message_id=message.id,
        team=item_team(
            teams,
            intended_id=intended_id,
            owner=cover.owner,
            routed_team=routed.team if routed else None,
        ),
    )
    enqueue_owner_dm(session, item=item, message=message, now=now, key=f"item:{item.id}:dm")
    return TakenMessage(message=message, item=item, cover=cover, phone=phone, routed=routed)


def enqueue_owner_dm(
    session: Session,
    *,
    item: Item,
    message: PhoneMessage,
    now: datetime,
    key: str,
    intended_away: bool = True,
) -> None:
    """Give the owner the message: by DM with the number, or to the desk channel without it.

    `intended_away`: whether the person it was meant for is away (the post then says so).
    """
    target = item.owner_id or item.owner_channel or ""
    notice = replace(
        message_notice(message, item, with_contact=item.owner_id is not None),
        intended_away=intended_away,
    )
    # With the COMMIT: no round trip of its own (the outbox's readers send it first).
    enqueue_notices_at_commit(session, [(notice, key, target)], now=now, item_id=item.id)


def message_notice(message: PhoneMessage, item: Item, *, with_contact: bool) -> MessageDm:
    """What the owner's post shows; the number and e-mail only when it goes to a person."""
    assert item.id is not None and message.id is not None
    return MessageDm(
        item_id=item.id,
        message_id=message.id,
        caller=message.caller,
        organisation=message.organisation,
        subject=message.subject,
        body=message.body,
        urgent=message.urgent,
        due_at=item.due_at,
        taken_by=message.taken_by,
        taken_at=message.taken_at,
        intended_id=item.intended_id,
        owner_id=item.owner_id,
        desk_owned=item.owner_id is None,
        has_contact=bool(message.phone or message.email),
        phone=message.phone if with_contact else None,
        phone_valid=message.phone_valid if with_contact else True,
        email=message.email if with_contact else None,
        promised=full_answer_promised(item),
    )


def message_item(session: Session, item_id: int) -> tuple[Item, PhoneMessage]:
    """The window and the message it is for."""
    item = items.get(session, item_id)
    message = stored.get(session, item.message_id) if item and item.message_id else None
    if item is None or message is None:
        raise ItemNotFound("that message is no longer on record")
    return item, message


def called_back(
    session: Session, *, now: datetime, item_id: int, by: str, roles: Roles
) -> tuple[Item, PhoneMessage]:
    """The caller has been called back: the window closes, no alert follows."""
    item, message = message_item(session, item_id)
    require_may_act(roles, item, by, "mark this message called back")
    windows.close(session, item=item, now=now, by=by, outcome="called_back")
    return item, message


def tried(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    item_id: int,
    by: str,
    roles: Roles,
) -> tuple[Item, PhoneMessage]:
    """ "Tried — no answer": the window stays open and a reminder comes at the next opening
    of the site that received the message."""
    item, message = message_item(session, item_id)
    require_may_act(roles, item, by, "record a call-back attempt")
    calendar = policy.calendar(item.site)
    windows.record_attempt(session, item=item, now=now, calendar=calendar, by=by)
    return item, message


def contact_details(
    session: Session, *, now: datetime, item_id: int, by: str, roles: Roles
) -> Contact:
    """The caller's number and e-mail, for someone who may act on the message."""
    item, message = message_item(session, item_id)
    require_may_act(roles, item, by, "see the caller's number")
    audit.record(session, item_id=item.id, actor_id=by, action="showed_number", at=now)
    return Contact(message.caller, message.phone, message.phone_valid, message.email)
