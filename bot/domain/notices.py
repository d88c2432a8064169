"""Typed notices: what each outbox template shows, as a frozen dataclass built by the service.

A service builds a notice (`VisitorArrivedDm(...)`, `ItemOverdue(...)`) and writes it with
`enqueue_notice`, so mypy checks every field it fills against the fields its template reads;
the outbox row keeps the notice as JSON-ready params (`notice.params()`: instants and days as
ISO text, nested parts as objects, sequences as lists). The builders in handlers/blocks/ still
read those params as dicts, so a row written before notices existed still renders;
`from_params` reads one back, tolerating an older row (a missing optional key gets its
default, an unknown key is ignored).

`NOTICES` lists every notice class, one per template of handlers/blocks/templates.py, and a
test holds the two tables to each other (tests/unit/bot/domain/test_notices.py).
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

from sqlmodel import Session

from storage import outbox

if TYPE_CHECKING:
    from bot.domain.services.item_summary import ItemSummary

Params = dict[str, Any]
Block = dict[str, Any]


class NoticeError(ValueError):
    """An outbox row's params cannot be read as its notice (a required field is missing)."""


# A part whose fields sit at the top level of the params, beside the notice's own: the
# params stay as flat as the builders (and rows of the older version) have them.
FLAT: dict[str, bool] = {"flat": True}


def _dump(value: Any) -> Any:
    """`value` as JSON-ready data."""
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        dumped: Params = {}
        for f in dataclasses.fields(value):
            part = _dump(getattr(value, f.name))
            if f.metadata.get("flat"):
                dumped |= part
            else:
                dumped[f.name] = part
        return dumped
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


