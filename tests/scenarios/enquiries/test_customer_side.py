"""The customer's side of an enquiry (DESIGN "Enquiries: the customer's side"): a reference to
quote, a private contact and preferred medium, kinds and channels from the policy with windows
per kind, one-stage enquiries, and what the customer was told, how, and the outcome."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.clock import ManualClock
from bot.domain.config import parse_policy
from bot.domain.reports.export import render_report
from bot.domain.reports.periods import Period
from storage.models import CustomerReply, Enquiry, Item
from tests.conftest import TUESDAY_3PM, example_policy_text, start_on_test_clock
from tests.helpers import block_text, buttons, dms_to, last_reply, posts_to, press, submit_told
from tests.time_helpers import advance

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"


@pytest.fixture(autouse=True, scope="module")
def dates_read_once() -> None:
    """Read a date once before the tests: dateparser's first use loads its data, which on a
    busy machine can take longer than a request's 2.5 s budget."""
    from bot.domain.when import parse_when

    parse_when("friday", now=TUESDAY_3PM, tz=TUESDAY_3PM.tzinfo)  # type: ignore[arg-type]


@contextmanager
def desk_with(engine: Engine, extra: str) -> Iterator[Embedded]:
    """Front Desk on the example policy with `extra` TOML appended."""
    policy = parse_policy(example_policy_text() + "\n" + extra, "test.toml")
    fd = start_on_test_clock(engine=engine, policy=policy, clock=ManualClock(TUESDAY_3PM))
    try:
        yield fd
    finally:
        fd.close()


def enquiries(fd: Embedded) -> list[Enquiry]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Enquiry).order_by(Enquiry.id)))  # type: ignore[arg-type]


def stages(fd: Embedded) -> dict[str, Item]:
    with Session(fd.engine) as session:
        return {i.kind: i for i in session.exec(select(Item))}


def told(fd: Embedded) -> list[CustomerReply]:
    with Session(fd.engine) as session:
        return list(session.exec(select(CustomerReply).order_by(CustomerReply.id)))  # type: ignore[arg-type]


def opened_form(fd: Embedded) -> dict[str, Any]:
    view: dict[str, Any] = fd.double.calls_to("views.open")[-1].response["view"]
    return view


def field_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element: dict[str, Any] = block["element"]
    return element


def test_every_enquiry_has_a_sequential_reference_quoted_in_the_reply_and_the_dm(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    fd.command(RECEPTION, "/enquiry", f"question via phone from Sam Roe for {ALICE_M}: hours?")
    assert [e.ref for e in enquiries(fd)] == ["E-0001", "E-0002"]
    assert "E-0002 Question" in last_reply(fd, RECEPTION)
    first, second = dms_to(fd, ALICE)
    assert "E-0001" in block_text(first) and "E-0002" in block_text(second)


def test_the_reference_is_quoted_in_reminders_and_alerts(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"question via email from Lee Wong for {ALICE_M}: hours")
    advance(fd, "2 business days")
    assert all("E-0001" in block_text(post) for post in posts_to(fd, "C0MGRS"))
    assert posts_to(fd, "C0MGRS")


def test_the_contact_and_medium_show_in_the_owners_dm_only(fd: Embedded) -> None:
    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via letter from Jane Doe jane@example.org for {ALICE_M}"
        " [contact 12 High St, Toronto] [prefers in person]: parking refund",
    )
    (enquiry,) = enquiries(fd)
    assert enquiry.contact == "12 High St, Toronto, jane@example.org"
    assert enquiry.prefers == "in_person"
    assert enquiry.from_name == "Jane Doe"
    dm = block_text(dms_to(fd, ALICE)[0])
    assert "12 High St" in dm and "jane@example.org" in dm and "prefers in person" in dm
    reply = last_reply(fd, RECEPTION)
    assert "12 High St" not in reply and "jane@example.org" not in reply


