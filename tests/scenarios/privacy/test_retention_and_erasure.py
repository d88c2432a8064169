"""Privacy as the policies read: data anonymised after retention, erased on request, posts
redacted, and no phone number or e-mail address in a channel post."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.jobs import JobContext
from bot.domain.services import retention
from storage.models import AuditEvent, Enquiry, Item, SlackPost, Visit
from tests.helpers import block_text, last_reply, posts_to

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
DATE_TOKEN = re.compile(r"<!date\^\d+\^[^>]*>")
CONTACT = re.compile(r"\d{3}[-\s]?\d{3}[-\s]?\d{4}|@example\.org")


def run_retention(fd: Embedded) -> int:
    ctx = JobContext(fd.engine, fd.runtime.ctx.policy, fd.clock.now(), "C0DESK", "C0MGRS")
    touched = retention.run(ctx)
    fd.runtime.sender.deliver_due()
    return touched


def visits(fd: Embedded) -> dict[int, Visit]:
    with Session(fd.engine) as session:
        return {v.id or 0: v for v in session.exec(select(Visit))}


def message_text(fd: Embedded, channel: str, ts: str) -> str:
    message = fd.double.message(channel, ts)
    assert message is not None
    return block_text(message)


def test_posts_that_name_a_visitor_are_remembered(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    with Session(fd.engine) as session:
        posts = list(session.exec(select(SlackPost)))
    assert {p.channel for p in posts} == {"C0DESK", fd.double.dm_channel(ALICE)}
    assert all(p.visit_id for p in posts)


def test_the_retention_job_anonymises_old_visits_and_redacts_their_posts(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M} — for the audit")
    fd.command(RECEPTION, "/visitor", "left Jane Doe")
    signin = posts_to(fd, "C0DESK")[0]
    fd.clock.advance(timedelta(days=89))
    fd.command(RECEPTION, "/visitor", f"arrived Sam Roe for {ALICE_M}")
    assert run_retention(fd) == 0  # 89 days: nothing is old enough yet

    fd.clock.advance(timedelta(days=2))
    assert run_retention(fd) == 1
    old, recent = sorted(visits(fd).values(), key=lambda v: v.id or 0)
    assert (old.name, old.organisation, old.note, old.anonymised) == (
        "(anonymised)",
        None,
        None,
        True,
    )
    assert old.pass_number == "V-001"  # the visit still counts
    assert recent.name == "Sam Roe" and not recent.anonymised
    redacted = message_text(fd, "C0DESK", signin.response["ts"])
    assert "Jane Doe" not in redacted and "retention" in redacted
    dm = [c for c in fd.double.calls_to("chat.update") if "retention" in block_text(c)]
    assert len(dm) == 2  # the desk's sign-in line and the host's DM
    assert run_retention(fd) == 0  # once done, the next run finds nothing


def test_an_open_enquiry_keeps_its_details_until_it_is_resolved(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    fd.clock.advance(timedelta(days=120))
    run_retention(fd)
    with Session(fd.engine) as session:
        (enquiry,) = session.exec(select(Enquiry))
        assert enquiry.from_name == "Jane Doe"
        for item in session.exec(select(Item)):
            item.state = "done"
            session.add(item)
        session.commit()
    fd.clock.advance(timedelta(days=1))
    assert run_retention(fd) == 1
    with Session(fd.engine) as session:
        (enquiry,) = session.exec(select(Enquiry))
    assert (enquiry.from_name, enquiry.summary, enquiry.kind) == ("(anonymised)", "", "complaint")


def test_desk_forget_erases_one_persons_data_and_says_how_many_records(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left Jane Doe")
    fd.clock.advance(timedelta(days=1))
    fd.command(RECEPTION, "/visitor", f"arrived jane  doe for {ALICE_M}")
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    fd.command(RECEPTION, "/visitor", f"arrived Janet Doe for {ALICE_M}")

    fd.command(MANAGER, "/desk", "forget Jane Doe")
    reply = last_reply(fd, MANAGER)
    assert "3 records touched" in reply
    assert "2 visits" in reply and "1 enquiry" in reply
    names = sorted(v.name for v in visits(fd).values())
    assert names == ["(anonymised)", "(anonymised)", "Janet Doe"]
    fd.runtime.sender.deliver_due()
    for update in fd.double.calls_to("chat.update"):
        assert "Jane Doe" not in message_text(fd, update.args["channel"], update.args["ts"])
    assert len(fd.double.calls_to("chat.update")) >= 5  # 2 visits × (desk + DM), 1 enquiry DM
    with Session(fd.engine) as session:
        erased = [e for e in session.exec(select(AuditEvent)) if e.action == "erased"]
    assert {e.actor_id for e in erased} == {MANAGER}


def test_desk_forget_with_no_match_changes_nothing(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "forget Nobody Known")
    assert "Nothing was changed" in last_reply(fd, MANAGER)


def test_phone_numbers_and_emails_never_reach_a_channel(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "incident")
    opened = fd.double.calls_to("views.open")[-1].response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=opened,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "today 10:15"}},
                "location": {"location": {"type": "plain_text_input", "value": "reception"}},
                "who": {"who": {"type": "plain_text_input", "value": "J. Roe, 416-555-0199"}},
                "what": {
                    "what": {
                        "type": "plain_text_input",
                        "value": "Shouted; said to mail jroe@example.org or call 416 555 0199",
                    }
                },
            },
        )
    )
    fd.settle()
    fd.command(ALICE, "/enquiry", "complaint via phone from J. Roe: call back on 416-555-0199")
    # Late notice to the managers' channel carries the reason, scrubbed too.
    for channel in ("C0DESK", "C0MGRS"):
        for post in posts_to(fd, channel):
            shown = DATE_TOKEN.sub("", block_text(post))  # an instant is not a phone number
            assert not CONTACT.search(shown), block_text(post)
    assert posts_to(fd, "C0MGRS"), "the managers were told of the incident"