def _load(hint: Any, value: Any) -> Any:
    """JSON data back as the type `hint` names (None stays None)."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        return _load(kinds[0], value) if len(kinds) == 1 else value
    if hint is datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if hint is date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if origin is tuple:
        element = get_args(hint)[0]
        return tuple(_load(element, v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _read(hint, value)
    return value


def _read(cls: type[Any], params: Params) -> Any:
    """An instance of the dataclass `cls` from its params, as tolerant as `from_params` says."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("flat"):
            values[f.name] = _read(hints[f.name], params)
        elif f.name in params:
            values[f.name] = _load(hints[f.name], params[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            what = getattr(cls, "TEMPLATE", cls.__name__)
            raise NoticeError(f"{what} params lack {f.name!r}")
    return cls(**values)


@dataclass(frozen=True, kw_only=True)
class Notice:
    """One template's parameters; subclasses name their template in `TEMPLATE`."""

    TEMPLATE: ClassVar[str]

    def params(self) -> Params:
        """The JSON-ready params an outbox row carries."""
        dumped: Params = _dump(self)
        return dumped

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """Read a row's params back (missing optional keys get defaults; unknown keys ignored)."""
        loaded: Self = _read(cls, params)
        return loaded


def enqueue_notice(
    session: Session,
    notice: Notice,
    *,
    key: str,
    target: str,
    now: datetime,
    item_id: int | None = None,
    thread_key: str | None = None,
) -> bool:
    """Write `notice` to the outbox unless a row with `key` exists; return whether it was."""
    return outbox.enqueue(
        session,
        key=key,
        template=notice.TEMPLATE,
        target=target,
        params=notice.params(),
        now=now,
        item_id=item_id,
        thread_key=thread_key,
    )


def enqueue_notices_at_commit(
    session: Session,
    told: list[tuple[Notice, str, str]],
    *,
    now: datetime,
    item_id: int | None = None,
) -> None:
    """Write each `(notice, key, target)` (about `item_id`, if any) to the outbox unless a row
    with its key exists, just before this transaction commits (with its other queued writes,
    in one round trip)."""
    rows = [
        {"key": key, "template": notice.TEMPLATE, "target": target, "params": notice.params()}
        | ({"item_id": item_id} if item_id is not None else {})
        for notice, key, target in told
    ]
    outbox.enqueue_at_commit(session, rows, now=now)


# --- visitors (bot/domain/services/visitors.py, closing.py) --------------------------------------


@dataclass(frozen=True, kw_only=True)
class VisitorArrivedDm(Notice):
    """The host's DM (or whoever covers for them): a visitor is at reception."""

    TEMPLATE: ClassVar[str] = "visitor_arrived_dm"
    visit_id: int
    name: str
    host_id: str
    organisation: str | None = None
    note: str | None = None
    needs: str | None = None  # access needs: to a person only, never a channel
    escort: bool = False  # [visitors] escort: "On my way" makes the presser the escort
    pass_number: str | None = None
    arrived_at: datetime | None = None
    expected_at: datetime | None = None
    # Set when someone covers for the host: `owner_id` is the person told, None when it is
    # the desk channel (which sees nothing private).
    covering_for: str | None = None
    away_until: datetime | None = None
    chain: tuple[str, ...] = ()
    owner_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class VisitorExpectedDm(Notice):
    """The host's heads-up about a pre-registered visitor."""

    TEMPLATE: ClassVar[str] = "visitor_expected_dm"
    visit_id: int
    name: str
    host_id: str
    expected_at: datetime
    organisation: str | None = None
    note: str | None = None
    needs: str | None = None
    pass_number: str | None = None
    arrived_at: datetime | None = None
    # Set when someone covers for the host, as in VisitorArrivedDm.
    covering_for: str | None = None
    away_until: datetime | None = None
    chain: tuple[str, ...] = ()
    owner_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class VisitorArrivalLeft(Notice):
    """Rewrites a sent arrival DM (`update_ts`) once the visitor has signed out: no buttons."""

    TEMPLATE: ClassVar[str] = "visitor_arrival_left"
    visit_id: int
    name: str
    host_id: str
    left_at: datetime
    signed_out_by: str
    update_ts: str
    response: str | None = None  # the host's answer, if any
    told_id: str | None = None  # the person the DM went to; None for a channel
    covering_for: str | None = None  # the host, when someone else was told
    organisation: str | None = None
    note: str | None = None
    pass_number: str | None = None
    arrived_at: datetime | None = None
    expected_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class VisitorSignin(Notice):
    """The desk channel's sign-in line."""

    TEMPLATE: ClassVar[str] = "visitor_signin"
    visit_id: int
    name: str
    host_id: str
    pass_number: str
    arrived_at: datetime
    organisation: str | None = None
    note: str | None = None
    expected_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class VisitorHostResponse(Notice):
    """The host's answer, in the sign-in's thread."""

    TEMPLATE: ClassVar[str] = "visitor_host_response"
    visit_id: int
    name: str
    host_id: str
    response: str  # on_my_way | please_wait | send_someone
    responded_by: str
    pass_number: str | None = None
    organisation: str | None = None
    note: str | None = None
    arrived_at: datetime | None = None
    expected_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ClosingVisitor:
    """One visitor still signed in at closing."""

    visit_id: int
    name: str
    host_id: str
    organisation: str | None = None
    pass_number: str | None = None
    arrived_at: datetime | None = None
    expected_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ClosingOnSite(Notice):
    """The desk channel's closing-time list of visitors still signed in."""

    TEMPLATE: ClassVar[str] = "closing_on_site"
    closing_at: datetime
    visitors: tuple[ClosingVisitor, ...] = ()
    more: int = 0  # signed in too, beyond the list
    no_shows: tuple[ClosingVisitor, ...] = ()  # expected today, never signed in


@dataclass(frozen=True, kw_only=True)
class VisitorLateDm(Notice):
    """To the host, once: an expected visitor has not signed in `late_after` after their time."""

    TEMPLATE: ClassVar[str] = "visitor_late_dm"
    visit_id: int
    name: str
    host_id: str
    expected_at: datetime
    organisation: str | None = None


@dataclass(frozen=True, kw_only=True)
class EscortHandedOver(Notice):
    """To the new escort, by DM: they are now with the visitor."""

    TEMPLATE: ClassVar[str] = "escort_handed_over"
    visit_id: int
    name: str
    host_id: str
    escort_id: str
    handed_over_by: str
    pass_number: str | None = None
    organisation: str | None = None
    needs: str | None = None


@dataclass(frozen=True, kw_only=True)
class WatchAlert(Notice):
    """To the managers' channel: a name on the watch list has signed in (with the reason)."""

    TEMPLATE: ClassVar[str] = "watch_alert"
    visit_id: int
    name: str
    host_id: str
    signed_in_by: str
    reasons: tuple[str, ...] = ()
    pass_number: str | None = None
    arrived_at: datetime | None = None


# --- phone messages (bot/domain/services/messages.py) --------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MessageDm(Notice):
    """A phone message for its owner; the number and e-mail only when it goes to a person."""

    TEMPLATE: ClassVar[str] = "message_dm"
    item_id: int
    message_id: int
    caller: str
    urgent: bool
    due_at: datetime
    taken_by: str
    taken_at: datetime
    organisation: str | None = None
    subject: str | None = None
    body: str | None = None
    intended_id: str | None = None
    owner_id: str | None = None
    desk_owned: bool = False
    has_contact: bool = False
    phone: str | None = None
    phone_valid: bool = True
    email: str | None = None
    # Whether `intended_id` is away (the post then says so); rows from before it was written
    # only differed from their owner while someone was away.
    intended_away: bool = True
    # The deadline is a full answer promised at an interim call back (rows from before: no).
    promised: bool = False


# --- windows: reminders and alerts (bot/domain/sweep.py, bot/domain/services/item_actions.py) ----------


def _summary_fields(summary: ItemSummary, stage: str | None) -> dict[str, Any]:
    """The fields every item notice takes from its window's summary."""
    return {
        "item_id": summary.item_id,
        "kind": summary.kind,
        "label": summary.label,
        "who": summary.who,
        "due_at": summary.due_at,
        "state": summary.state,
        "urgent": summary.urgent,
        "organisation": summary.organisation,
        "subject": summary.subject,
        "owner_id": summary.owner_id,
        "owner_channel": summary.owner_channel,
        "intended_id": summary.intended_id,
        "enquiry_id": summary.enquiry_id,
        "has_contact": summary.has_contact,
        "stage": stage,
    }


@dataclass(frozen=True, kw_only=True)
class ItemNotice(Notice):
    """What a window is about (`ItemSummary`), fit for a channel; the base of its notices."""

    item_id: int
    kind: str
    label: str
    who: str
    due_at: datetime
    state: str
    urgent: bool = False
    organisation: str | None = None
    subject: str | None = None
    owner_id: str | None = None
    owner_channel: str | None = None
    intended_id: str | None = None
    enquiry_id: int | None = None
    has_contact: bool = True  # a number or e-mail is on record ("Show number" has something)
    stage: str | None = None  # warn | breach | escalate | remind, for the sweep's notices

    @classmethod
    def about(cls, summary: ItemSummary, *, stage: str | None = None) -> Self:
        """The notice of `summary`'s window (a subclass's own optional fields are set with
        `dataclasses.replace`; one with required fields of its own has its own constructor)."""
        return cls(**_summary_fields(summary, stage))


@dataclass(frozen=True, kw_only=True)
class OwnerReminder(ItemNotice):
    """A reminder for the item's owner, or for whoever covers while an owner who kept it is
    away (then told whose it is, with no buttons)."""

    covering_for: str | None = None  # the owner, away
    away_until: datetime | None = None
    covered_by: str | None = None  # the person covering; None for the desk channel


@dataclass(frozen=True, kw_only=True)
class ItemDueSoon(OwnerReminder):
    """To the owner (or the desk channel), before the deadline."""

    TEMPLATE: ClassVar[str] = "item_due_soon"


@dataclass(frozen=True, kw_only=True)
class ItemOverdue(OwnerReminder):
    """To the owner, when the deadline has passed."""

    TEMPLATE: ClassVar[str] = "item_overdue"


@dataclass(frozen=True, kw_only=True)
class ItemRemind(OwnerReminder):
    """After "Tried — no answer": try again."""

    TEMPLATE: ClassVar[str] = "item_remind"
    attempts: int = 1


@dataclass(frozen=True, kw_only=True)
class ItemAlert(ItemNotice):
    """To the managers' channel: breached, or escalated (mentioning the managers)."""

    TEMPLATE: ClassVar[str] = "item_alert"
    mention_ids: tuple[str, ...] = ()
    # In a digest's entry: who has the item now ("" for the desk), once it was taken or passed
    # on after the digest was posted (the digest is rewritten without its buttons).
    now_with: str | None = None


@dataclass(frozen=True, kw_only=True)
class AlertDigest(Notice):
    """Many alerts of one sweep, as one post to the managers' channel."""

    TEMPLATE: ClassVar[str] = "alert_digest"
    items: tuple[ItemAlert, ...] = ()
    mention_ids: tuple[str, ...] = ()
    update_ts: str | None = None  # rewrites that earlier digest (its items moved on)


@dataclass(frozen=True, kw_only=True)
class VisitorUnanswered(ItemNotice):
    """To the desk channel: the host has not answered an arrival."""

    TEMPLATE: ClassVar[str] = "visitor_unanswered"


@dataclass(frozen=True, kw_only=True)
class VisitorBackupDm(ItemNotice):
    """To the host's backup, by DM: the host has not answered an arrival."""

    TEMPLATE: ClassVar[str] = "visitor_backup_dm"


@dataclass(frozen=True, kw_only=True)
class ItemAssigned(ItemNotice):
    """To the new owner of an item that is not a phone message."""

    TEMPLATE: ClassVar[str] = "item_assigned"


@dataclass(frozen=True, kw_only=True)
class ItemMoved(ItemNotice):
    """Rewrites a channel's post about an item (`update_ts`) once someone took it or it was
    passed on: who has it now, and no buttons."""

    TEMPLATE: ClassVar[str] = "item_moved"
    was: str  # the template of the post rewritten
    moved_by: str
    taken: bool  # taken by `moved_by`, else passed on by them
    moved_at: datetime
    update_ts: str

    @classmethod
    def of(
        cls,
        summary: ItemSummary,
        *,
        stage: str | None,
        was: str,
        moved_by: str,
        taken: bool,
        moved_at: datetime,
        update_ts: str,
    ) -> ItemMoved:
        """The rewrite of a post of `was` about `summary`'s window."""
        return cls(
            **_summary_fields(summary, stage),
            was=was,
            moved_by=moved_by,
            taken=taken,
            moved_at=moved_at,
            update_ts=update_ts,
        )


# --- enquiries (bot/domain/services/enquiries.py) ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EnquiryFacts:
    """An enquiry and its windows (`enquiry_facts`), flat in each of its notices. A one-stage
    enquiry has no `ack_*` (acknowledge = "none") or no `resolve_*` (resolve = "none");
    `contact` is private: only in a person's DM."""

    enquiry_id: int
    kind: str
    channel: str
    from_name: str
    logged_by: str
    ref: str | None = None
    contact: str | None = None
    has_contact: bool = False  # a contact is on record (a channel's copy shows "Show contact")
    prefers: str | None = None
    ack_due: datetime | None = None
    ack_window: str | None = None
    ack_state: str | None = None
    resolve_due: datetime | None = None
    resolve_window: str | None = None
    resolve_state: str | None = None
    summary: str | None = None
    owner_id: str | None = None
    owner_channel: str | None = None
    ack_outcome: str | None = None
    resolve_outcome: str | None = None
    revised_reason: str | None = None
    needs: str | None = None  # the customer's access needs: the owner's DM only

    def params(self) -> Params:
        """The facts as JSON-ready params (the listeners' replies read them)."""
        dumped: Params = _dump(self)
        return dumped


@dataclass(frozen=True, kw_only=True)
class EnquiryDm(Notice):
    """The owner's DM: the enquiry, its deadlines and its buttons."""

    TEMPLATE: ClassVar[str] = "enquiry_dm"
    enquiry: EnquiryFacts = dataclasses.field(metadata=FLAT)
    expect_by: date | None = None  # the customer was told to expect a full answer by then
    reassigned_by: str | None = None
    covering_for: str | None = None  # who it was passed to, away (the DM goes to their cover)
    away_until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class EnquiryLateManagers(Notice):
    """The managers' notice of a revised deadline (no contact details)."""

    TEMPLATE: ClassVar[str] = "enquiry_late_managers"
    enquiry: EnquiryFacts = dataclasses.field(metadata=FLAT)  # its summary scrubbed
    old_due: datetime
    by: str
    reason: str
    new_due: datetime | None = None  # older rows: the resolve deadline (`resolve_due`)


@dataclass(frozen=True, kw_only=True)
class EnquiryLateOwner(Notice):
    """The owner's reminder to tell the customer the new date."""

    TEMPLATE: ClassVar[str] = "enquiry_late_owner"
    enquiry: EnquiryFacts = dataclasses.field(metadata=FLAT)
    old_due: datetime
    by: str
    reason: str
    new_due: datetime | None = None  # older rows: the resolve deadline (`resolve_due`)
    told: bool = False  # the customer has been told of the new date already
    told_by: str | None = None  # how (a medium)
    said: str | None = None  # the `[templates] late` text, filled, to copy


# --- out of office, closures, incidents, reports, privacy ---------------------------------


@dataclass(frozen=True, kw_only=True)
class HandledItem:
    """A window meant for someone while they were away."""

    kind: str
    state: str
    created_at: datetime
    subject: str = ""
    owner_id: str | None = None
    owner_channel: str | None = None
    outcome: str | None = None
    done_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class HandledVisit:
    """A visitor who came for someone while they were away."""

    name: str
    organisation: str | None = None
    arrived_at: datetime | None = None
    response: str | None = None
    responded_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class OooWhileYouWereOut(Notice):
    """The "while you were out" DM: what was handled for someone while away."""

    TEMPLATE: ClassVar[str] = "ooo_while_you_were_out"
    user_id: str
    since: datetime
    back_at: datetime | None = None
    backup_id: str | None = None
    items: tuple[HandledItem, ...] = ()
    more_items: int = 0
    visits: tuple[HandledVisit, ...] = ()
    more_visits: int = 0


@dataclass(frozen=True, kw_only=True)
class ClosureNotice(Notice):
    """The desk channel hears the site is closed on a day."""

    TEMPLATE: ClassVar[str] = "closure_notice"
    day: date
    by: str
    moved: int = 0  # open deadlines moved
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class IncidentNotice(Notice):
    """The managers' channel hears of an incident (no contact details)."""

    TEMPLATE: ClassVar[str] = "incident_notice"
    incident_id: int
    reported_by: str
    occurred: str  # as typed
    what: str
    location: str | None = None
    who: str | None = None
    occurred_at: datetime | None = None  # when `occurred` was read as an instant


@dataclass(frozen=True, kw_only=True)
class IncidentConfirmation(Notice):
    """The reporter's confirmation."""

    TEMPLATE: ClassVar[str] = "incident_confirmation"
    incident_id: int
    occurred: str
    occurred_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AssistAlert(Notice):
    """A call for help at the desk, in the desk and managers' channels, with "On my way";
    `louder`: nobody answered in time; `answered_by`: rewritten (`update_ts`) once someone did."""

    TEMPLATE: ClassVar[str] = "assist_alert"
    assist_id: int
    called_by: str
    called_at: datetime
    what: str | None = None  # as typed (masked and escaped by the builder)
    incident_id: int | None = None
    mention_ids: tuple[str, ...] = ()
    louder: bool = False
    for_managers: bool = False  # the managers' post: it offers to complete the incident
    answered_by: str | None = None
    answered_at: datetime | None = None
    update_ts: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReportKind:
    """One kind of window in a report."""

    kind: str
    label: str
    count: int
    answered: int = 0
    share_within: float | None = None
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass(frozen=True, kw_only=True)
class ReportFile:
    """A file the sender uploads after the report's post (bot/runtime/outbox_extras.py)."""

    filename: str
    title: str
    content_b64: str


@dataclass(frozen=True, kw_only=True)
class ReportCallDay:
    """Calls in and out on one day of a report's period."""

    day: date
    calls_in: int = 0
    calls_out: int = 0


@dataclass(frozen=True, kw_only=True)
class Report(Notice):
    """The managers' report: its summary, then its chart and CSV as files."""

    TEMPLATE: ClassVar[str] = "report"
    first: date
    last: date
    label: str
    kinds: tuple[ReportKind, ...] = ()
    breaches_by_owner: dict[str, int] = dataclasses.field(default_factory=dict)
    breaches_by_team: dict[str, int] = dataclasses.field(default_factory=dict)
    late_notices: int = 0
    visits: int = 0
    calls: int = 0
    calls_by_hour: tuple[int, ...] = (0,) * 24
    calls_by_weekday: tuple[int, ...] = (0,) * 7
    # Calls in and out (`/call`; phone messages and enquiries by phone are calls in); rows
    # written before these were counted read them as nothing.
    calls_in: int = 0
    calls_out: int = 0
    calls_in_by_hour: tuple[int, ...] = (0,) * 24
    calls_out_by_hour: tuple[int, ...] = (0,) * 24
    calls_by_day: tuple[ReportCallDay, ...] = ()
    incidents: int = 0
    enquiries_by_kind: dict[str, int] = dataclasses.field(default_factory=dict)
    enquiries_by_channel: dict[str, int] = dataclasses.field(default_factory=dict)
    files: tuple[ReportFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RedactedPost(Notice):
    """Rewrites an earlier post that named someone (`update_ts`) with why it was redacted."""

    TEMPLATE: ClassVar[str] = "redacted_post"
    update_ts: str
    why: str  # retention | forget


@dataclass(frozen=True, kw_only=True)
class CorrectedPost(Notice):
    """Rewrites an earlier post (`update_ts`) after a wrong entry was corrected: the post of
    template `was`, drawn again from its params with the name or host put right
    (bot/domain/services/corrections.py)."""

    TEMPLATE: ClassVar[str] = "corrected_post"
    was: str
    shown: dict[str, Any]
    update_ts: str


# --- a listener's answer written for after its ack (handlers/replies.py) ------------------


@dataclass(frozen=True, kw_only=True)
class ListenerReply(Notice):
    """A listener's text and blocks as they were built; how it is delivered
    (bot/runtime/outbox_extras.py): a post, a rewrite of `update_ts`, a button's `response_url`
    (a `chat.update` of `channel`/`message_ts` once it has expired), or ephemeral."""

    TEMPLATE: ClassVar[str] = "reply"
    text: str
    blocks: tuple[Block, ...] = ()
    update_ts: str | None = None
    response_url: str | None = None
    replace_original: bool = False
    channel: str | None = None
    message_ts: str | None = None
    ephemeral_user: str | None = None


# --- the sender's own (bot/runtime/outbox_sender.py) ----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeliveryFailed(Notice):
    """The desk is told once when a post could not be delivered at all."""

    TEMPLATE: ClassVar[str] = "delivery_failed"
    template: str
    target: str
    error: str


# Every notice class, one per template (handlers/blocks/templates.py lists the builders).
@dataclass(frozen=True, kw_only=True)
class TaskFailed(Notice):
    """The desk is told once when slow work after an ack (a task) failed for good."""

    TEMPLATE: ClassVar[str] = "task_failed"
    kind: str  # the task's kind: report_files, home
    target: str  # the person it was for ("" when none)
    error: str


NOTICES: tuple[type[Notice], ...] = (
    VisitorArrivedDm,
    VisitorExpectedDm,
    VisitorSignin,
    VisitorArrivalLeft,
    VisitorHostResponse,
    ClosingOnSite,
    VisitorLateDm,
    EscortHandedOver,
    WatchAlert,
    MessageDm,
    ItemDueSoon,
    ItemOverdue,
    ItemRemind,
    ItemAlert,
    AlertDigest,
    VisitorUnanswered,
    VisitorBackupDm,
    ItemAssigned,
    ItemMoved,
    EnquiryDm,
    EnquiryLateManagers,
    EnquiryLateOwner,
    OooWhileYouWereOut,
    ClosureNotice,
    IncidentNotice,
    IncidentConfirmation,
    AssistAlert,
    Report,
    RedactedPost,
    CorrectedPost,
    ListenerReply,
    DeliveryFailed,
    TaskFailed,
)

NOTICE_FOR: dict[str, type[Notice]] = {cls.TEMPLATE: cls for cls in NOTICES}
