"""`/message` text into a request, and phone numbers read by the site's region: tables of cases."""

from __future__ import annotations

import pytest

from bot.domain.services.messages import parse_phone, phone_region
from handlers.commands.message_parse import Help, OpenForm, TakeMessage, parse_message
from handlers.commands.parsing import ParseError

A = "<@U0ALICE|alice>"

CASES = [
    (f"{A} Jane Doe", ("Jane Doe", None, None, None, None, False)),
    (f"{A} Jane Doe (Acme)", ("Jane Doe", "Acme", None, None, None, False)),
    (f"{A} Jane Doe 416-555-0199", ("Jane Doe", None, "416-555-0199", None, None, False)),
    (f"{A} Jane Doe (416) 555-0199", ("Jane Doe", None, "(416) 555-0199", None, None, False)),
    (
        f"{A} Jane Doe (Acme) +44 20 7946 0958: call about the contract",
        ("Jane Doe", "Acme", "+44 20 7946 0958", None, "call about the contract", False),
    ),
    (
        f"{A} Jane Doe (Acme) 613 555 2368 ext. 12",
        ("Jane Doe", "Acme", "613 555 2368 ext. 12", None, None, False),
    ),
    (f"{A} Jane (3M) 555-01", ("Jane", "3M", "555-01", None, None, False)),
    (f"{A} Agent 47", ("Agent 47", None, None, None, None, False)),
    (f"{A} Jane jane@example.com: hi", ("Jane", None, None, "jane@example.com", "hi", False)),
    (
        f"{A} Sam (AT&amp;T): 2 &lt; 3, said &lt;!channel&gt;",
        ("Sam", "AT&T", None, None, "2 < 3, said <!channel>", False),
    ),
    (f"urgent {A} Jane Doe: the roof", ("Jane Doe", None, None, None, "the roof", True)),
    (f"for {A} Jane Doe", ("Jane Doe", None, None, None, None, False)),
    (
        f"{A} Jane Doe: see <@U0BOB|bob> about it",
        ("Jane Doe", None, None, None, "see <@U0BOB|bob> about it", False),
    ),
    (f"{A}  Jane   Doe  :  two\nlines ", ("Jane Doe", None, None, None, "two\nlines", False)),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_the_inline_form_is_read(text: str, want: tuple[object, ...]) -> None:
    request = parse_message(text)
    assert isinstance(request, TakeMessage) and request.recipient_id == "U0ALICE"
    got = (
        request.caller,
        request.organisation,
        request.phone,
        request.email,
        request.body,
        request.urgent,
    )
    assert got == want


@pytest.mark.parametrize(("text", "kind"), [("", OpenForm), ("  ", OpenForm), ("help", Help)])
def test_no_text_opens_the_form_and_help_helps(text: str, kind: type) -> None:
    assert isinstance(parse_message(text), kind)


BAD = [
    ("<#C0DESK|front-desk> Jane Doe", "Who is the message for?"),
    ("@alice Jane Doe", "I can't find `@alice`"),
    (A, "Give the caller's name"),
    (f"{A} (Acme) 416-555-0199", "Give the caller's name"),
    (f"{A} {'x' * 201}", "too long"),
    (f"{A} Jane: {'x' * 3001}", "too long"),
]


@pytest.mark.parametrize(("text", "error"), BAD)
def test_bad_text_says_what_was_wrong_with_the_form(text: str, error: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_message(text)
    assert error in raised.value.message and "/message @recipient" in raised.value.usage


PHONES = [
    ("416-555-0199", "CA", "(416) 555-0199", "+14165550199", True),
    ("4165550199", "CA", "(416) 555-0199", "+14165550199", True),
    ("+44 20 7946 0958", "CA", "+44 20 7946 0958", "+442079460958", True),
    ("020 7946 0958", "GB", "020 7946 0958", "+442079460958", True),
    ("613 555 2368 x12", "CA", "(613) 555-2368 ext. 12", "+16135552368", True),
    ("555-01", "CA", "555-01", None, False),
    ("twelve", "US", "twelve", None, False),
]


@pytest.mark.parametrize(("typed", "region", "display", "e164", "valid"), PHONES)
def test_phone_numbers_are_formatted_or_kept_as_typed(
    typed: str, region: str, display: str, e164: str | None, valid: bool
) -> None:
    phone = parse_phone(typed, region)
    assert (phone.display, phone.e164, phone.valid, phone.typed) == (display, e164, valid, typed)


@pytest.mark.parametrize(
    ("holidays", "region"), [("CA-ON", "CA"), ("GB", "GB"), ("", "US"), ("JE", "JE")]
)
def test_the_phone_region_comes_from_the_sites_holiday_country(holidays: str, region: str) -> None:
    assert phone_region(holidays) == region


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (f"{A} Jane {'416-555-0199' * 10}", "phone number is too long"),
        (f"{A} Jane {'j' * 250}@example.com", "e-mail address is too long"),
    ],
)
def test_a_number_or_address_too_long_for_its_field_is_refused(text: str, error: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_message(text)
    assert error in raised.value.message