def test_an_enquiry_the_desk_has_shows_no_contact_in_the_channel(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until next monday")
    fd.command(
        RECEPTION,
        "/enquiry",
        f"request via phone from Sam Roe for {ALICE_M} [contact 416-555-0100]: a copy",
    )
    (post,) = [p for p in posts_to(fd, "C0DESK") if "E-0001" in block_text(p)]
    assert "416" not in block_text(post) and "555-0100" not in block_text(post)
    # Reception reads it out, to themselves alone.
    press(fd, RECEPTION, post, "Show contact")
    assert "416-555-0100" in last_reply(fd, RECEPTION)
    press(fd, BOB, post, "Show contact")
    assert "416-555-0100" not in last_reply(fd, BOB)
    assert "Only reception and managers" in last_reply(fd, BOB)


def test_the_form_takes_the_contact_and_the_medium(fd: Embedded) -> None:
    fd.command(BOB, "/enquiry", "")
    view = opened_form(fd)
    kinds = [o["value"] for o in field_of(view, "kind")["options"]]
    assert "compliment" in kinds and "referral" in kinds
    assert "teams" in [o["value"] for o in field_of(view, "channel")["options"]]
    select_ = {"type": "static_select"}
    fd.dispatch(
        fd.requests.view_submission(
            user_id=BOB,
            view=view,
            values={
                "kind": {"kind": select_ | {"selected_option": {"value": "suggestion"}}},
                "channel": {"channel": select_ | {"selected_option": {"value": "teams"}}},
                "from_name": {"from_name": {"type": "plain_text_input", "value": "Lee Park"}},
                "contact": {"contact": {"type": "plain_text_input", "value": "lee@x.org"}},
                "prefers": {"prefers": select_ | {"selected_option": {"value": "email"}}},
                "owner": {"owner": {"type": "users_select", "selected_user": None}},
                "summary": {"summary": {"type": "plain_text_input", "value": "More chairs"}},
            },
        )
    )
    fd.settle()
    (enquiry,) = enquiries(fd)
    assert (enquiry.kind, enquiry.channel, enquiry.contact, enquiry.prefers) == (
        "suggestion",
        "teams",
        "lee@x.org",
        "email",
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("praise via email from X: hi", "`praise` is not a kind of enquiry here: use complaint"),
        ("question via fax from X: hi", "`fax` is not a channel here: use phone, email, letter"),
        ("question via email from X [prefers pigeon]: hi", "`pigeon` is not a medium here"),
    ],
)
def test_an_unknown_word_is_named_and_the_allowed_ones_listed(
    fd: Embedded, text: str, says: str
) -> None:
    fd.command(BOB, "/enquiry", text)
    assert says in last_reply(fd, BOB)
    assert enquiries(fd) == []


def test_kinds_and_channels_come_from_the_policy(engine: Engine) -> None:
    example = example_policy_text()
    # The example's overrides name a letter and a compliment: this policy has neither.
    cut = example[: example.index("[sla.enquiry.channel.letter]")]
    cut += example[example.index("[templates]") : example.index("[templates.kind.compliment]")]
    cut += example[example.index("[scheduler]") :]
    extra = '[enquiry]\nkinds = ["complaint", "praise"]\nchannels = ["phone", "teams"]\n'
    policy = parse_policy(cut + extra, "test.toml")
    fd = start_on_test_clock(engine=engine, policy=policy, clock=ManualClock(TUESDAY_3PM))
    try:
        fd.command(BOB, "/enquiry", "praise via teams from Sam Roe: lovely")
        assert [(e.kind, e.channel) for e in enquiries(fd)] == [("praise", "teams")]
        fd.command(BOB, "/enquiry", "question via email from X: hi")
        assert "`question` is not a kind of enquiry here: use complaint or praise" in last_reply(
            fd, BOB
        )
        fd.command(BOB, "/enquiry", "complaint via email from X: hi")
        assert "`email` is not a channel here: use phone or teams" in last_reply(fd, BOB)
    finally:
        fd.close()


