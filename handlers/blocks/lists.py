"""Long lists as sections that stay within Slack's 3000 characters a text object."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.blocks.common import Block, section

SECTION_CHARS = 2900


def line_sections(lines: Sequence[str], *, max_blocks: int) -> list[Block]:
    """Pack lines into as few sections as fit; past `max_blocks`, say how many were left out."""
    chunks: list[list[str]] = [[]]
    for line in lines:
        line = line[:SECTION_CHARS]
        if chunks[-1] and len("\n".join([*chunks[-1], line])) > SECTION_CHARS:
            chunks.append([])
        chunks[-1].append(line)
    chunks = [chunk for chunk in chunks if chunk]
    if len(chunks) <= max_blocks:
        return [section("\n".join(chunk)) for chunk in chunks]
    kept = chunks[: max_blocks - 1]
    left_out = sum(len(chunk) for chunk in chunks[max_blocks - 1 :])
    return [section("\n".join(chunk)) for chunk in kept] + [section(f"…and {left_out} more")]
