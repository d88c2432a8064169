"""docs/HACKING.md matches the tree: every path it names exists, its map names every module."""

from __future__ import annotations

import re
from pathlib import Path

# The repository (found upwards, so the file may move within tests/).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
HACKING = (ROOT / "docs" / "HACKING.md").read_text()
TREE = HACKING.split("```\n", 2)[1]  # the first fenced block: the map


def tree_entries() -> dict[str, set[str]]:
    """Directory of the map -> the names listed on its lines (a line without one continues)."""
    entries: dict[str, set[str]] = {}
    current = ""
    for line in TREE.splitlines():
        head, _, rest = line.partition(" ")
        if head:
            current = head
            entries.setdefault(current, set())
        if current.endswith("/"):  # a file's line (tools/relayout.py) says what it is for
            entries[current] |= set(re.findall(r"(?<![\w/.`])(\w+\.py|\w+/)(?=[\s,;)]|$)", rest))
    return entries


def test_hacking_fits_on_two_screens() -> None:
    assert len(HACKING.splitlines()) <= 100


def test_every_path_hacking_names_exists() -> None:
    named = {
        t for t in re.findall(r"`([^`\s<>…]+)`", HACKING) if "/" in t and not t.startswith("/")
    }
    missing = sorted(t for t in named if not (ROOT / t.rstrip("/")).exists())
    assert named and missing == []


def test_the_map_names_what_is_there() -> None:
    entries = tree_entries()
    missing = sorted(
        f"{where}{name}"
        for where, names in entries.items()
        for name in names
        if not (ROOT / where / name.rstrip("/")).exists()
    )
    assert missing == [] and all((ROOT / where).exists() for where in entries)
    for package in ("bot/domain/", "bot/runtime/"):
        modules = {p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py"}
        packages = {
            f"{p.name}/" for p in (ROOT / package).iterdir() if (p / "__init__.py").exists()
        }
        assert modules | packages == entries[package], package
    top = {f"bot/{p.name}/" for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert top <= set(entries)