def test_a_kinds_window_wins_over_its_channels(engine: Engine) -> None:
    extra = '[sla.enquiry.kind.complaint]\nacknowledge = "2 business hours"\n'
    with desk_with(engine, extra) as fd:
        fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane for {ALICE_M}: x")
        found = stages(fd)
        # The kind's acknowledge (2 business hours) beats the letter's (3 business days); the
        # letter's resolve (15 business days) still applies.
        assert found["enquiry_ack"].window == "2 business hours"
        assert found["enquiry_resolve"].window == "15 business days"


def test_a_one_stage_compliment_reminds_and_alerts_once(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"compliment via teams from Sam Roe for {BOB_M}: lovely")
    assert list(stages(fd)) == ["enquiry_ack"]
    labels = [b["text"]["text"] for b in buttons(dms_to(fd, BOB)[0])]
    assert labels == ["Acknowledged", "Reassign…", "Running late…", "History"]
    advance(fd, "4 business days")
    reminders = [d for d in dms_to(fd, BOB) if "Due soon" in block_text(d)]
    overdue = [p for p in posts_to(fd, "C0MGRS") if "Overdue" in block_text(p)]
    assert len(reminders) == 1 and len(overdue) == 1


def test_acknowledging_a_one_stage_enquiry_ends_it(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"compliment via email from Sam Roe for {BOB_M}: lovely")
    press(fd, BOB, dms_to(fd, BOB)[0], "Acknowledged")
    submit_told(fd, BOB, medium="email")
    assert {i.state for i in stages(fd).values()} == {"done"}
    assert buttons(fd.double.calls_to("chat.update")[-1])[-1]["text"]["text"] == "History"


def test_an_enquiry_without_an_acknowledge_stage_has_only_resolved(engine: Engine) -> None:
    with desk_with(engine, '[sla.enquiry.kind.referral]\nacknowledge = "none"\n') as fd:
        fd.command(RECEPTION, "/enquiry", f"referral via phone from Kim for {ALICE_M}: to HR")
        assert list(stages(fd)) == ["enquiry_resolve"]
        dm = dms_to(fd, ALICE)[0]
        assert "Acknowledged" not in [b["text"]["text"] for b in buttons(dm)]
        press(fd, ALICE, dm, "Resolved")
        submit_told(fd, ALICE, medium="phone", outcome="Passed to HR")
        assert stages(fd)["enquiry_resolve"].outcome == "resolved"


def test_acknowledged_opens_a_form_prefilled_from_the_template(fd: Embedded) -> None:
    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via letter from Jane Doe for {ALICE_M} [prefers email]: parking refund",
    )
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Acknowledged")
    view = opened_form(fd)
    said = field_of(view, "said")["initial_value"]
    assert said.startswith("Dear Jane Doe, thank you for your complaint (our reference E-0001).")
    assert "Alice Adams" in said  # the owner, by name
    assert "Tuesday 15 December 2026" in said  # the resolve date (15 business days)
    assert field_of(view, "medium")["initial_option"]["value"] == "email"  # as they prefer
    assert stages(fd)["enquiry_ack"].state == "open"  # nothing changes until it is submitted


def test_a_kinds_own_template_is_prefilled_instead_of_the_general_one(engine: Engine) -> None:
    extra = '[templates.kind.complaint]\nacknowledge = "Sorry, {customer}: we have {ref}."\n'
    with desk_with(engine, extra) as fd:
        fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
        fd.command(RECEPTION, "/enquiry", f"question via email from Sam Roe for {ALICE_M}: y")
        complaint, question = dms_to(fd, ALICE)[:2]
        press(fd, ALICE, complaint, "Acknowledged")
        assert (
            field_of(opened_form(fd), "said")["initial_value"] == "Sorry, Jane Doe: we have E-0001."
        )
        press(fd, ALICE, question, "Acknowledged")
        said = field_of(opened_form(fd), "said")["initial_value"]
        assert said.startswith("Dear Sam Roe, thank you for your question (our reference E-0002).")


