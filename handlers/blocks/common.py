"""Small Block Kit pieces shared by the builders."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def section(text: str) -> Block:
    """A mrkdwn section (text already escaped by the caller)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> Block:
    """A small grey line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    """A button; `style` is "primary" or "danger"."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:75], "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    """A row of buttons."""
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def plain(text: str) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": text, "emoji": True}


OUTCOME_WORDS = {
    "called_back": "called back",
    "tried": "tried, no answer",
    "visitor_left": "signed out",
    "host_on_my_way": "answered: on my way",
    "host_please_wait": "answered: please ask them to wait",
    "host_send_someone": "answered: send someone",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "reassigned": "reassigned",
    "done": "done",
}


def outcome_words(outcome: str | None) -> str:
    """How a finished item ended, in words ("called back", never "called_back")."""
    if not outcome:
        return "done"
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
