"""Contact details in free text: found, taken out, and masked before anything reaches a channel.

Numbers are found with `phonenumbers`' matcher for the site's region (national forms there,
international forms from anywhere), plus what the matcher does not look for: RFC 3966 `tel:`
URIs, `00` and `011` international prefixes, lettered numbers ("1-800-FLOWERS"), local numbers
written as `555-0100`, and long digit runs that are no date. Dates, times, pass numbers
("V-001"), references ("INV-2026-0042") and amounts ("$1,250.00") are left as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

DEFAULT_REGION = "US"
EMAIL_REMOVED = "[e-mail removed]"
PHONE_REMOVED = "[number removed]"

# `%40` is an "@" that went through a URL.
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# An address cut short where a long text was shortened ("mail jo@par…").
_EMAIL_CUT = re.compile(r"[\w.+-]+(?:@|%40)[\w.-]*(?=\s?…)", re.IGNORECASE)
# Slack's link form of an address typed into a message: `<mailto:jane@x.org|jane@x.org>`.
EMAIL_LINK = re.compile(r"<mailto:([^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)
TEL_URI = re.compile(r"\btel:[^\s<>]+", re.IGNORECASE)
# An international prefix the matcher only knows as "+": "00 44 …", "011 44 …".
_IDD = re.compile(r"(?<![\w+])(?:00|011)[\s.-]?[1-9][\d\s().-]{6,}\d(?![\w])")
# Lettered numbers: "1-800-FLOWERS", "(888) GOT-JUNK".
_VANITY = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?(?=[A-Z0-9-]*[A-Z]{3})[A-Z0-9]{2,}(?:-[A-Z0-9]+)*(?![\w-])"
)
# What the matcher calls "possible" is a phone number only when it is written like one.
_PHONE_SHAPED = re.compile(r"^\+|\(\d+\)|(?<!\d)\d{3}[\s.-]\d{4}(?:\D|$)")
# A long run of digits (other regions' national forms), unless it is a date or part of a code.
_RUN = re.compile(r"(?<![\w/#.-])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?![\w/])")
# A number cut short where a long text was shortened ("call 416-555-01…"): still a number.
_CUT_SHORT = re.compile(r"(?<![\w/#.-])\+?\(?\d[\d\s().-]*\d(?=\s?…)")
CUT_SHORT_DIGITS = 5
MIN_PHONE_DIGITS = 3  # "911" is the shortest number anyone types; fewer digits are no number
_GROUP = re.compile(r"\+?\(?\d+\)?")
LONG_RUN_DIGITS = 10
MAX_GROUPS_SEARCHED = 8
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
# Dates, times, amounts and references are hidden from the matchers, which would otherwise read "+1 201 555 0123 10"
# out of "+12015550123 10:30" or give up on a number followed by a date.
_SHIELDED = re.compile(
    r"(?<![\d.\-/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}-\d{1,2}-\d{4})"
    r"(?![\d.\-/])|(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])"
    # amounts: "$1,250.00", "£45.50", "CAD 300", "1,250,000"
    r"|(?:[$£€¥]|\b(?:CAD|USD|EUR|GBP)\s?)\d[\d,]*(?:\.\d{1,2})?|\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b"
    # pass numbers and references: "V-001", "INV-2026-0042", "#4521"
    r"|\b[A-Za-z]{1,6}-\d+(?:-\d+)*\b|#\d+\b"
    # times of day: "3pm", "10:30 am"
    r"|(?<![\d:])\d{1,2}(?::\d{2})?\s?(?i:am|pm|a\.m\.|p\.m\.)(?!\w)"
)
_HASH_AT_END = re.compile(r"\s*#\s*\d+$")
SHIELD = "\u00a4"


@dataclass(frozen=True)
class Found:
    """A phone number found in text: where, and as typed."""

    start: int
    end: int
    typed: str


def find_phones(text: str, region: str = DEFAULT_REGION) -> list[Found]:
    """Every phone number in `text`, in order, none overlapping."""
    if sum(c.isdigit() for c in text) < MIN_PHONE_DIGITS:  # most names: no matcher needed
        return []
    spans: list[Found] = []
    for found in _candidates(text, region):
        if not any(found.start < s.end and s.start < found.end for s in spans):
            spans.append(found)
    return sorted(spans, key=lambda f: f.start)


def _candidates(typed: str, region: str) -> Iterator[Found]:
    for match in TEL_URI.finditer(typed):
        yield Found(match.start(), match.end(), match.group(0))
    text = _SHIELDED.sub(lambda m: SHIELD * len(m.group(0)), typed)
    for number in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        yield _without_hash(typed, number.start, number.end)
    for number in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if _PHONE_SHAPED.search(number.raw_string):
            yield _without_hash(typed, number.start, number.end)
    for match in _IDD.finditer(text):
        digits = re.sub(r"^(?:00|011)", "+", re.sub(r"[^\d]", "", match.group(0)))
        if _possible(digits, region):
            yield Found(match.start(), match.end(), typed[match.start() : match.end()])
    for match in _VANITY.finditer(text):
        if _possible(match.group(0), region, valid=True):
            yield Found(match.start(), match.end(), match.group(0))
    for match in _CUT_SHORT.finditer(text):
        if sum(c.isdigit() for c in match.group(0)) >= CUT_SHORT_DIGITS:
            yield Found(match.start(), match.end(), match.group(0))
    for match in _RUN.finditer(text):
        inner = _valid_inside(match, region)
        if inner is not None:
            yield inner
        elif _long_run(match.group(0)):
            yield Found(match.start(), match.end(), match.group(0))


def _long_run(run: str) -> bool:
    """A run of digits too long to be anything but a number (and no date)."""
    return sum(c.isdigit() for c in run) >= LONG_RUN_DIGITS and not _DATE.search(run)


def _valid_inside(run: re.Match[str], region: str) -> Found | None:
    """The longest valid number made of whole digit groups of `run` ("1234 416 200 0000")."""
    groups = [
        (run.start() + g.start(), run.start() + g.end()) for g in _GROUP.finditer(run.group(0))
    ]
    if len(groups) > MAX_GROUPS_SEARCHED:
        return None  # no one writes a number in so many pieces: a long run, masked whole
    text = run.string
    for size in range(len(groups), 0, -1):
        for first in range(len(groups) - size + 1):
            start, end = groups[first][0], groups[first + size - 1][1]
            if _possible(text[start:end], region, valid=True):
                return Found(start, end, text[start:end])
    return None


def _without_hash(typed: str, start: int, end: int) -> Found:
    """The match, less a "#123" the matcher read as an extension: that is a reference."""
    found = _HASH_AT_END.search(typed, start, end)
    if found is not None:
        end = found.start()
    return Found(start, end, typed[start:end])


def _possible(typed: str, region: str, *, valid: bool = False) -> bool:
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return False
    if valid:
        return bool(phonenumbers.is_valid_number(number))
    return bool(phonenumbers.is_possible_number(number))


def scrub_contacts(text: str, region: str = DEFAULT_REGION) -> str:
    """Replace e-mail addresses and phone numbers in `text` with a placeholder."""
    text = EMAIL.sub(EMAIL_REMOVED, EMAIL_LINK.sub(EMAIL_REMOVED, text))
    text = _EMAIL_CUT.sub(EMAIL_REMOVED, text)
    out, last = [], 0
    for found in find_phones(text, region):
        out += [text[last : found.start], PHONE_REMOVED]
        last = found.end
    return "".join(out) + text[last:]


def unlinked(text: str) -> str:
    """Slack's `<mailto:…|…>` links as the bare addresses they stand for."""
    return EMAIL_LINK.sub(r"\1", text)


