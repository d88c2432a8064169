"""Typed notices (bot/domain/notices.py) against the templates that show them.

Every template has a notice class, and every notice, as a service builds it, renders through
its template's builder: a field the builder reads that the notice does not carry fails here,
not at send time. Rows written before notices existed (dict params) still render.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import types
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import pytest

from bot.domain.notices import (
    NOTICE_FOR,
    NOTICES,
    AlertDigest,
    ClosureNotice,
    DeliveryFailed,
    EnquiryFacts,
    EnquiryLateOwner,
    ItemAlert,
    ItemMoved,
    ItemNotice,
    ItemOverdue,
    ListenerReply,
    MessageDm,
    Notice,
    NoticeError,
    RedactedPost,
    VisitorArrivedDm,
)
from bot.domain.services.item_summary import ItemSummary
from handlers.blocks.templates import TEMPLATES, render

TZ = ZoneInfo("Europe/London")
AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)

# Fields whose builders accept only some strings.
CHOSEN: dict[str, str] = {"response": "on_my_way", "why": "forget", "was": "task_failed"}
# A corrected post's `shown`: the params of the post it draws again (CHOSEN["was"]).
SHOWN = {"kind": "report_files", "target": "", "error": "timeout"}


def _sample(hint: Any, name: str, *, filled: bool) -> Any:
    """A value of type `hint` for the field `name`."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        return _sample(kinds[0], name, filled=filled)
    if hint is str:
        return CHOSEN.get(name, f"{name} sample")
    if hint is bool:
        return True
    if hint is int:
        return 2
    if hint is float:
        return 0.5
    if hint is datetime:
        return AT
    if hint is date:
        return AT.date()
    if origin is tuple:
        element = get_args(hint)[0]
        return (_sample(element, name, filled=filled),)
    if origin is dict:
        return dict(SHOWN) if name == "shown" else {}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, filled=filled)
    raise AssertionError(f"no sample for {hint!r} ({name})")


