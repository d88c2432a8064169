"""The tables: every record Front Desk keeps.

One module, grouped by aggregate. Instants are aware UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.names import name_key
from storage.types import UTCDateTime


class Staff(SQLModel, table=True):
    """A person in the workspace (the directory), as Slack last described them: by `users.list`
    (the directory job), a `user_change`/`team_join` event, or `users.info` on a miss.

    `deleted`: deactivated in Slack, or no longer listed; kept so a departed person is known to
    be gone rather than asked about again. `updated_at`: when Slack last described them;
    `listed_at`: when the directory job last found them in `users.list` (None: never listed).
    """

    id: str = Field(primary_key=True, max_length=32)
    handle: str = Field(index=True, max_length=80)
    real_name: str = Field(default="", max_length=200)
    tz: str | None = Field(default=None, max_length=64)
    team: str | None = Field(default=None, max_length=80)
    site: str | None = Field(default=None, max_length=32)  # chosen with `/desk site <id>`
    deleted: bool = Field(default=False)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    listed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Visit(SQLModel, table=True):
    """A visitor: expected, on site, gone or cancelled."""

    __table_args__ = (
        UniqueConstraint("site", "pass_day", "pass_number", name="uq_visit_pass"),  # per site
        Index("ix_visit_state_pass_day", "state", "pass_day"),
        Index("ix_visit_pass_day_seq", "pass_day", "pass_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # `name` as compared (storage/names.py): set from `name` on every insert and update.
    name_key: str = Field(default="", max_length=200, index=True)
    organisation: str | None = Field(default=None, max_length=200)
    host_id: str = Field(max_length=32, index=True)
    site: str = Field(default="default", max_length=32, index=True)  # where they signed in
    note: str | None = Field(default=None, max_length=1000)
    state: str = Field(max_length=16)  # expected | on_site | left | cancelled | no_show
    pass_number: str | None = Field(default=None, max_length=16)
    pass_seq: int | None = None  # the number in pass_number, so the next is one index lookup
    pass_day: date | None = None
    expected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    logged_by: str = Field(max_length=32)
    host_response: str | None = Field(default=None, max_length=16)
    host_responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    host_responded_by: str | None = Field(default=None, max_length=32)
    # The visitor record (migration 0013): the type of ID seen, never its number; who is with
    # them; their access needs; when the host was told an expected visitor was late.
    id_type: str | None = Field(default=None, max_length=32)
    escort_id: str | None = Field(default=None, max_length=32)
    needs: str | None = Field(default=None, max_length=200)
    late_reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    anonymised: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


@event.listens_for(Visit, "before_insert")
@event.listens_for(Visit, "before_update")
def _keep_name_key(_mapper: object, _connection: object, visit: Visit) -> None:
    """The visit's `name_key` follows its name (a correction, anonymising) wherever it is set."""
    visit.name_key = name_key(visit.name)


