"""`pip install .` ships what an installed `frontdesk` needs to run from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.process
def test_the_wheel_carries_migrations_manifest_and_example_policy(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("frontdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "bot/manifest.yml",
        "bot/frontdesk.example.toml",
        "storage/migrations/env.py",
        "storage/migrations/versions/0001_initial_schema.py",
    ):
        assert needed in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "frontdesk = bot.runtime.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
