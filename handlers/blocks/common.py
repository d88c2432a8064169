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
