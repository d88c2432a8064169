"""A phone message's interim call back (DESIGN "Enquiries: the customer's side"): the owner
called the caller back before having the full answer and told them when to expect it.

What was said and how are recorded as for an enquiry (a CustomerReply with the message's id,
stage "interim"), pre-filled from `[templates] interim` (or `[templates.kind.message]`). The
message's window moves to the close of the promised day, with its own reminders, like an
enquiry's "Running late…": the call back was made, but the owner still owes the full answer by
then, and is reminded and alerted about that promise instead of the first deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.config import Policy
from bot.domain.roles import Roles
from bot.domain.services import windows
from bot.domain.services.customer_texts import CustomerFacts, customer_text, owner_name
from bot.domain.services.item_access import require_may_act
from bot.domain.services.messages import message_item
from storage import audit
from storage import messages as stored
from storage.models import AuditEvent, CustomerReply, Item, PhoneMessage

STAGE = "interim"
KIND = "message"  # the kind `[templates.kind.message]` and routing rules name phone messages by


class InterimError(ValueError):
    """Something the owner can put right (a past day, a closed day, the same promise again)."""


@dataclass(frozen=True)
class Interim:
    """What the caller was told: the day to expect a full answer by, how, and what was said."""

    expect_by: date
    medium: str | None = None
    said: str | None = None


def interim_text(
    session: Session, policy: Policy, item: Item, message: PhoneMessage, expect_by: date | None
) -> str:
    """The `interim` template filled for this caller; with no day chosen yet, the message's
    current deadline stands in for `{revised_by}` (the form's text is filled again with the
    day chosen when it is recorded unchanged)."""
    facts = CustomerFacts(
        customer=message.caller,
        kind=KIND,
        ref="",
        owner=owner_name(session, item.owner_id),
        acknowledge_by=item.due_at,
        resolve_by=None,
        revised_by=expect_by or item.due_at,
    )
    return customer_text(policy.templates, STAGE, facts, policy.calendar(item.site).tz)


def prefilled(session: Session, policy: Policy, item_id: int, by: str, roles: Roles) -> str:
    """The form's text, after checking `by` may act on the message and it is still open."""
    item, message = _open_message(session, item_id, by, roles)
    return interim_text(session, policy, item, message, None)


def _open_message(
    session: Session, item_id: int, by: str, roles: Roles
) -> tuple[Item, PhoneMessage]:
    """The message, if `by` may record an interim call back on it and it is still open."""
    item, message = message_item(session, item_id)
    require_may_act(roles, item, by, "record an interim call back")
    if item.state == "done":
        raise windows.WindowClosed(item.outcome)
    return item, message


def record(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    item_id: int,
    by: str,
    roles: Roles,
    interim: Interim,
) -> tuple[Item, PhoneMessage]:
    """Record the interim call back and move the message's deadline to the close of the
    promised day. The same promise recorded again (a double submission, a second press)
    changes nothing: InterimError says it is noted already."""
    item, message = _open_message(session, item_id, by, roles)
    calendar = policy.calendar(item.site)
    if interim.expect_by < now.astimezone(calendar.tz).date():
        raise InterimError("That day has passed: pick the day they were told, from today on.")
    try:
        due = windows.day_close(calendar, interim.expect_by)
    except windows.NotAWorkingDay as error:
        raise InterimError(str(error)) from None
    if due <= now:
        raise InterimError("The desk has closed for that day: pick a later one.")
    assert message.id is not None
    earlier = stored.replies(session, message.id)
    if earlier and earlier[-1].expect_by == interim.expect_by and item.due_at == due:
        raise InterimError(
            f"Already noted: they were told to expect a full answer by "
            f"{interim.expect_by:%a %d %b %Y}."
        )
    said = (interim.said or "").strip()
    if not said or said == interim_text(session, policy, item, message, None).strip():
        said = interim_text(session, policy, item, message, interim.expect_by)
    windows.revise(
        session,
        item=item,
        due=due,
        now=now,
        calendar=calendar,
        spec=policy.sla.phone_message_window(message.urgent),
        by=by,
        reason=windows.INTERIM_REASON,
    )
    stored.add_reply(
        session,
        CustomerReply(
            message_id=message.id,
            stage=STAGE,
            told=True,
            medium=interim.medium or None,
            said=said,
            expect_by=interim.expect_by,
            by=by,
            at=now,
        ),
    )
    return item, message


def history(
    session: Session, *, item_id: int, by: str, roles: Roles
) -> tuple[Item, PhoneMessage, list[AuditEvent], list[CustomerReply]]:
    """What happened to the message, oldest first, and what the caller was told."""
    item, message = message_item(session, item_id)
    require_may_act(roles, item, by, "see this message's history")
    assert item.id is not None and message.id is not None
    return item, message, audit.for_item(session, item.id), stored.replies(session, message.id)
