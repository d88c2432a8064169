"""Command lines a receptionist really types, each with what it is taken to mean.

Mentions arrive as Slack sends them with `should_escape: true` (`<@U0ALICE|alice>`), and `&`,
`<`, `>` already escaped; an `@name` Slack could not resolve arrives as plain text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.commands.enquiry_parse import LogEnquiry, parse_enquiry
from handlers.commands.message_parse import TakeMessage, parse_message, read_caller
from handlers.commands.parsing import ParseError, contacts_out
from handlers.commands.visitor_parse import Arrived, Expect, parse_visitor

A, B = "<@U0ALICE|alice>", "<@U0BOB|bob>"


def msg(
    caller: str,
    *,
    to: str = "U0ALICE",
    org: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    body: str | None = None,
    urgent: bool = False,
) -> TakeMessage:
    return TakeMessage(to, caller, org, phone, email, body, urgent)


MESSAGES = [
    # the plain forms
    (f"{A} Jane Doe", msg("Jane Doe")),
    (
        f"{A} Jane Doe (Acme) 416-555-0199: about the invoice",
        msg("Jane Doe", org="Acme", phone="416-555-0199", body="about the invoice"),
    ),
    # extra spaces and a typo'd spacing around the colon
    (f"  {A}   Jane    Doe   :   call back  ", msg("Jane Doe", body="call back")),
    (f"{A} Jane Doe:call back", msg("Jane Doe", body="call back")),
    # a number with no colon: what follows it is the message
    (f"{A} Sam Roe 416-555-0100 re invoice", msg("Sam Roe", phone="416-555-0100", body="invoice")),
    (
        f"{A} Sam Roe 416 555 0100 please call back after 3",
        msg("Sam Roe", phone="416 555 0100", body="please call back after 3"),
    ),
    (f"{A} Caller 0 416-555-0100", msg("Caller 0", phone="416-555-0100")),
    (f"{A} Jane 1-800-FLOWERS", msg("Jane", phone="1-800-FLOWERS")),
    (f"{A} Jane Doe +44 20 7946 0958", msg("Jane Doe", phone="+44 20 7946 0958")),
    (f"{A} Jane Doe (416) 555-0199 ext. 12", msg("Jane Doe", phone="(416) 555-0199 ext. 12")),
    (f"{A} Jane Doe 4165550199: ok", msg("Jane Doe", phone="4165550199", body="ok")),
    (
        f"{A} Jane Doe tel:+1-416-555-0199: ok",
        msg("Jane Doe", phone="tel:+1-416-555-0199", body="ok"),
    ),
    # a number or an address typed in the middle of the name
    (f"{A} Sam 416-555-0100 Roe: hi", msg("Sam Roe", phone="416-555-0100", body="hi")),
    (f"{A} Jane jane@example.com: hi", msg("Jane", email="jane@example.com", body="hi")),
    (
        f"{A} Jane Doe (Acme) jane@acme.example 416-555-0199",
        msg("Jane Doe", org="Acme", phone="416-555-0199", email="jane@acme.example"),
    ),
    # urgent before the recipient, right after it, or last before the message
    (f"urgent {A} Jane Doe: roof leak", msg("Jane Doe", body="roof leak", urgent=True)),
    (f"URGENT {A} Jane Doe", msg("Jane Doe", urgent=True)),
    (f"{A} urgent Dana : the alarm", msg("Dana", body="the alarm", urgent=True)),
    (f"{A} URGENT Dana", msg("Dana", urgent=True)),
    (f"{A} urgent! Dana", msg("Dana", urgent=True)),
    (f"{A} Dana urgent: call now", msg("Dana", body="call now", urgent=True)),
    (f"! {A} Dana", msg("Dana", urgent=True)),
    # "urgent" inside a name is a name
    (f"{A} Urgent Care Clinic: results are in", msg("Urgent Care Clinic", body="results are in")),
    (f"{A} Jo Park (Urgent Care Clinic)", msg("Jo Park", org="Urgent Care Clinic")),
    # both orders: the recipient after the caller
    (f"Sam Roe for {A}: call back", msg("Sam Roe", body="call back")),
    (f"from Sam Roe for {A}: call back", msg("Sam Roe", body="call back")),
    (f"for {A} Jane Doe", msg("Jane Doe")),
    (f"to {A} Jane Doe", msg("Jane Doe")),
    (f"Sam Roe (Acme) for {A} urgent: call", msg("Sam Roe", org="Acme", body="call", urgent=True)),
    # organisations with "for", colons and ampersands
    (
        f"{A} Sam Roe (Centre for Addiction): call",
        msg("Sam Roe", org="Centre for Addiction", body="call"),
    ),
    (
        f"{A} Sam Roe (Acme: Toronto office): call back",
        msg("Sam Roe", org="Acme: Toronto office", body="call back"),
    ),
    (f"{A} Sam (AT&amp;T): 2 &lt; 3", msg("Sam", org="AT&T", body="2 < 3")),
    (f"{A} Sam Roe from Acme Ltd: call back", msg("Sam Roe", org="Acme Ltd", body="call back")),
    # other separators, times and mentions in the message
    (f"{A} Jane Doe — call back after 10:30", msg("Jane Doe", body="call back after 10:30")),
    (f"{A} Jane Doe re: invoice INV-2026-0042", msg("Jane Doe", body="invoice INV-2026-0042")),
    (f"{A} Jane Doe: see {B} about it", msg("Jane Doe", body=f"see {B} about it")),
    (f"{A} Agent 47", msg("Agent 47")),
    (f"{A} Jane (3M) 555-01", msg("Jane", org="3M", phone="555-01")),
]

MESSAGE_ERRORS = [
    ("<#C0DESK|front-desk> Jane Doe: call back", "Who is the message for?"),
    ("@alice Jane Doe", "I can't find `@alice`"),
    ("from X for @dave: y", "I can't find `@dave`"),
    (f"{A} Sam Roe for @dave: y", "I can't find `@dave`"),
    (f"{A} Sam Roe for {B}: y", "Name one person"),
    (f"{A} (Acme) 416-555-0199", "Give the caller's name"),
]

VISITORS = [
    (f"arrived Kim Lee for {A}", Arrived("Kim Lee", None, "U0ALICE", None)),
    (
        f"arrived Kim Lee for {A} — meeting with {B} too",
        Arrived("Kim Lee", None, "U0ALICE", f"meeting with {B} too"),
    ),
    (
        f"arrived Kim Lee from Centre for Addiction for {A}",
        Arrived("Kim Lee", "Centre for Addiction", "U0ALICE", None),
    ),
    (
        f"arrived  Kim   Lee  from Acme  for {A}  -  early",
        Arrived("Kim Lee", "Acme", "U0ALICE", "early"),
    ),
    (f"arrived for {A} Kim Lee from Acme — early", Arrived("Kim Lee", "Acme", "U0ALICE", "early")),
    (f"arrived Kim Lee 416-555-0100 for {A}", Arrived("Kim Lee", None, "U0ALICE", "416-555-0100")),
    (
        f"arrived Kim Lee for {A}: parking at 10:30",
        Arrived("Kim Lee", None, "U0ALICE", "parking at 10:30"),
    ),
    # A dash left at the end with nothing after it is no note, and never a name.
    (f"arrived for {A} Kim Lee —", Arrived("Kim Lee", None, "U0ALICE", None)),
    (f"arrived Kim Lee for {A} -", Arrived("Kim Lee", None, "U0ALICE", None)),
    (
        f"expect Kim Lee from Acme for {A} tomorrow 10am",
        Expect("Kim Lee", "Acme", "U0ALICE", "tomorrow 10am"),
    ),
]

VISITOR_ERRORS = [
    ("arrived Kim Lee for @dave", "I can't find `@dave`"),
    ("arrived Kim Lee", "Who is the host?"),
    (f"arrived for {A} —", "Give the visitor's name"),  # the dash was once taken for a name
    (f"expect Kim Lee for {A}", "When are they expected?"),
]

ENQUIRIES = [
    (
        f"complaint via letter from Jane Doe for {A}: parking refund refused",
        LogEnquiry("complaint", "letter", "Jane Doe", "U0ALICE", "parking refund refused"),
    ),
    (
        "question via phone from Sam Roe: opening hours?",
        LogEnquiry("question", "phone", "Sam Roe", None, "opening hours?"),
    ),
    (
        f"request via in person from Centre for Addiction (East: 2nd floor) for {A}: brochures",
        LogEnquiry(
            "request", "in_person", "Centre for Addiction (East: 2nd floor)", "U0ALICE", "brochures"
        ),
    ),
    (
        f"complaint via phone from Sam Roe 416-555-0100 for {A}: rude caller",
        LogEnquiry("complaint", "phone", "Sam Roe", "U0ALICE", "rude caller", "416-555-0100"),
    ),
]

ENQUIRY_ERRORS = [
    ("complaint via phone from X for @dave: y", "I can't find `@dave`"),
    ("complaint via phone from X", "What is it about?"),
]


def test_the_table_holds_at_least_forty_real_command_lines() -> None:
    total = len(MESSAGES + MESSAGE_ERRORS + VISITORS + VISITOR_ERRORS + ENQUIRIES + ENQUIRY_ERRORS)
    assert total >= 40


@pytest.mark.parametrize(("text", "want"), MESSAGES, ids=[t for t, _ in MESSAGES])
def test_a_receptionist_types_a_message_and_it_is_read_as_meant(
    text: str, want: TakeMessage
) -> None:
    assert parse_message(text, region="CA") == want


@pytest.mark.parametrize(("text", "error"), MESSAGE_ERRORS)
def test_a_message_that_cannot_be_read_says_why_and_shows_the_form(text: str, error: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_message(text, region="CA")
    assert error in raised.value.message and "/message @recipient" in raised.value.usage


@pytest.mark.parametrize(("text", "want"), VISITORS, ids=[t for t, _ in VISITORS])
def test_a_receptionist_signs_a_visitor_in_and_it_is_read_as_meant(
    text: str, want: Arrived | Expect
) -> None:
    assert parse_visitor(text, region="CA") == want


@pytest.mark.parametrize(("text", "error"), VISITOR_ERRORS)
def test_a_visitor_line_that_cannot_be_read_says_why(text: str, error: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_visitor(text, region="CA")
    assert error in raised.value.message and "/visitor" in raised.value.usage


@pytest.mark.parametrize(("text", "want"), ENQUIRIES, ids=[t for t, _ in ENQUIRIES])
def test_a_receptionist_logs_an_enquiry_and_it_is_read_as_meant(
    text: str, want: LogEnquiry
) -> None:
    assert parse_enquiry(text, region="CA") == want


@pytest.mark.parametrize(("text", "error"), ENQUIRY_ERRORS)
def test_an_enquiry_line_that_cannot_be_read_says_why(text: str, error: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_enquiry(text, region="CA")
    assert error in raised.value.message and "/enquiry" in raised.value.usage


@pytest.mark.parametrize(
    ("typed", "want"),
    [
        ("Sam Roe", ("Sam Roe", None, None, None, None)),
        ("Sam Roe 416-555-0100", ("Sam Roe", None, "416-555-0100", None, None)),
        ("Sam Roe (Acme) sam@roe.example", ("Sam Roe", "Acme", None, "sam@roe.example", None)),
        ("Sam Roe 416-555-0100 re invoice", ("Sam Roe", None, "416-555-0100", None, "invoice")),
    ],
)
def test_a_caller_typed_with_a_number_into_the_form_is_read_as_the_command_reads_it(
    typed: str, want: tuple[str | None, ...]
) -> None:
    caller = read_caller(typed, region="CA")
    assert (caller.name, caller.organisation, caller.phone, caller.email, caller.said) == want


_pieces = st.sampled_from(
    [
        A,
        B,
        "@dave",
        "urgent",
        "Urgent",
        "for",
        "from",
        "to",
        "(",
        ")",
        ":",
        "—",
        "-",
        "re",
        "416-555-0100",
        "+44 20 7946 0958",
        "tel:+1-416-555-0100",
        "jo@x.example",
        "&amp;",
        "&lt;",
        "10:30",
        "V-001",
        "Sam",
        "Roe",
        "Acme",
        "\u202e",
        "  ",
        "!",
    ]
)
_lines = st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=_lines)
def test_whatever_is_typed_is_read_or_refused_with_the_form(text: str) -> None:
    for parse, prefix in (
        (parse_message, ""),
        (parse_visitor, "arrived "),
        (parse_visitor, "expect "),
        (parse_enquiry, "complaint via phone from "),
    ):
        try:
            parse(prefix + text, region="CA")
        except ParseError as error:
            assert error.message and error.usage


@pytest.mark.parametrize(
    ("typed", "want"),
    [
        ("Kim Lee", ("Kim Lee", None)),
        ("Kim Lee 647 555 0102", ("Kim Lee", "647 555 0102")),
        ("Kim <mailto:kim@lee.example|kim@lee.example> Lee", ("Kim Lee", "kim@lee.example")),
        ("Kim kim@lee.example +44 20 7946 0958", ("Kim", "kim@lee.example, +44 20 7946 0958")),
    ],
)
def test_a_number_or_address_typed_into_a_visitors_name_in_the_form_is_taken_out(
    typed: str, want: tuple[str, str | None]
) -> None:
    assert contacts_out(typed, "CA") == want