def _fillable(hint: Any) -> bool:
    """An optional part worth filling: a `X | None`, or a tuple of names or of parts."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return type(None) in get_args(hint)
    if origin is tuple:
        element = get_args(hint)[0]
        return element is str or (isinstance(element, type) and dataclasses.is_dataclass(element))
    return False


def _build(cls: type[Any], *, filled: bool) -> Any:
    """`cls` with every required field given; with `filled`, its optional parts too."""
    hints = get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required or (filled and _fillable(hints[f.name])):
            values[f.name] = _sample(hints[f.name], f.name, filled=filled)
    return cls(**values)


def test_every_template_has_one_notice_class() -> None:
    named = [cls.TEMPLATE for cls in NOTICES]
    assert len(named) == len(set(named)), "two notice classes name one template"
    assert set(named) == set(TEMPLATES)


@pytest.mark.parametrize("filled", [False, True], ids=["defaults", "filled"])
@pytest.mark.parametrize("cls", NOTICES, ids=lambda cls: cls.TEMPLATE)
def test_a_notice_renders_through_its_builder(cls: type[Notice], filled: bool) -> None:
    notice = _build(cls, filled=filled)
    params = notice.params()
    assert json.loads(json.dumps(params)) == params  # JSON as it is, no `default=str`
    text, blocks = render(cls.TEMPLATE, params, TZ)
    assert text
    assert blocks


@pytest.mark.parametrize("filled", [False, True], ids=["defaults", "filled"])
@pytest.mark.parametrize("cls", NOTICES, ids=lambda cls: cls.TEMPLATE)
def test_a_notice_reads_back_from_its_params(cls: type[Notice], filled: bool) -> None:
    notice = _build(cls, filled=filled)
    assert cls.from_params(json.loads(json.dumps(notice.params()))) == notice


def test_an_older_row_without_optional_keys_gets_defaults_and_unknown_keys_are_ignored() -> None:
    notice = VisitorArrivedDm.from_params(
        {"visit_id": 4, "name": "Jane", "host_id": "U1", "retired_key": 1}
    )
    assert notice == VisitorArrivedDm(visit_id=4, name="Jane", host_id="U1")


def test_a_row_missing_a_required_key_says_which() -> None:
    with pytest.raises(NoticeError, match="visitor_arrived_dm params lack 'host_id'"):
        VisitorArrivedDm.from_params({"visit_id": 4, "name": "Jane"})


def test_instants_and_days_are_stored_as_iso_text() -> None:
    params = ClosureNotice(day=date(2026, 12, 24), by="U1", moved=3).params()
    assert params == {"day": "2026-12-24", "by": "U1", "moved": 3, "reason": None}
    stored = ItemOverdue(item_id=1, kind="k", label="L", who="w", due_at=AT, state="open")
    assert stored.params()["due_at"] == "2026-11-30T09:30:00+00:00"


# Params as the version before notices wrote them (dicts built by the services and handlers).
SUMMARY = {
    "item_id": 7,
    "kind": "phone_message",
    "label": "Phone message",
    "who": "Jane Doe",
    "organisation": "Acme",
    "subject": "invoice",
    "urgent": False,
    "due_at": "2026-11-30T12:00:00+00:00",
    "state": "open",
    "owner_id": "U1",
    "owner_channel": None,
    "intended_id": "U1",
    "enquiry_id": None,
}
ENQUIRY = {
    "enquiry_id": 4,
    "kind": "complaint",
    "channel": "letter",
    "from_name": "Jane Doe",
    "summary": "parking refund refused",
    "logged_by": "U2",
    "owner_id": "U1",
    "owner_channel": None,
    "ack_due": "2026-11-30T12:00:00+00:00",
    "ack_window": "4 business hours",
    "ack_state": "done",
    "ack_outcome": "acknowledged",
    "resolve_due": "2026-12-07T17:00:00+00:00",
    "resolve_window": "5 business days",
    "resolve_state": "open",
    "resolve_outcome": None,
    "revised_reason": None,
}
OLDER_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("enquiry_dm", ENQUIRY | {"reassigned_by": "U3"}),
    (
        "enquiry_late_managers",
        ENQUIRY
        | {"old_due": "2026-12-04T17:00:00+00:00", "by": "U1", "reason": "waiting on the council"},
    ),
    (
        "visitor_arrived_dm",
        {
            "visit_id": 3,
            "name": "Jane Doe",
            "organisation": None,
            "host_id": "U1",
            "note": None,
            "pass_number": "V-003",
            "arrived_at": "2026-11-30T09:00:00+00:00",
            "expected_at": None,
        },
    ),
    (
        "message_dm",  # to the desk channel: no number, no e-mail, no phone_valid
        {
            "item_id": 7,
            "message_id": 5,
            "caller": "Jane Doe",
            "organisation": None,
            "subject": "invoice",
            "body": "please call back",
            "urgent": True,
            "due_at": "2026-11-30T12:00:00+00:00",
            "taken_by": "U2",
            "taken_at": "2026-11-30T09:00:00+00:00",
            "intended_id": "U1",
            "owner_id": None,
            "desk_owned": True,
            "has_contact": True,
        },
    ),
    ("item_overdue", SUMMARY | {"stage": "breach"}),
    ("item_remind", SUMMARY | {"stage": "remind", "attempts": 2}),
    ("item_alert", SUMMARY | {"stage": "escalate", "mention_ids": ["U9"]}),
    ("item_assigned", SUMMARY),
    (
        "alert_digest",
        {"items": [SUMMARY | {"stage": "breach"}, SUMMARY | {"stage": "escalate"}]},
    ),
    (
        "ooo_while_you_were_out",
        {
            "user_id": "U1",
            "since": "2026-11-23T09:00:00+00:00",
            "back_at": "2026-11-30T09:00:00+00:00",
            "backup_id": None,
            "items": [
                {
                    "kind": "phone_message",
                    "subject": "Jane Doe",
                    "owner_id": "U2",
                    "owner_channel": None,
                    "state": "done",
                    "outcome": "called_back",
                    "done_by": "U2",
                    "created_at": "2026-11-24T10:00:00+00:00",
                }
            ],
            "more_items": 0,
            "visits": [
                {
                    "name": "Bob",
                    "organisation": None,
                    "arrived_at": None,
                    "response": None,
                    "responded_by": None,
                }
            ],
            "more_visits": 0,
        },
    ),
    ("closure_notice", {"day": "2026-12-24", "reason": "snow", "by": "U1", "moved": 1}),
    ("redacted_post", {"update_ts": "1700000000.000100", "why": "retention"}),
    (
        "reply",
        {
            "text": "Done.",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Done."}}],
        },
    ),
    ("reply", {"text": "Only you.", "ephemeral_user": "U1"}),
    ("delivery_failed", {"template": "message_dm", "target": "U1", "error": "user_disabled"}),
    (
        "closing_on_site",
        {
            "closing_at": "2026-11-30T17:30:00+00:00",
            "visitors": [
                {
                    "visit_id": 3,
                    "name": "Jane Doe",
                    "organisation": None,
                    "pass_number": "V-003",
                    "host_id": "U1",
                    "arrived_at": "2026-11-30T09:00:00+00:00",
                }
            ],
            "more": 0,
        },
    ),
    (
        "incident_notice",
        {
            "incident_id": 2,
            "reported_by": "U1",
            "occurred": "this morning",
            "location": None,
            "who": None,
            "what": "shouting",
        },
    ),
]


@pytest.mark.parametrize(
    ("template", "params"), OLDER_ROWS, ids=[template for template, _ in OLDER_ROWS]
)
def test_a_row_written_by_the_older_version_still_renders(
    template: str, params: dict[str, Any]
) -> None:
    shown = render(template, params, TZ)
    notice = NOTICE_FOR[template].from_params(params)
    assert render(template, notice.params(), TZ) == shown


def test_a_message_for_a_channel_carries_no_contact_details() -> None:
    notice = MessageDm(
        item_id=7,
        message_id=5,
        caller="Jane",
        urgent=False,
        due_at=AT,
        taken_by="U2",
        taken_at=AT,
        desk_owned=True,
        has_contact=True,
    )
    text, blocks = render("message_dm", notice.params(), TZ)
    assert "555" not in json.dumps(blocks)
    assert notice.params()["phone"] is None and notice.params()["email"] is None


def test_reply_and_redaction_keep_the_keys_the_sender_reads() -> None:
    assert ListenerReply(text="x", ephemeral_user="U1").params()["ephemeral_user"] == "U1"
    assert RedactedPost(update_ts="1.2", why="forget").params()["update_ts"] == "1.2"
    assert DeliveryFailed(template="t", target="C1", error="e").params() == {
        "template": "t",
        "target": "C1",
        "error": "e",
    }


def test_posts_are_written_as_notices() -> None:
    """Only bot/domain/notices.py writes outbox rows: everything else builds a notice."""
    root = Path(__file__).resolve().parents[4]
    raw = set()
    for path in sorted([*root.glob("bot/**/*.py"), *root.glob("handlers/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "enqueue"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "outbox"
            ):
                raw.add(path.relative_to(root).as_posix())
    assert raw <= {"bot/domain/notices.py"}, "write a bot.domain.notices notice instead"


SUMMARISED = ItemSummary(
    item_id=7,
    kind="phone_message",
    who="Jane Doe",
    organisation="Acme",
    subject="invoice",
    urgent=True,
    due_at=AT,
    state="open",
    owner_id="U1",
    owner_channel=None,
    intended_id="U2",
    has_contact=False,
)


def test_an_item_notice_carries_its_summary() -> None:
    notice = ItemAlert.about(SUMMARISED, stage="breach")
    assert notice.params() == SUMMARISED.params() | {
        "stage": "breach",
        "mention_ids": [],
        "now_with": None,
    }


@pytest.mark.parametrize(
    "cls",
    [cls for cls in NOTICES if issubclass(cls, ItemNotice) and cls is not ItemMoved],
    ids=lambda cls: cls.TEMPLATE,
)
def test_every_item_notice_but_a_move_is_made_about_a_summary(cls: type[ItemNotice]) -> None:
    render(cls.TEMPLATE, cls.about(SUMMARISED, stage="warn").params(), TZ)


def test_a_move_is_made_about_a_summary_with_its_own_fields() -> None:
    notice = ItemMoved.of(
        SUMMARISED,
        stage=None,
        was="item_alert",
        moved_by="U3",
        taken=True,
        moved_at=AT,
        update_ts="1.2",
    )
    assert notice.params()["who"] == "Jane Doe" and notice.params()["moved_by"] == "U3"
    render(ItemMoved.TEMPLATE, notice.params(), TZ)


def test_an_enquirys_facts_sit_flat_in_its_notices_params() -> None:
    facts = _build(EnquiryFacts, filled=True)
    notice = EnquiryLateOwner(enquiry=facts, old_due=AT, by="U1", reason="backlog")
    params = notice.params()
    assert "enquiry" not in params
    assert params["from_name"] == facts.from_name and params["reason"] == "backlog"
    assert EnquiryLateOwner.from_params(params) == notice


def test_a_rewritten_digest_keeps_who_has_each_item_now() -> None:
    entry = SUMMARY | {"stage": "breach", "mention_ids": [], "now_with": "U3"}
    params = {"items": [entry], "mention_ids": [], "update_ts": "1.2"}
    digest = AlertDigest.from_params(params)
    assert digest.items[0].now_with == "U3" and digest.update_ts == "1.2"
    assert digest.params()["items"][0]["now_with"] == "U3"
    assert render("alert_digest", digest.params(), TZ) == render("alert_digest", params, TZ)


def test_nothing_registers_itself_at_import() -> None:
    """Templates, jobs and Home-tab buttons are listed where the app is wired: no module adds
    itself to a registry when imported, and no import is kept only for that side effect."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[4]
    offenders = []
    for package in ("bot", "handlers", "storage"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text()
            if re.search(r"^(register|add_job|register_item_buttons)\(", text, re.M):
                offenders.append(f"{path.relative_to(root)}: registers at import")
            if re.search(r"#\s*noqa: F401\s*\((?:registers|the .* register)", text):
                offenders.append(f"{path.relative_to(root)}: an import kept for its side effect")
    assert offenders == []
