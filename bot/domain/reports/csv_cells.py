"""CSV cells that a spreadsheet opens safely.

A cell of typed text that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
return) would be run by Excel or LibreOffice when a manager opens the report ("CSV injection",
OWASP): such a cell is written with a leading apostrophe, which spreadsheets read as "text".
Only what people typed goes through `typed`: handles ("@alice") and times are the bot's own.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def typed(value: str) -> str:
    """Typed text as it is safe to write: text that starts like a formula gets an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value