class PassBook(SQLModel, table=True):
    """The last pass a site issued on a day (migration 0017). A sign-in takes the next number
    and this row's lock in one statement (storage.passbook), so a second desk waits only for
    the rest of the first one's transaction."""

    site: str = Field(primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    last_seq: int


class PhoneMessage(SQLModel, table=True):
    """A call taken for someone: every call is logged for the reports."""

    id: int | None = Field(default=None, primary_key=True)
    # None: taken with no recipient, sent by the routing rules (or to the desk).
    recipient_id: str | None = Field(default=None, max_length=32, index=True)
    caller: str = Field(max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    phone_e164: str | None = Field(default=None, max_length=32)
    phone_valid: bool = True
    email: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=3000)
    urgent: bool = False
    taken_by: str = Field(max_length=32)
    taken_at: datetime = Field(sa_type=UTCDateTime, index=True)
    anonymised: bool = False


class Enquiry(SQLModel, table=True):
    """A complaint, question, request, compliment… with its windows (acknowledge, resolve; a
    one-stage enquiry has one). Kinds and channels are the policy's (`[enquiry]`).

    `ref` (`E-0042`) is quoted in every post about it; `contact` (an e-mail, a phone number or
    an address) is private like a phone number: the owner's DM only."""

    __table_args__ = (UniqueConstraint("ref", name="uq_enquiry_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, max_length=16)
    kind: str = Field(max_length=16)
    channel: str = Field(max_length=16)
    from_name: str = Field(max_length=200)
    summary: str = Field(max_length=3000)
    contact: str | None = Field(default=None, max_length=500)
    prefers: str | None = Field(default=None, max_length=16)  # the medium the customer prefers
    logged_by: str = Field(max_length=32)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    needs: str | None = Field(default=None, max_length=200)  # access needs (migration 0013)
    anonymised: bool = False


class CustomerReply(SQLModel, table=True):
    """What the customer was told about an enquiry, how, and by whom: at "Acknowledged"
    (maybe with when to expect a full answer), at "Resolved" (with the outcome), or at
    "Running late…" (whether they were told of the new date); or what a caller was told at a
    phone message's "Interim call back…" (`message_id`, stage "interim", with `expect_by`)."""

    id: int | None = Field(default=None, primary_key=True)
    enquiry_id: int | None = Field(default=None, foreign_key="enquiry.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="phonemessage.id", index=True)
    stage: str = Field(max_length=16)  # acknowledge | resolve | late | interim
    told: bool = True
    medium: str | None = Field(default=None, max_length=16)
    said: str | None = Field(default=None, max_length=3000)
    outcome: str | None = Field(default=None, max_length=500)
    expect_by: date | None = None  # when to expect a full answer (an interim call back)
    by: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)


class Item(SQLModel, table=True):
    """A response window: who owns it, when it is due, and which stage comes next.

    `next_stage_at` is the instant of the next reminder or alert (NULL once done), so
    the sweep reads an index of what is due, never the whole backlog.
    """

    __table_args__ = (Index("ix_item_next_stage_at", "next_stage_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # phone_message | visitor_arrival | enquiry_ack | enquiry_resolve
    kind: str = Field(max_length=32)
    site: str = Field(default="default", max_length=32)  # the site that received it: its calendar
    message_id: int | None = Field(default=None, foreign_key="phonemessage.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    enquiry_id: int | None = Field(default=None, foreign_key="enquiry.id", index=True)
    intended_id: str | None = Field(default=None, max_length=32)
    owner_id: str | None = Field(default=None, max_length=32, index=True)
    owner_channel: str | None = Field(default=None, max_length=32)
    started_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalate_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(default="open", max_length=16)  # open | breached | done
    next_stage: str | None = Field(default=None, max_length=16)  # warn | breach | escalate
    next_stage_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline_version: int = 1
    window: str = Field(default="", max_length=64)  # the policy phrase, e.g. "1 business day"
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=32)
    outcome: str | None = Field(default=None, max_length=32)
    revised_reason: str | None = Field(default=None, max_length=1000)
    attempts: int = 0
    team: str | None = Field(default=None, max_length=80)  # the team it opened with
    created_at: datetime = Field(sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """Something the bot will post: written in the same transaction as its cause.

    `key` is unique, so a stage is written once however many processes sweep.
    """

    __table_args__ = (Index("ix_outbox_pending", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    template: str = Field(max_length=64)
    target: str = Field(max_length=32)  # a channel ID, or a user ID to DM
    params: str = Field(default="{}")  # JSON
    item_id: int | None = Field(default=None, index=True)
    thread_key: str | None = Field(default=None, max_length=200)
    state: str = Field(default="pending", max_length=16)  # pending | sent | failed | dropped
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When a sender first set out to post the row and may have reached Slack: set before the
    # post, it tells a later sender to look for that post before posting again.
    posting_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
    sent_channel: str | None = Field(default=None, max_length=32)
    sent_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SlackPost(SQLModel, table=True):
    """A post the bot made that names someone, kept so it can be redacted later."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    visit_id: int | None = Field(default=None, index=True)
    message_id: int | None = Field(default=None, index=True)
    enquiry_id: int | None = Field(default=None, index=True)
    item_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Absence(SQLModel, table=True):
    """Out of office from `starts_at` until `until`, with an optional backup.

    A planned absence (`/ooo from … until …`) starts later (`start_pending`): `hand_over` is the
    choice made when it was set, applied by the `absences.start` job at `starts_at`, which then
    clears `start_pending`.
    One withdrawn (`/ooo cancel`) before it began is ended then, with no summary.
    """

    __table_args__ = (Index("ix_absence_start_pending", "start_pending", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32, index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    until: datetime = Field(sa_type=UTCDateTime)
    backup_id: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=500)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hand_over: bool = True
    start_pending: bool = False


class Presence(SQLModel, table=True):
    """The in/out board: one row per person who has told the desk."""

    user_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(max_length=16)  # in | out | out_day
    back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Incident(SQLModel, table=True):
    """An abusive contact, logged for managers (policy 003)."""

    id: int | None = Field(default=None, primary_key=True)
    reported_by: str = Field(max_length=32)
    occurred: str = Field(max_length=200)
    location: str | None = Field(default=None, max_length=200)
    who: str | None = Field(default=None, max_length=200)
    what: str = Field(max_length=3000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # When it happened, read from "When" (issue 16): the instant, not the words typed.
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    responded_by: str | None = Field(default=None, max_length=32)  # first to answer a call for help
    anonymised: bool = False
    site: str = Field(default="default", max_length=32, index=True)  # the site it happened at


class AuditEvent(SQLModel, table=True):
    """Who did what to which item or visit, and when."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int | None = Field(default=None, index=True)
    visit_id: int | None = Field(default=None, index=True)
    actor_id: str = Field(max_length=32)
    action: str = Field(max_length=32)
    detail: str | None = Field(default=None, max_length=1000)
    at: datetime = Field(sa_type=UTCDateTime)


class Closure(SQLModel, table=True):
    """A day a site is closed, decided at run time (`/desk close`)."""

    site: str = Field(default="default", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    reason: str | None = Field(default=None, max_length=200)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_type=UTCDateTime)


class WatchEntry(SQLModel, table=True):
    """A name on the managers' watch list (`/desk watch`): its sign-in alerts the managers.

    `name_key` is the name folded (case, accents, punctuation and spacing ignored), so a
    sign-in is matched with one index lookup.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    reason: str = Field(max_length=500)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_type=UTCDateTime)


class MentionNotice(SQLModel, table=True):
    """That we told `mentioner` about `absentee` on `day` (at most once a day a pair)."""

    __table_args__ = (UniqueConstraint("mentioner_id", "absentee_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    mentioner_id: str = Field(max_length=32)
    absentee_id: str = Field(max_length=32)
    day: date


__all__ = [
    "Absence",
    "AssistCall",
    "AuditEvent",
    "Closure",
    "CustomerReply",
    "Enquiry",
    "Incident",
    "Item",
    "MentionNotice",
    "Outbox",
    "PhoneCall",
    "PhoneMessage",
    "Presence",
    "SQLModel",
    "SlackPost",
    "Staff",
    "Visit",
    "WatchEntry",
]


class HandledRequest(SQLModel, table=True):
    """A Slack request whose work is committed: an event by `event_id`, a command, button or
    form by its `trigger_id`. Written in the same transaction as the work, so a retry or a
    replay finds it and does nothing twice; a rolled-back request leaves no row and may be
    retried. Kept a little longer than Slack's five-minute signature window."""

    id: str = Field(primary_key=True, max_length=120)  # "<kind>:<trigger_id or event_id>"
    handled_at: datetime = Field(sa_type=UTCDateTime, index=True)
    reply: str | None = Field(default=None)  # JSON: the ack's reply, given again to a retry


class Task(SQLModel, table=True):
    """Slow work after an ack (a Home refresh, a report): a durable row, claimed with a lease by
    any worker. `key` is unique; writing it again while pending or running bumps `seq`, so a
    worker that ran an older request leaves the row pending for one more run."""

    __table_args__ = (Index("ix_task_pending", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=64)
    params: str = Field(default="{}")  # JSON
    state: str = Field(default="pending", max_length=16)  # pending | done | failed
    seq: int = 0
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RollCall(SQLModel, table=True):
    """A roll call posted in a channel: its marks live in RollCallEntry, not in the message."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    called_by: str = Field(max_length=32)
    called_at: datetime = Field(sa_type=UTCDateTime)
    head: str = Field(default="", max_length=1000)  # the first post's heading, as posted


class RollCallEntry(SQLModel, table=True):
    """One person on a roll call, and who accounted for them."""

    id: int | None = Field(default=None, primary_key=True)
    roll_call_id: int = Field(index=True)
    position: int  # its row, from 0, across the roll call's posts
    label: str = Field(max_length=500)  # as shown (channel-safe)
    accounted_by: str | None = Field(default=None, max_length=32)
    accounted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PhoneCall(SQLModel, table=True):
    """A call handled without a message (`/call in|out`), counted in the reports."""

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=8)  # in | out
    name: str = Field(max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    phone_e164: str | None = Field(default=None, max_length=32)
    phone_valid: bool = True
    subject: str | None = Field(default=None, max_length=1000)
    logged_by: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    anonymised: bool = False
    site: str = Field(default="default", max_length=32, index=True)  # the desk that took it


class AssistCall(SQLModel, table=True):
    """A receptionist's call for help (`/desk assist`): who answered, and the louder alert.

    `louder_at` is when it is alerted again if nobody has answered (NULL once answered or
    alerted again), so the job reads an index of what is due.
    """

    id: int | None = Field(default=None, primary_key=True)
    called_by: str = Field(max_length=32)
    called_at: datetime = Field(sa_type=UTCDateTime)
    what: str | None = Field(default=None, max_length=1000)
    incident_id: int | None = Field(default=None, index=True)
    answered_by: str | None = Field(default=None, max_length=32)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    louder_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    louder_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    site: str = Field(default="default", max_length=32)  # the desk that called for help
