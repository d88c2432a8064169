"""Bad input never breaks anything (issue 6, item 1).

Property tests drive every slash command's text and every modal's fields with generated input —
empty, 10k characters, unicode (RTL, emoji, combining marks, NUL and control characters),
mentions of real and unknown people, `<!channel>` and friends, Slack's own escapes, markdown,
SQL-looking text, links and impossible dates — through the real Bolt app against the Slack double,
and check after each example that:

- every request was answered 200 and nothing was logged at ERROR (an "unexpected failure,
  ref …" apology is a failure too);
- the person got a clear reply (an ack with text, a response_url post, an ephemeral or DM, a
  modal opened, or the modal's own field errors);
- nothing the bot sent to Slack carries a token the bot did not mean: no `<!channel>`, `<!here>`,
  `<!everyone>`, no mention of an id that is not a real directory user, and no `<` or `>`
  outside the tokens the bot itself emits (validated mentions, its channels, date tokens);
- the double accepted every call (a long name must be truncated, not refused as invalid_blocks).

Each example gets a Front Desk of its own (a new SQLite file, a new double), so examples do not
see each other's visitors. SQLite only: these are about input, not about the database.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select as select_rows
from sqlmodel import Session, select

from bot.console import demo
from bot.console.embedded import Embedded
from bot.domain.clock import ManualClock
from bot.domain.config import EnquiryConfig, parse_policy
from handlers.actions.item_buttons import REASSIGN_FORM_ID, reassign_view
from handlers.blocks.messages import (
    INTERIM_FORM_ID,
    MESSAGE_FORM_ID,
    interim_view,
    message_form_view,
)
from handlers.blocks.visitor_record import HAND_OVER_FORM, hand_over_view
from handlers.commands.desk import VERBS
from handlers.commands.parsing import clean, contacts_out
from handlers.registry import COMMANDS, LISTENERS
from handlers.text import esc, without_controls
from handlers.views import enquiry_followup, enquiry_form, enquiry_told, incident_form, visitor_form
from storage.db import make_engine
from storage.models import Enquiry, Item, PhoneMessage, SQLModel, Visit
from tests.conftest import TUESDAY_3PM, example_policy_text, start_on_test_clock
from tests.helpers import block_text
from tests.time_helpers import advance_to

RECEPTION, ALICE, BOB, CAROL, MANAGER = (
    "U0RECEPTION",
    "U0ALICE",
    "U0BOB",
    "U0CAROL",
    "U0MANAGER",
)
PEOPLE = [RECEPTION, ALICE, BOB, CAROL, MANAGER]
DIRECTORY = {user.id for user in demo.DEMO_USERS}
BOT_CHANNELS = {demo.DESK_CHANNEL[0], demo.MANAGERS_CHANNEL[0]}

# ---- generated input -------------------------------------------------------------------------

# What people type (Slack escapes `&`, `<`, `>` in it before it reaches us).
TYPED = [
    "<",
    ">",
    "&",
    "<script>",
    "&lt;",
    "&amp;",
    "&gt;",
    "a<b>c",
    "AT&T",
    "*bold*",
    "_italic_",
    "~strike~",
    "`code`",
    "```block```",
    "> quote",
    "'; DROP TABLE visit; --",
    "Robert'); DROP TABLE item;--",
    '" OR 1=1 --',
    "%s %(name)s {0} {name}",
    "31 Feb",
    "yesterday",
    "13/13/2026",
    "in 999 years",
    "tomorrow 10am",
    "next Friday",
    "Dec 10 1pm",
    "3pm",
    "10:30",
    ":",
    "from",
    "for",
    "—",
    "-",
    "(",
    ")",
    "(Acme)",
    "416-555-0199",
    "+44 20 7946 0958 ext. 12",
    "jane@example.com",
    "via letter from",
    "backup",
    "until",
    "urgent",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا",
    "👩\u200d👩\u200d👧\u200d👦",
    "🎉",
    "e\u0301\u0301\u0301\u0301",
    "Z\u0351\u0352\u0353\u0354\u0355",
    "\x00",
    "\x07\x1b[31m",
    "\u200b",
    "\ufeff",
    "\n",
    "\t",
    "\r\n",
    "x" * 300,
]
# Tokens Slack itself puts in the text: mentions (real and unknown people), specials, links.
TOKENS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<@U0ALICE|alice>",
    "<@U0ALICE>",
    "<@U0BOB|bob>",
    "<@U0RECEPTION|reception>",
    "<@U0MANAGER|manager>",
    "<@U0NOBODY>",
    "<@U0NOBODY|nobody>",
    "<@W0GHOST|ghost>",
    "<#C0DESK|front-desk>",
    "<#C0NOPE|nope>",
    "<http://x|y>",
    "<https://evil.example/a?b=c&amp;d=e>",
    "<mailto:jane@example.com|jane@example.com>",
    "<!subteam^S0123|@team>",
    "<!date^0^{date}|x>",
]
REAL_MENTIONS = ["<@U0ALICE|alice>", "<@U0BOB>", "<@U0CAROL|carol>", "<@U0MANAGER|manager>"]
ANY_MENTION = st.sampled_from(
    [*REAL_MENTIONS, "<@U0RECEPTION|reception>", "<@U0NOBODY>", "<@U0NOBODY|nobody>", "<@W0GHOST>"]
)
DATES = [
    "31 Feb",
    "yesterday",
    "13/13/2026",
    "in 999 years",
    "tomorrow",
    "tomorrow 10am",
    "next Friday",
    "Dec 10 1pm",
    "2026-02-31",
    "2026-11-25",
    "2020-01-01",
    "0",
    "-1",
    "now",
    "3pm",
    "",
]


def _ten_thousand(text: str) -> str:
    return (text * (10_000 // max(1, len(text)) + 1))[:10_000]


# Typed text, escaped as Slack sends it.
_typed = st.one_of(st.sampled_from(TYPED), st.text(max_size=30)).map(esc)
_piece = st.one_of(_typed, _typed, st.sampled_from(TOKENS))
# A run of pieces; sometimes 10k characters of one piece.
words = st.one_of(
    st.just(""),
    st.lists(_piece, min_size=1, max_size=6).map(" ".join),
    st.sampled_from(TYPED + TOKENS).map(lambda s: _ten_thousand(esc(s) if s in TYPED else s)),
)
dates = st.one_of(st.sampled_from(DATES), words)

# Modal text inputs arrive as typed: not escaped by Slack.
_raw_piece = st.one_of(st.sampled_from(TYPED), st.sampled_from(TOKENS), st.text(max_size=30))
raw_words = st.one_of(
    st.none(),
    st.just(""),
    st.lists(_raw_piece, min_size=1, max_size=6).map(" ".join),
    st.sampled_from(TYPED + TOKENS).map(_ten_thousand),
)
picked_user = st.one_of(
    st.none(), st.sampled_from([*PEOPLE, "U0NOBODY", "W0GHOST", "<!channel>", ""])
)
picked_date = st.one_of(
    st.none(),
    st.sampled_from(["2026-11-25", "2026-12-31", "2020-01-01", "2026-02-31", "yesterday", ""]),
    st.dates().map(str),
)


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


# ---- the harness -----------------------------------------------------------------------------


class _Errors(logging.Handler):
    """Collects every ERROR record, from any logger, any thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Desk:
    """One Front Desk for one example, and what went wrong in it."""

    fd: Embedded
    errors: _Errors
    problems: list[str] = field(default_factory=list)

    def command(self, user_id: str, command: str, text: str) -> None:
        response = self.fd.command(user_id, command, text)
        if response.status != 200:
            self.problems.append(f"{command} answered {response.status}: {response.body[:200]}")

    def submit(self, user_id: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
        response = self.fd.dispatch(
            self.fd.requests.view_submission(user_id=user_id, view=view, values=values)
        )
        self.fd.settle()
        if response.status != 200:
            self.problems.append(f"view answered {response.status}: {response.body[:200]}")
        return response


@contextmanager
def front_desk() -> Iterator[Desk]:
    """A fresh Front Desk (new SQLite file, new double, frozen clock), ERROR logs captured."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'frontdesk.db'}")
        SQLModel.metadata.create_all(engine)
        policy = parse_policy(example_policy_text(), "frontdesk.example.toml")
        fd = start_on_test_clock(engine=engine, policy=policy, clock=ManualClock(TUESDAY_3PM))
        errors = _Errors()
        root = logging.getLogger()
        root.addHandler(errors)
        try:
            yield Desk(fd, errors)
        finally:
            root.removeHandler(errors)
            fd.close()
            engine.dispose()


def _mrkdwn(value: Any, found: list[str]) -> None:
    """Every mrkdwn string in a payload (plain_text is shown as typed, so it is not scanned)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            found.append(value["text"])
        for key, inner in value.items():
            if key != "text" or isinstance(inner, dict | list):
                _mrkdwn(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _mrkdwn(inner, found)


_ALLOWED_TOKEN = re.compile(
    r"<@(?P<user>[UW][A-Z0-9]+)>"
    r"|<#(?P<channel>C[A-Z0-9]+)(?:\|[^<>|]*)?>"
    r"|<!date\^\d+\^[^|<>]*\|[^<>]*>"
)


def token_problems(text: str) -> list[str]:
    """What in `text` would be a token the bot did not mean (or a stray `<` / `>`)."""
    problems = []
    for special in ("<!channel", "<!here", "<!everyone", "<!subteam"):
        if special in text:
            problems.append(f"{special}> reached Slack")
    for token in _ALLOWED_TOKEN.finditer(text):
        if token.group("user") and token.group("user") not in DIRECTORY:
            problems.append(f"mention of an unvalidated id {token.group(0)}")
        if token.group("channel") and token.group("channel") not in BOT_CHANNELS:
            problems.append(f"link to a channel the bot does not use {token.group(0)}")
    # The bot's own block quotes start a line with ">"; anything else is someone's text.
    rest = re.sub(r"(?m)^>", "", _ALLOWED_TOKEN.sub("", text))
    for stray in re.finditer(r"[<>]", rest):
        around = rest[max(0, stray.start() - 30) : stray.end() + 30]
        problems.append(f"unescaped {stray.group(0)!r} in …{around!r}…")
        break
    return problems


def outgoing(fd: Embedded) -> Iterator[tuple[str, dict[str, Any]]]:
    """Everything the bot showed: ack bodies, and the calls the double received."""
    for response in fd.responses:
        if response.body and response.body.startswith("{"):
            yield "ack", json.loads(response.body)
    for call in fd.double.calls:
        if call.method.startswith(("chat.", "views.")) or call.method == "response_url":
            yield call.method, call.args


def check(desk: Desk, user_id: str, *, what: str) -> None:
    """The properties every example keeps."""
    fd = desk.fd
    problems = list(desk.problems)
    for record in desk.errors.records:
        problems.append(f"ERROR logged by {record.name}: {record.getMessage()[:300]}")
    for error in fd.executor.errors:
        problems.append(f"exception escaped a listener: {error!r}")
    for call in fd.double.calls:
        # (users.info answering user_not_found is how the directory finds out: not a refusal.)
        if not call.ok and call.method.startswith(("chat.", "views.", "files.", "response_url")):
            problems.append(f"Slack refused {call.method}: {call.error} {call.response}")
    replies = 0
    dm = fd.double.dm_channel(user_id)
    for method, payload in outgoing(fd):
        texts: list[str] = []
        if isinstance(payload.get("text"), str):
            texts.append(payload["text"])
        _mrkdwn(payload.get("blocks") or [], texts)
        _mrkdwn(payload.get("view") or {}, texts)
        if "something went wrong" in " ".join(texts).lower():
            problems.append(f"an apology in {method}: {' '.join(texts)[:200]}")
        for text in texts:
            problems.extend(f"{method}: {p}" for p in token_problems(text))
        to_user = (
            method == "ack"
            or method == "views.open"
            or (method in ("response_url", "chat.postEphemeral") and payload.get("user") == user_id)
            or (method == "chat.postMessage" and payload.get("channel") == dm)
            # A modal opened from a message's button answers by rewriting that message.
            or method == "chat.update"
        )
        said = any(t.strip() for t in texts) or payload.get("errors") or method == "views.open"
        if to_user and said:
            replies += 1
    if not replies:
        problems.append("no reply to the person")
    problems.extend(record_problems(fd))
    assert not problems, f"{what}:\n" + "\n".join(dict.fromkeys(problems))


def record_problems(fd: Embedded) -> list[str]:
    """Rows PostgreSQL would refuse (SQLite does not): over a column's length, or with a NUL."""
    problems = []
    with fd.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if hasattr(c.type, "length")]  # String, AutoString
            if not columns:
                continue
            for row in connection.execute(select_rows(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    length = getattr(column.type, "length", None)
                    if length is not None and len(value) > length:
                        problems.append(
                            f"{table.name}.{column.name} holds {len(value)} characters "
                            f"(the column takes {length})"
                        )
                    if "\x00" in value:
                        problems.append(f"{table.name}.{column.name} holds a NUL")
    return problems


def _settings(examples: int) -> Any:
    """`FRONTDESK_BAD_INPUT_SCALE=10` runs ten times the examples, for a deeper look."""
    return settings(
        max_examples=examples * int(os.environ.get("FRONTDESK_BAD_INPUT_SCALE", "1")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---- coverage of the registry ----------------------------------------------------------------


DESK_VERBS = [
    "in",
    "out",
    "board",
    "roll-call",
    "rollcall",
    "roll",
    "close",
    "forget",
    "incident",
    "incidents",
    "mine",
    "report",
    "site",
    "assist",
    "watch",
    "help",
]


def test_every_command_and_desk_verb_is_driven_by_a_property() -> None:
    """A new command or verb must join the properties below."""
    import handlers.commands.desk_verbs  # noqa: F401  (registers the verbs)

    assert set(COMMANDS) == {"/visitor", "/message", "/ooo", "/desk", "/enquiry", "/call"}
    assert set(VERBS) <= set(DESK_VERBS)


def test_every_modal_is_driven_by_a_property() -> None:
    """Every view listener's callback_id (handlers/registry.py) has a property below."""
    found = {matches for kind, matches, _ in LISTENERS if kind == "view"}
    assert found == set(MODALS)


# ---- commands --------------------------------------------------------------------------------


def _phrase(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(lambda bits: " ".join(b for b in bits if b))


visitor_text = st.one_of(
    words,
    _phrase(
        st.sampled_from(
            ["arrived", "expect", "left", "cancel", "list", "help", "ARRIVED", "signout", "nope"]
        ),
        words,
    ),
    _phrase(
        st.sampled_from(["arrived", "expect"]),
        words,
        _optional(_phrase(st.just("from"), words)),
        st.just("for"),
        ANY_MENTION,
        _optional(st.one_of(dates, _phrase(st.sampled_from(["—", "-", ":"]), words))),
    ),
)


@_settings(60)
@given(user=st.sampled_from([RECEPTION, RECEPTION, MANAGER, ALICE]), text=visitor_text)
def test_any_visitor_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        desk.command(user, "/visitor", text)
        check(desk, user, what=f"/visitor {text[:300]!r} by {user}")


# Names without the words and mentions the parser anchors on, so the expected record is plain.
_plain_words = words.filter(
    lambda w: "<@" not in w and not re.search(r"(?i)\b(?:from|for)\b|^\s*[—–:-]", w)
)


@_settings(25)
@given(name=_plain_words, organisation=_optional(_plain_words), note=_optional(_plain_words))
def test_a_visitor_signed_in_is_recorded_as_typed(name: str, organisation: str, note: str) -> None:
    """The correct record: what the receptionist typed, unescaped once, or a clear refusal."""
    text = f"arrived {name}" + (f" from {organisation}" if organisation else "")
    text += " for <@U0ALICE|alice>" + (f" — {note}" if note else "")
    with front_desk() as desk:
        desk.command(RECEPTION, "/visitor", text)
        check(desk, RECEPTION, what=f"/visitor {text[:300]!r}")
        with Session(desk.fd.engine) as session:
            visits = session.exec(select(Visit)).all()
        if visits:
            (visit,) = visits
            assert visit.host_id == ALICE
            # A number or an address typed into a name is taken out of it (DESIGN, Commands).
            assert visit.name == contacts_out(clean(name), "CA")[0]
            assert visit.organisation == (clean(organisation) or None)
            shown = " ".join(block_text(c) for c in desk.fd.double.calls_to("chat.postMessage"))
            assert esc(visit.name) in shown


message_text = st.one_of(
    words,
    _phrase(
        st.sampled_from(["", "urgent", "!", "for"]),
        ANY_MENTION,
        words,
        _optional(st.sampled_from(["(Acme)", "(<!channel>)", "(&lt;b&gt;)", "()"])),
        _optional(
            st.sampled_from(
                ["416-555-0199", "+1 (416) 555-0199 x12", "12", "0000000000000000000000"]
            )
        ),
        _optional(st.sampled_from(["jane@example.com", "<mailto:a@b.co|a@b.co>"])),
        _optional(_phrase(st.just(":"), words)),
    ),
)


@_settings(50)
@given(user=st.sampled_from(PEOPLE), text=message_text)
def test_any_message_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        desk.command(user, "/message", text)
        check(desk, user, what=f"/message {text[:300]!r} by {user}")


ooo_text = st.one_of(
    words,
    _phrase(st.sampled_from(["", "back", "status", "help", "until", "till", "nope"]), words),
    _phrase(
        st.sampled_from(["until", "til"]),
        dates,
        _optional(_phrase(st.sampled_from(["backup", "covered by", "with backup"]), ANY_MENTION)),
        _optional(_phrase(st.just(":"), words)),
    ),
)


@_settings(50)
@given(user=st.sampled_from([ALICE, BOB, MANAGER]), text=ooo_text)
def test_any_ooo_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        desk.command(user, "/ooo", text)
        check(desk, user, what=f"/ooo {text[:300]!r} by {user}")


desk_text = st.one_of(
    words,
    _phrase(st.sampled_from(DESK_VERBS + ["", "nope", "IN", "<!channel>"]), words),
    _phrase(st.just("out"), st.sampled_from(["back", "until", "for the day", ""]), dates),
    _phrase(st.just("close"), dates, _optional(_phrase(st.just(":"), words))),
    _phrase(
        st.just("report"),
        st.sampled_from(["", "this week", "last week"]),
        _optional(_phrase(dates, st.just("to"), dates)),
    ),
)


@_settings(60)
@given(user=st.sampled_from([MANAGER, MANAGER, ALICE, RECEPTION]), text=desk_text)
def test_any_desk_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        # Something on the board and in the logs for the verbs to show and to forget.
        desk.command(RECEPTION, "/visitor", "arrived Jane Doe from Acme for <@U0ALICE|alice>")
        desk.fd.double.clear()
        desk.fd.responses.clear()
        desk.command(user, "/desk", text)
        check(desk, user, what=f"/desk {text[:300]!r} by {user}")


enquiry_text = st.one_of(
    words,
    _phrase(
        st.sampled_from(["complaint", "question", "request", "Complaint:", "nope", "help"]),
        st.sampled_from(["via", "via letter", "via e-mail", "via in person", "via pigeon", ""]),
        st.sampled_from(["from", ""]),
        words,
        _optional(_phrase(st.just("for"), ANY_MENTION)),
        _optional(_phrase(st.just(":"), words)),
    ),
)


@_settings(50)
@given(user=st.sampled_from(PEOPLE), text=enquiry_text)
def test_any_enquiry_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        desk.command(user, "/enquiry", text)
        check(desk, user, what=f"/enquiry {text[:300]!r} by {user}")


call_text = st.one_of(
    words,
    _phrase(
        st.sampled_from(["in", "out", "IN", "incoming", "outgoing", "sideways", "help", ""]),
        words,
        _optional(st.sampled_from(["(Acme)", "(<!channel>)", "(&lt;b&gt;)", "()"])),
        _optional(st.sampled_from(["416-555-0199", "+44 20 7946 0958", "12", "jo@example.com"])),
        _optional(_phrase(st.just(":"), words)),
    ),
)


@_settings(40)
@given(user=st.sampled_from(PEOPLE), text=call_text)
def test_any_call_text_gets_a_reply_and_never_pings_the_channel(user: str, text: str) -> None:
    with front_desk() as desk:
        desk.command(user, "/call", text)
        check(desk, user, what=f"/call {text[:300]!r} by {user}")


# ---- modals ----------------------------------------------------------------------------------


def _state(view: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """Slack's view.state.values for `view`, with `chosen[block_id]` as each input's value."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind, picked = element["type"], chosen.get(block["block_id"])
        if kind == "plain_text_input":
            state: dict[str, Any] = {"type": kind, "value": picked}
        elif kind == "users_select":
            state = {"type": kind, "selected_user": picked}
        elif kind in ("static_select", "radio_buttons"):
            option = {"text": {"type": "plain_text", "text": str(picked)}, "value": picked}
            state = {"type": kind, "selected_option": option if picked is not None else None}
        elif kind == "datepicker":
            state = {"type": kind, "selected_date": picked}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": element["options"] if picked else []}
        else:
            raise AssertionError(f"no generated value for a {kind} in {view['callback_id']}")
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def _dm_with_button(desk: Desk, user_id: str, prefix: str) -> tuple[str, str, str]:
    """(channel, ts, value) of the first button starting with `prefix` in a DM to `user_id`."""
    dm = desk.fd.double.dm_channel(user_id)
    for call in desk.fd.double.calls_to("chat.postMessage"):
        if call.args.get("channel") != dm:
            continue
        for block in call.args.get("blocks") or []:
            for element in block.get("elements") or []:
                if str(element.get("action_id", "")).startswith(prefix):
                    return dm, call.response["ts"], str(element["value"])
    raise AssertionError(f"no {prefix} button in a DM to {user_id}")


def _enquiry_view(desk: Desk, make: Any) -> dict[str, Any]:
    desk.command(BOB, "/enquiry", "complaint via letter from Jane Doe for <@U0ALICE|alice>: late")
    channel, ts, _ = _dm_with_button(desk, ALICE, "enquiry_")
    with Session(desk.fd.engine) as session:
        enquiry = session.exec(select(Enquiry)).one()
    return make(enquiry_followup.Where(int(enquiry.id or 0), channel, ts))


def _told_view(stage: str) -> Any:
    """The "Acknowledged" or "Resolved" form of an enquiry (one to submit, given a desk)."""

    def make(where: enquiry_followup.Where) -> dict[str, Any]:
        return enquiry_told.told_view(
            stage, where, ref="E-0001", said="Dear Jane", medium="letter", config=EnquiryConfig()
        )

    return lambda desk: (
        make(enquiry_followup.Where(1, "", "")) if desk is None else _enquiry_view(desk, make)
    )


def _item_view(desk: Desk) -> dict[str, Any]:
    desk.command(RECEPTION, "/message", "<@U0BOB|bob> Jane Doe (Acme) 416-555-0199: call back")
    with Session(desk.fd.engine) as session:
        item = session.exec(select(Item)).one()
    return reassign_view(int(item.id or 0), "C0DESK")


def _interim_view(desk: Desk | None) -> dict[str, Any]:
    """A phone message's "Interim call back…" form (one to submit, given a desk)."""
    if desk is None:
        return interim_view(1, "", "", said="Dear Jane", channels=EnquiryConfig().channels)
    desk.command(RECEPTION, "/message", "<@U0BOB|bob> Jane Doe (Acme) 416-555-0199: call back")
    channel, ts, value = _dm_with_button(desk, BOB, "message_interim")
    return interim_view(
        int(value), channel, ts, said="Dear Jane", channels=EnquiryConfig().channels
    )


MODALS: dict[str, Any] = {
    visitor_form.CALLBACK_ID: lambda desk: visitor_form.form_view("C0DESK"),
    MESSAGE_FORM_ID: lambda desk: message_form_view("C0DESK"),
    enquiry_form.CALLBACK_ID: lambda desk: enquiry_form.form_view("C0DESK"),
    incident_form.CALLBACK_ID: lambda desk: incident_form.form_view(
        TUESDAY_3PM,
        TUESDAY_3PM.tzinfo,  # type: ignore[arg-type]
    ),
    enquiry_followup.REASSIGN_ID: lambda desk: _enquiry_view(desk, enquiry_followup.reassign_view),
    enquiry_followup.LATE_ID: lambda desk: _enquiry_view(desk, enquiry_followup.late_view),
    enquiry_told.ACK_ID: _told_view("acknowledge"),
    enquiry_told.RESOLVE_ID: _told_view("resolve"),
    REASSIGN_FORM_ID: _item_view,
    HAND_OVER_FORM: lambda desk: hand_over_view(1),
    INTERIM_FORM_ID: _interim_view,
}


def _value_for(element: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = element["type"]
    if kind == "plain_text_input":
        # Slack holds a text input to its max_length; at that length, `<` and `&` still grow
        # four- and five-fold when escaped.
        limit = int(element.get("max_length") or 3000)
        return st.one_of(
            raw_words.map(lambda v: v[:limit] if v else v),
            st.sampled_from(["<", "&", "<!channel>", "*"]).map(lambda c: (c * limit)[:limit]),
        )
    if kind == "users_select":
        return picked_user
    if kind in ("static_select", "radio_buttons"):
        options = [o["value"] for o in element["options"]]
        return st.one_of(st.none(), st.sampled_from(options), raw_words)
    if kind == "datepicker":
        return picked_date
    if kind == "checkboxes":
        return st.booleans()
    raise AssertionError(f"no strategy for a {kind}")


# Who submits each modal, mostly someone who may (the rest are refused with a clear reply).
SUBMITTERS = {
    visitor_form.CALLBACK_ID: [RECEPTION, RECEPTION, MANAGER, ALICE],
    MESSAGE_FORM_ID: [RECEPTION, ALICE],
    enquiry_form.CALLBACK_ID: [RECEPTION, BOB],
    incident_form.CALLBACK_ID: [ALICE, MANAGER],
    enquiry_followup.REASSIGN_ID: [ALICE, ALICE, MANAGER, BOB],
    enquiry_followup.LATE_ID: [ALICE, ALICE, MANAGER, BOB],
    enquiry_told.ACK_ID: [ALICE, ALICE, MANAGER, BOB],
    enquiry_told.RESOLVE_ID: [ALICE, ALICE, MANAGER, BOB],
    REASSIGN_FORM_ID: [BOB, BOB, MANAGER, RECEPTION, CAROL],
    HAND_OVER_FORM: [ALICE, RECEPTION, BOB],
    INTERIM_FORM_ID: [BOB, BOB, MANAGER, ALICE],
}


def submissions(callback_id: str) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(submitter, {block_id: value}) for one modal."""
    view = _shape(callback_id)
    fields = {
        block["block_id"]: _value_for(block["element"])
        for block in view["blocks"]
        if block.get("type") == "input"
    }
    return st.tuples(st.sampled_from(SUBMITTERS[callback_id]), st.fixed_dictionaries(fields))


def _shape(callback_id: str) -> dict[str, Any]:
    if callback_id in (enquiry_followup.REASSIGN_ID, enquiry_followup.LATE_ID):
        where = enquiry_followup.Where(1, "", "")
        make = (
            enquiry_followup.reassign_view
            if callback_id == enquiry_followup.REASSIGN_ID
            else enquiry_followup.late_view
        )
        return make(where)
    if callback_id == REASSIGN_FORM_ID:
        return reassign_view(1, "C0DESK")
    return MODALS[callback_id](None)


@pytest.mark.parametrize("callback_id", sorted(MODALS))
@_settings(20)
@given(data=st.data())
def test_any_modal_submission_gets_a_reply_or_field_errors_and_never_pings_the_channel(
    callback_id: str, data: st.DataObject
) -> None:
    user, chosen = data.draw(submissions(callback_id), label="submission")
    with front_desk() as desk:
        view = MODALS[callback_id](desk)
        desk.fd.double.clear()
        desk.fd.responses.clear()
        desk.submit(user, view, _state(view, chosen))
        check(desk, user, what=f"{callback_id} by {user}: {json.dumps(chosen)[:600]}")


def _upto(limit: int) -> st.SearchStrategy[str | None]:
    return raw_words.map(lambda v: v[:limit] if v else v)


@_settings(25)
@given(caller=_upto(200), body=_upto(3000), organisation=_upto(200))
def test_a_message_from_the_form_is_recorded_as_typed(
    caller: str | None, body: str | None, organisation: str | None
) -> None:
    """Modal text is not escaped by Slack: it is stored as typed (whitespace tidied)."""
    view = message_form_view("C0DESK")
    chosen = {"recipient": ALICE, "caller": caller, "body": body, "organisation": organisation}
    with front_desk() as desk:
        desk.submit(RECEPTION, view, _state(view, chosen))
        check(desk, RECEPTION, what=json.dumps(chosen)[:600])
        with Session(desk.fd.engine) as session:
            taken = session.exec(select(PhoneMessage)).all()
        if taken:
            (message,) = taken
            typed = " ".join(without_controls(caller or "").split())
            # A number or an address typed into the name goes to its own field (DESIGN).
            assert message.caller == contacts_out(typed, "CA")[0]
            # Nothing was unescaped: the form gives text as typed.
            assert clean(esc(message.caller)) == message.caller


def test_a_full_message_with_numbers_in_the_callers_name_is_sent_back_to_shorten() -> None:
    """The numbers taken out of the name join the message: past its 3,000 characters the form
    says so beside the message, and nothing is taken."""
    view = message_form_view("C0DESK")
    chosen = {
        "recipient": ALICE,
        "caller": "Sam Roe +44 20 7946 0958",
        "phone": "416-555-0100",
        "body": "x" * 2990,
    }
    with front_desk() as desk:
        response = desk.submit(RECEPTION, view, _state(view, chosen))
        errors = json.loads(response.body)["errors"]
        assert "shorten it to 3000" in errors["body"]
        with Session(desk.fd.engine) as session:
            assert session.exec(select(PhoneMessage)).all() == []


# ---- what comes later ------------------------------------------------------------------------

# What the bot posts on its own days later (due soon, overdue, escalated, the unanswered visitor,
# the closing-time list) carries the same typed text: it must be as safe as the first reply.
later_text = st.one_of(
    _phrase(st.just("/visitor arrived"), words, st.just("for <@U0ALICE|alice> —"), words),
    _phrase(st.just("/message urgent <@U0BOB|bob>"), words, st.just(":"), words),
    _phrase(
        st.just("/enquiry complaint via letter from"),
        words,
        st.just("for <@U0CAROL|carol>:"),
        words,
    ),
    _phrase(st.just("/ooo until next Monday backup <@U0BOB|bob> :"), words),
)


@_settings(20)
@given(typed=later_text)
def test_what_was_typed_stays_escaped_in_the_reminders_and_alerts_days_later(typed: str) -> None:
    command, _, text = typed.partition(" ")
    user = ALICE if command == "/ooo" else RECEPTION
    with front_desk() as desk:
        if command == "/ooo":  # Alice away: the visitor and the message go to her backup
            desk.command(ALICE, "/ooo", text)
            desk.command(RECEPTION, "/visitor", "arrived Jane for <@U0ALICE|alice>")
        else:
            desk.command(user, command, text)
        # Tuesday 15:00 to Friday 16:00: reminders, breaches, escalations, closing-time lists.
        advance_to(desk.fd, TUESDAY_3PM + timedelta(days=3, hours=1))
        check(desk, user, what=f"{typed[:300]!r}, three days on")