def test_the_example_policy_thanks_a_compliment_in_its_own_words(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"compliment via email from Sam Roe for {BOB_M}: lovely")
    press(fd, BOB, dms_to(fd, BOB)[0], "Acknowledged")
    said = field_of(opened_form(fd), "said")["initial_value"]
    assert said.startswith("Dear Sam Roe, thank you for your kind words (our reference E-0001)")


def test_what_the_customer_was_told_and_the_outcome_are_recorded_and_in_history(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    dm = dms_to(fd, ALICE)[0]
    press(fd, ALICE, dm, "Acknowledged")
    submit_told(fd, ALICE, medium="phone", said="Called her back", expect_by="2026-12-04")
    press(fd, ALICE, dm, "Resolved")
    submit_told(fd, ALICE, medium="letter", outcome="Refund agreed")
    assert [(r.stage, r.medium, r.said, r.outcome, r.expect_by) for r in told(fd)] == [
        ("acknowledge", "phone", "Called her back", None, date(2026, 12, 4)),
        ("resolve", "letter", told(fd)[1].said, "Refund agreed", None),
    ]
    assert "[what was decided, and why]" in str(told(fd)[1].said)
    press(fd, ALICE, dm, "History")
    shown = block_text(fd.double.calls_to("response_url")[-1])
    assert "customer told by phone; told to expect a full answer by Fri 04 Dec 2026" in shown
    assert "Called her back" in shown
    assert "customer told by letter; outcome: *Refund agreed*" in shown


def test_resolved_needs_an_outcome(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Resolved")
    response = submit_told(fd, ALICE, medium="letter", outcome=None)
    assert "Say what was decided." in (response.body or "")
    assert stages(fd)["enquiry_resolve"].state == "open"


def test_a_second_acknowledged_says_it_is_done_already(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    dm = dms_to(fd, ALICE)[0]
    press(fd, ALICE, dm, "Acknowledged")
    submit_told(fd, ALICE, medium="letter")
    opened = len(fd.double.calls_to("views.open"))
    press(fd, ALICE, dm, "Acknowledged")
    assert "already acknowledged" in last_reply(fd, ALICE)
    assert len(fd.double.calls_to("views.open")) == opened
    assert len(told(fd)) == 1


def late(fd: Embedded, told_: str, medium: str | None) -> None:
    press(fd, ALICE, dms_to(fd, ALICE)[0], "Running late…")
    view = opened_form(fd)
    values: dict[str, Any] = {
        "date": {"date": {"type": "datepicker", "selected_date": "2027-01-08"}},
        "reason": {"reason": {"type": "plain_text_input", "value": "Waiting on the archive"}},
        "told": {"told": {"type": "radio_buttons", "selected_option": {"value": told_}}},
        "medium": {
            "medium": {
                "type": "static_select",
                "selected_option": {"value": medium} if medium else None,
            }
        },
    }
    fd.dispatch(fd.requests.view_submission(user_id=ALICE, view=view, values=values))
    fd.settle()


def test_running_late_records_that_the_customer_was_told_and_how(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    late(fd, "yes", "phone")
    (reply,) = told(fd)
    assert (reply.stage, reply.told, reply.medium) == ("late", True, "phone")
    dm = block_text(dms_to(fd, ALICE)[-1])
    assert "*Jane Doe* has been told by phone" in dm
    assert "Friday 8 January 2027" in dm and "E-0001" in dm  # the late template, filled


def test_running_late_not_yet_told_reminds_the_owner_with_the_text_to_copy(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    late(fd, "no", None)
    (reply,) = told(fd)
    assert (reply.stage, reply.told, reply.medium) == ("late", False, None)
    dm = block_text(dms_to(fd, ALICE)[-1])
    assert "Please tell *Jane Doe*" in dm
    assert "You will have it by Friday 8 January 2027" in dm
    press(fd, ALICE, dms_to(fd, ALICE)[0], "History")
    shown = block_text(fd.double.calls_to("response_url")[-1])
    assert "not been told of the new date yet" in shown


def test_running_late_told_needs_how(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    late(fd, "yes", None)
    assert told(fd) == []
    assert stages(fd)["enquiry_resolve"].deadline_version == 1


def test_the_report_counts_enquiries_by_kind_and_channel_and_the_csv_says_what_was_told(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: x")
    fd.command(RECEPTION, "/enquiry", f"compliment via teams from Sam Roe for {ALICE_M}: y")
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Lee for {ALICE_M}: z")
    dm = dms_to(fd, ALICE)[0]
    press(fd, ALICE, dm, "Acknowledged")
    submit_told(fd, ALICE, medium="letter")
    press(fd, ALICE, dm, "Resolved")
    submit_told(fd, ALICE, medium="letter", outcome="Refund agreed")
    now = fd.clock.now()
    rendered = render_report(
        fd.engine,
        fd.runtime.ctx.policy,
        Period(now.date() - timedelta(days=1), now.date() + timedelta(days=1)),
        now + timedelta(hours=1),
    )
    assert rendered.report.enquiries_by_kind == {"complaint": 2, "compliment": 1}
    assert rendered.report.enquiries_by_channel == {"letter": 1, "teams": 1, "email": 1}
    rows = list(csv.DictReader(io.StringIO(rendered.csv.decode())))
    letter = [r for r in rows if r["enquiry_ref"] == "E-0001"]
    assert {(r["kind"], r["customer_told_by"], r["customer_outcome"]) for r in letter} == {
        ("enquiry_ack", "letter", ""),
        ("enquiry_resolve", "letter", "Refund agreed"),
    }
    summary = rendered.report.summary()
    assert summary["enquiries_by_kind"] == {"complaint": 2, "compliment": 1}


def test_retention_clears_the_contact_and_what_was_said(fd: Embedded) -> None:
    from bot.domain.services import privacy

    fd.command(
        RECEPTION,
        "/enquiry",
        f"complaint via letter from Jane Doe for {ALICE_M} [contact 12 High St]: x",
    )
    dm = dms_to(fd, ALICE)[0]
    press(fd, ALICE, dm, "Resolved")
    submit_told(fd, ALICE, medium="letter", outcome="Refund agreed")
    with Session(fd.engine) as session:
        found = privacy.forget(
            session, name="Jane Doe", by="U0MANAGER", now=fd.clock.now(), roles=fd.runtime.ctx.roles
        )
        session.commit()
    assert found.enquiries == 1
    (enquiry,) = enquiries(fd)
    assert enquiry.contact is None
    assert [(r.said, r.outcome) for r in told(fd)] == [(None, "Refund agreed")]


def test_a_phone_enquiry_records_when_the_caller_was_told_to_expect_a_full_answer(
    fd: Embedded,
) -> None:
    fd.command(
        RECEPTION,
        "/enquiry",
        f"question via phone from Sam Roe for {ALICE_M} [expect friday]: bus pass refund",
    )
    (reply,) = told(fd)
    # Tuesday 24 November: "friday" is the 27th.
    assert (reply.stage, reply.medium, reply.expect_by) == ("interim", "phone", date(2026, 11, 27))
    dm = dms_to(fd, ALICE)[0]
    assert "Told to expect a full answer by Fri 27 Nov 2026" in block_text(dm)
    press(fd, ALICE, dm, "History")
    shown = block_text(fd.double.calls_to("response_url")[-1])
    assert "logged it\n  ↳ customer told by phone; told to expect a full answer by Fri 27" in shown


@pytest.mark.parametrize(
    ("expect", "says"),
    [("someday", 'I could not read "someday" as a date'), ("last monday", "has passed")],
)
def test_an_unreadable_or_past_expect_date_is_refused(fd: Embedded, expect: str, says: str) -> None:
    fd.command(RECEPTION, "/enquiry", f"question via phone from Sam Roe [expect {expect}]: x")
    assert says in last_reply(fd, RECEPTION)
    assert enquiries(fd) == [] and told(fd) == []
