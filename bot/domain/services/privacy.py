"""Personal data: anonymised after the retention period, or erased on request.

The records stay (so the reports still count them) with the person's name replaced and their
organisation, number, e-mail, note and message cleared; the bot's own posts that named them
are rewritten through the outbox (`chat.update`), and the parameters of finished outbox rows
about them are emptied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from sqlmodel import Session

from bot.domain.config import Policy
from bot.domain.notices import RedactedPost, enqueue_notice
from bot.domain.roles import Roles, require_manager
from storage import audit, privacy, watch_list
from storage.item_posts import sent_channel_posts
from storage.models import Enquiry, Incident, PhoneCall, PhoneMessage, Visit
from storage.names import name_key

SYSTEM_ACTOR = "frontdesk"
# The posts about an incident that may name someone: rewritten when it is anonymised.
REDACTED_TEMPLATES = ("incident_notice", "assist_alert")


@dataclass(frozen=True)
class Erased:
    """How many records and posts were touched."""

    visits: int = 0
    messages: int = 0
    enquiries: int = 0
    posts: int = 0
    calls: int = 0
    incidents: int = 0
    watch_entries: int = 0  # names taken off the watch list

    @property
    def records(self) -> int:
        return (
            self.visits
            + self.messages
            + self.enquiries
            + self.calls
            + self.incidents
            + self.watch_entries
        )


def retention_cutoff(policy: Policy, now: datetime) -> datetime:
    """Records from before this instant are past retention: the start of today (site time)
    less `retention.visitors`, so the job does one day's worth at the first run of a day."""
    tz = policy.site.tz
    midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
    return midnight.astimezone(UTC) - policy.retention.visitors.plain


def run_retention(session: Session, *, now: datetime, policy: Policy) -> Erased:
    """Anonymise every visit, phone message, enquiry, call and incident older than the
    retention period."""
    cutoff = retention_cutoff(policy, now)
    others = _anonymise_calls_and_incidents(
        session,
        now=now,
        calls=privacy.calls_before(session, cutoff),
        incidents=privacy.incidents_before(session, cutoff),
        why="retention",
    )
    erased = _anonymise(
        session,
        now=now,
        visits=privacy.visits_before(session, cutoff),
        messages=privacy.messages_before(session, cutoff),
        enquiries=privacy.enquiries_before(session, cutoff),
        actor=SYSTEM_ACTOR,
        why="retention",
    )
    privacy.clear_outbox_params(session, before=cutoff)
    # The watch list names people too: an entry goes after the same period.
    return replace(_plus(erased, others), watch_entries=watch_list.remove_before(session, cutoff))


def forget(session: Session, *, now: datetime, name: str, by: str, roles: Roles) -> Erased:
    """Erase the data of everyone recorded under `name` (a manager, on the person's request)."""
    require_manager(roles, by, "erase a person's data (`/desk forget`)")
    visits, messages, enquiries = privacy.named(session, name)
    calls, incidents = privacy.named_calls_and_incidents(session, name)
    others = _anonymise_calls_and_incidents(
        session, now=now, calls=calls, incidents=incidents, why="forget"
    )
    erased = _anonymise(
        session,
        now=now,
        visits=visits,
        messages=messages,
        enquiries=enquiries,
        actor=by,
        why="forget",
    )
    return replace(
        _plus(erased, others), watch_entries=watch_list.remove_key(session, name_key(name))
    )


def _anonymise(
    session: Session,
    *,
    now: datetime,
    visits: Sequence[Visit],
    messages: Sequence[PhoneMessage],
    enquiries: Sequence[Enquiry],
    actor: str,
    why: str,
) -> Erased:
    visit_ids = [v.id for v in visits if v.id is not None]
    message_ids = [m.id for m in messages if m.id is not None]
    enquiry_ids = [e.id for e in enquiries if e.id is not None]
    if not (visit_ids or message_ids or enquiry_ids):
        return Erased()
    action = "erased" if why == "forget" else "anonymised"
    for visit in visits:
        privacy.anonymise_visit(session, visit)
        audit.record(session, visit_id=visit.id, actor_id=actor, action=action, at=now)
    for message in messages:
        privacy.anonymise_message(session, message)
    for enquiry in enquiries:
        privacy.anonymise_enquiry(session, enquiry)
    item_ids = privacy.item_ids_of(
        session, message_ids=message_ids, enquiry_ids=enquiry_ids, visit_ids=visit_ids
    )
    privacy.clear_correction_details(session, visit_ids=visit_ids, item_ids=item_ids)
    for item_id in item_ids:
        audit.record(session, item_id=item_id, actor_id=actor, action=action, at=now)
    posts = privacy.posts_naming(
        session, visit_ids=visit_ids, message_ids=message_ids, enquiry_ids=enquiry_ids
    )
    redact(session, [(post.channel, post.ts) for post in posts], why=why, now=now)
    privacy.forget_posts(session, posts)
    prefixes = [f"visit:{i}:" for i in visit_ids] + [f"enquiry:{i}:" for i in enquiry_ids]
    privacy.clear_outbox_params(session, key_prefixes=prefixes, item_ids=item_ids)
    return Erased(len(visit_ids), len(message_ids), len(enquiry_ids), len(posts))


def _plus(erased: Erased, others: Erased) -> Erased:
    return replace(
        erased, calls=others.calls, incidents=others.incidents, posts=erased.posts + others.posts
    )


def _anonymise_calls_and_incidents(
    session: Session,
    *,
    now: datetime,
    calls: Sequence[PhoneCall],
    incidents: Sequence[Incident],
    why: str,
) -> Erased:
    """Anonymise calls and incidents, and redact the incidents' posts (the managers' notice,
    and the alerts of a call for help that opened one)."""
    for call in calls:
        privacy.anonymise_call(session, call)
    prefixes: list[str] = []
    for incident in incidents:
        prefixes.append(f"incident:{incident.id}:")
        prefixes += [f"assist:{i}:" for i in privacy.anonymise_incident(session, incident)]
    posts = [
        post
        for prefix in prefixes
        for post in sent_channel_posts(session, key_prefix=prefix, templates=REDACTED_TEMPLATES)
    ]
    redact(session, [(post.channel, post.ts) for post in posts], why=why, now=now)
    privacy.clear_outbox_params(session, key_prefixes=prefixes)
    return Erased(calls=len(calls), incidents=len(incidents), posts=len(posts))


def redact(session: Session, posts: Sequence[tuple[str, str]], *, why: str, now: datetime) -> None:
    """Rewrite each of the bot's posts (channel, ts) to say it was redacted, and why."""
    for channel, ts in posts:
        enqueue_notice(
            session,
            RedactedPost(update_ts=ts, why=why),
            key=f"redact:{channel}:{ts}",
            target=channel,
            now=now,
        )
