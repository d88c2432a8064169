"""Block Kit for privacy: what a redacted post says instead."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, context

REASONS = {
    "retention": "the retention period has passed",
    "forget": "the person asked for their data to be erased",
}


def redacted_post(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The text that replaces a post that named someone."""
    why = REASONS.get(str(params.get("why")), "of the privacy policy")
    text = f":lock: This post named a person; their details were removed because {why}."
    return text, [context(text)]
