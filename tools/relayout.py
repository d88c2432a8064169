"""Move bot/'s modules into the layered layout and rewrite every reference to them.

    python tools/relayout.py            # move, rewrite, then sort imports/format if ruff is there
    python tools/relayout.py --check    # say what it would do; exit 1 if anything is left to do

Re-runnable: from a checkout of the old layout it `git mv`s each module named in MOVES below,
then rewrites, in every tracked (and untracked, not ignored) text file of the repository, the
references to an old module path: `import bot.x`, `from bot.x import`, `from bot import x`,
dotted strings ("bot.cli:main", "bot.services.x.func", `-m bot.cli`, logger names) and file
paths ("bot/cli.py", "bot/services/"). On a tree already moved it finds nothing and does
nothing; a file it has never seen is rewritten by the same table. A module that appears at the
top of bot/ and is not in the table is reported (add it to MOVES: domain or runtime).
Standard library only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Old module path (under bot/) -> new one. A name is a module `bot/<name>.py` or a package
# `bot/<name>/`. Domain: no Slack, no handlers, no runtime. Runtime: processes and wiring.
DOMAIN = (
    "calendar",
    "channels",
    "clock",
    "config",
    "contacts",
    "due",
    "durations",
    "hours",
    "jobs",
    "job_list",
    "notices",
    "roles",
    "sweep",
    "teams",
    "when",
    "services",
    "reports",
)
RUNTIME = (
    "app",
    "cli",
    "http_front",
    "http_server",
    "logs",
    "manifest",
    "outbox_extras",
    "outbox_sender",
    "reports_cli",
    "scheduler",
    "serve",
    "slack_http",
    "socket_mode_client",
    "startup",
    "task_runner",
    "warm_up",
    "worker",
)
MOVES: dict[str, str] = {
    **{name: f"domain.{name}" for name in DOMAIN},
    **{name: f"runtime.{name}" for name in RUNTIME},
    "slack_double": "console.double",
}
# Modules of bot/ that stay where they are (the console, the package data beside bot/).
STAYS = {"__init__", "console", "domain", "runtime"}
NEW_PACKAGES = {
    "domain": '"""The domain: calendar, policy, services, reports, the sweep. No Slack, no handlers."""\n',
    "runtime": '"""The runtime: the Bolt app, the CLI, serve, the worker, the outbox sender."""\n',
}

ROOT = Path(__file__).resolve().parent.parent
SELF = Path(__file__).resolve()

_NAMES = "|".join(sorted(MOVES, key=len, reverse=True))
# bot.x (not x.bot.x, not bot.x_y, not the data file bot/manifest.yml written with dots).
DOTTED = re.compile(rf"(?<![\w.])bot\.({_NAMES})(?![\w])(?!\.(?:yml|yaml|toml|txt|json)\b)")
FROM_BOT = re.compile(r"^([ \t]*)from bot import (\(([^)]*)\)|[^\n]*)", re.M)


def git(*args: str, check: bool = True) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=check, capture_output=True, text=True
    ).stdout


def tracked_files() -> list[Path]:
    names = git("ls-files", "-co", "--exclude-standard", "-z").split("\0")
    return [ROOT / name for name in names if name and (ROOT / name).is_file()]


def is_package(name: str) -> bool:
    old, new = ROOT / "bot" / name, ROOT / "bot" / Path(*MOVES[name].split("."))
    return old.is_dir() or new.is_dir()


def path_pattern(packages: set[str]) -> re.Pattern[str]:
    """bot/<module>.py, bot/<package>/ or bot/<package> as a word."""
    modules = [n for n in MOVES if n not in packages]
    alts = [rf"{re.escape(n)}(?=\.py\b)" for n in modules]
    alts += [rf"{re.escape(n)}(?![\w.])" for n in packages]
    return re.compile(rf"(?<![\w./-])bot/({'|'.join(alts)})")


# --- moving ---------------------------------------------------------------------------------


def planned_moves(files: list[Path]) -> list[tuple[Path, Path]]:
    """(old, new) for every file still at an old path; package files one by one."""
    moves = []
    for path in files:
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or rel.parts[0] != "bot":
            continue
        head = rel.parts[1]
        name = head[:-3] if len(rel.parts) == 2 and head.endswith(".py") else head
        if len(rel.parts) == 2 and not head.endswith(".py"):
            continue  # package data beside bot/ (manifest.yml, the example policy) stays
        if name not in MOVES:
            continue
        target = ROOT / "bot" / Path(*MOVES[name].split("."))
        new = target.with_suffix(".py") if len(rel.parts) == 2 else target / Path(*rel.parts[2:])
        moves.append((path, new))
    return moves


def unknown_modules(files: list[Path]) -> list[str]:
    """Top-level modules of bot/ that the table does not place."""
    unknown = set()
    for path in files:
        rel = path.relative_to(ROOT)
        if len(rel.parts) >= 2 and rel.parts[0] == "bot" and path.suffix == ".py":
            name = rel.parts[1][:-3] if len(rel.parts) == 2 else rel.parts[1]
            if name not in MOVES and name not in STAYS:
                unknown.add(f"bot/{rel.parts[1]}")
    return sorted(unknown)


def move(moves: list[tuple[Path, Path]]) -> None:
    for package, doc in NEW_PACKAGES.items():
        init = ROOT / "bot" / package / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(doc)
            git("add", str(init.relative_to(ROOT)))
    for old, new in moves:
        if new.exists():
            sys.exit(
                f"both {old.relative_to(ROOT)} and {new.relative_to(ROOT)} exist: merge by hand"
            )
        new.parent.mkdir(parents=True, exist_ok=True)
        if git("ls-files", str(old.relative_to(ROOT))).strip():
            git("mv", str(old.relative_to(ROOT)), str(new.relative_to(ROOT)))
        else:
            shutil.move(old, new)
    for old, _ in moves:  # empty old package directories (and their __pycache__) go
        directory = old.parent
        while directory != ROOT / "bot" and directory.exists():
            leftovers = [p for p in directory.rglob("*") if p.is_file() and p.suffix != ".pyc"]
            if leftovers:
                break
            shutil.rmtree(directory)
            directory = directory.parent


# --- rewriting ------------------------------------------------------------------------------


def _split_from_bot(match: re.Match[str]) -> str:
    """`from bot import a, b` -> one `from bot.<new package> import` line per destination."""
    indent, whole, inner = match.group(1), match.group(2), match.group(3)
    body, comment = (inner, "") if inner is not None else _code_and_comment(whole)
    names = [n.strip() for n in re.sub(r"#[^\n]*", "", body).replace("\n", " ").split(",")]
    names = [n for n in names if n]
    groups: dict[str, list[str]] = {}
    for name in names:
        module = name.split(" as ")[0].strip()
        new = MOVES.get(module)
        package = "bot" if new is None else "bot." + new.rpartition(".")[0]
        leaf = name
        if new is not None and new.rpartition(".")[2] != module:
            alias = name.partition(" as ")[2].strip() or module
            leaf = f"{new.rpartition('.')[2]} as {alias}"
        groups.setdefault(package, []).append(leaf)
    if list(groups) == ["bot"]:
        return match.group(0)
    lines = [
        f"{indent}from {package} import {', '.join(leaves)}" for package, leaves in groups.items()
    ]
    return "\n".join(lines) + comment


def _code_and_comment(line: str) -> tuple[str, str]:
    code, hash_, comment = line.partition("#")
    return code, (f"  #{comment}" if hash_ else "")


def rewrite(text: str, paths: re.Pattern[str]) -> str:
    text = FROM_BOT.sub(_split_from_bot, text)
    text = DOTTED.sub(lambda m: "bot." + MOVES[m.group(1)], text)
    return paths.sub(lambda m: "bot/" + MOVES[m.group(1)].replace(".", "/"), text)


def read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def rewrites(files: list[Path], paths: re.Pattern[str]) -> dict[Path, str]:
    changed = {}
    for path in files:
        if path == SELF or path.is_symlink():
            continue
        text = read_text(path)
        if text is None:
            continue
        new = rewrite(text, paths)
        if new != text:
            changed[path] = new
    return changed


def tidy(paths: list[Path]) -> None:
    """Sort the rewritten imports; format what `make lint` checks. Skipped without ruff."""
    ruff = ROOT / ".venv" / "bin" / "ruff"
    command = str(ruff) if ruff.exists() else shutil.which("ruff")
    python = [str(p.relative_to(ROOT)) for p in paths if p.suffix == ".py" and p.exists()]
    if command is None or not python:
        return
    subprocess.run([command, "check", "--select", "I", "--fix", "--quiet", *python], cwd=ROOT)
    formatted = [p for p in python if p.split("/")[0] in {"bot", "handlers", "storage"}]
    if formatted:
        subprocess.run([command, "format", "--quiet", *formatted], cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if work is left"
    )
    args = parser.parse_args(argv)

    files = tracked_files()
    packages = {n for n in MOVES if is_package(n)}
    moves = planned_moves(files)
    for name in unknown_modules(files):
        print(f"relayout: {name} is not in MOVES; add it (domain or runtime)", file=sys.stderr)
    if args.check:
        changed = rewrites(files, path_pattern(packages))
        for old, new in moves:
            print(f"move {old.relative_to(ROOT)} -> {new.relative_to(ROOT)}")
        for path in changed:
            print(f"rewrite {path.relative_to(ROOT)}")
        return 1 if moves or changed else 0

    move(moves)
    files = tracked_files()
    changed = rewrites(files, path_pattern(packages))
    for path, text in changed.items():
        path.write_text(text)
    tidy(list(changed))
    print(f"relayout: {len(moves)} files moved, {len(changed)} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
