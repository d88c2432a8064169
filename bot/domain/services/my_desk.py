"""The App Home "My desk": what one person needs to see, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.services.board import Status, status_of
from bot.domain.services.windows import full_answer_promised
from storage import handled, items, visits
from storage.touched import AT_ONCE, refresh_home


@dataclass(frozen=True)
class ItemLine:
    """One open item as the Home tab lists it."""

    item_id: int
    kind: str
    subject: str
    topic: str
    due_at: datetime
    state: str  # open | breached
    visit_id: int | None
    message_id: int | None
    enquiry_id: int | None
    promised: bool = False  # a full answer promised at an interim call back (phone messages)


@dataclass(frozen=True)
class ExpectedLine:
    """A visitor expected today for the person."""

    visit_id: int
    name: str
    organisation: str | None
    expected_at: datetime


@dataclass(frozen=True)
class MyDesk:
    """Everything the Home tab shows."""

    user_id: str
    status: Status
    items: list[ItemLine]
    more_items: int
    expected: list[ExpectedLine]
    counts_by_owner: dict[str, tuple[int, int]] | None = field(default=None)  # managers only


def my_desk(
    session: Session,
    *,
    user_id: str,
    now: datetime,
    tz: ZoneInfo,
    is_manager: bool,
    limit: int,
) -> MyDesk:
    """Gather `user_id`'s status, open items (soonest due first), today's visitors, and counts."""
    # Read only what the view shows, plus a count: a busy desk may have thousands open.
    shown = items.open_for(session, owner_id=user_id, limit=limit)
    open_count = (
        items.count_open_for(session, owner_id=user_id) if len(shown) == limit else len(shown)
    )
    names, about = handled.subjects_and_topics(session, shown)
    lines = [
        ItemLine(
            item_id=item.id or 0,
            kind=item.kind,
            subject=names.get(item.id or 0, ""),
            topic=about.get(item.id or 0, ""),
            due_at=item.due_at,
            state=item.state,
            visit_id=item.visit_id,
            message_id=item.message_id,
            enquiry_id=item.enquiry_id,
            promised=full_answer_promised(item),
        )
        for item in shown
    ]
    local_today = now.astimezone(tz).date()
    start = datetime.combine(local_today, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=1)
    expected = [
        ExpectedLine(v.id or 0, v.name, v.organisation, v.expected_at)
        for v in visits.expected(session, host_id=user_id)
        if v.expected_at is not None and start <= v.expected_at < end
    ]
    return MyDesk(
        user_id=user_id,
        status=status_of(session, user_id, now=now),
        items=lines,
        more_items=open_count - len(shown),
        expected=expected,
        counts_by_owner=items.open_counts_by_owner(session) if is_manager else None,
    )


def refresh_now(session: Session, user_ids: list[str]) -> None:
    """Have these people's Home tabs published as soon as a worker can (a `home` task)."""
    refresh_home(session, user_ids, now=AT_ONCE)