def has_contacts(text: str, region: str = DEFAULT_REGION) -> bool:
    """Whether `text` holds an e-mail address or a phone number."""
    return scrub_contacts(text, region) != text


@cache
def region_for_zone(zone: str) -> str:
    """The phone region of a time zone ("America/Toronto" → "US", the +1 plan's main region).

    National numbers read the same anywhere in one calling code, so the calling code most of
    the zone's numbers have is enough; a zone no number lives in reads as `DEFAULT_REGION`.
    """
    from phonenumbers.tzdata import TIMEZONE_DATA

    codes: Counter[int] = Counter()
    for prefix, zones in TIMEZONE_DATA.items():
        if zone not in zones:
            continue
        for size in (1, 2, 3):
            code = int(prefix[:size]) if prefix[:size].isdigit() else 0
            if phonenumbers.region_code_for_country_code(code) != "ZZ":
                codes[code] += 1
                break
    if not codes:
        return _zone_tab_country(zone) or DEFAULT_REGION
    return str(phonenumbers.region_code_for_country_code(codes.most_common(1)[0][0]))


def _zone_tab_country(zone: str) -> str | None:
    """The country the system's `zone.tab` gives a zone ("Europe/Dublin" → "IE"), if any."""
    import zoneinfo
    from pathlib import Path

    for root in zoneinfo.TZPATH:
        table = Path(root) / "zone.tab"
        if not table.is_file():
            continue
        for line in table.read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split("\t")
            if len(fields) >= 3 and fields[2] == zone and not line.startswith("#"):
                return fields[0] if fields[0] in phonenumbers.SUPPORTED_REGIONS else None
    return None
