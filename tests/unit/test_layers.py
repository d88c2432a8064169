"""The layer rules of DESIGN.md, read from the imports of every module (stdlib `ast`).

- bot/domain/ imports no Slack library, no handlers/, no bot/runtime/ and no bot/console/;
- storage/ imports no Slack library, no handlers/, no bot/runtime/ and no bot/console/;
- handlers/ imports no bot/runtime/ module (but those in HANDLERS_MAY_IMPORT) and no bot/console/;
- every module of bot/runtime/ is named in RUNTIME below, with what it may import of Slack and
  handlers/: a new runtime module, or a new Slack import in one, is a decision made here.
bot/console/ (the console and its Slack double) is the one other place that may use them all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

# The repository (found upwards, so the file may move within tests/).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())

SLACK = ("slack_sdk", "slack_bolt")
HANDLERS = ("handlers",)
RUNTIME_PACKAGES = ("bot.runtime", "bot.console")

# Every wiring module of bot/runtime/, with what it may import: "slack", "handlers".
RUNTIME: Mapping[str, frozenset[str]] = {
    "bot.runtime.app": frozenset({"slack", "handlers"}),  # builds the Bolt App, its listeners
    "bot.runtime.cli": frozenset(),  # `frontdesk ...`: parses argv, starts the rest
    "bot.runtime.serve": frozenset({"slack"}),  # `frontdesk serve`: HTTP or Socket Mode
    "bot.runtime.worker": frozenset(),  # `frontdesk worker`: rounds, tasks, outbox
    "bot.runtime.scheduler": frozenset(),  # APScheduler: one interval job per periodic job
    "bot.runtime.outbox_sender": frozenset({"slack", "handlers"}),  # rows -> Block Kit -> Slack
    "bot.runtime.outbox_extras": frozenset({"slack"}),  # uploads, response_url answers
    "bot.runtime.outbox_recall": frozenset({"slack"}),  # finds a post made before a crash
    "bot.runtime.task_runner": frozenset(),  # durable tasks (home, report files)
    "bot.runtime.http_front": frozenset(),  # the WSGI front: /healthz, body limits
    "bot.runtime.http_server": frozenset(),  # gunicorn gthread workers
    "bot.runtime.slack_http": frozenset({"slack"}),  # kept-alive connections to Slack
    "bot.runtime.socket_mode_client": frozenset({"slack"}),  # Socket Mode reconnects
    "bot.runtime.startup": frozenset({"slack"}),  # checks before start (auth.test)
    "bot.runtime.warm_up": frozenset(),  # loads dateparser & co. once per process
    "bot.runtime.logs": frozenset(),  # text or JSON log lines
    "bot.runtime.manifest": frozenset(),  # `frontdesk manifest`
    "bot.runtime.reports_cli": frozenset(),  # `frontdesk report`
}
# Runtime modules a handler may import (none: handlers call the domain and storage).
HANDLERS_MAY_IMPORT: frozenset[str] = frozenset()


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file, in functions too, relative ones resolved."""
    package = module_name(root, path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # `from bot.runtime import serve` imports bot.runtime.serve
                yield node.lineno, f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def within(module: str, packages: tuple[str, ...] | frozenset[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def layer_violations(
    root: Path,
    runtime: Mapping[str, frozenset[str]] = RUNTIME,
    handlers_may_import: frozenset[str] = HANDLERS_MAY_IMPORT,
) -> list[str]:
    """Every import that breaks a layer rule, as 'path:line: module imports what (rule)'."""
    found = []

    def check(path: Path, forbidden: tuple[str, ...], allowed: frozenset[str], rule: str) -> None:
        for line, target in sorted(imported(root, path)):
            if within(target, forbidden) and not within(target, allowed):
                found.append(f"{path.relative_to(root)}:{line}: imports {target} ({rule})")

    for path in sorted(root.glob("bot/domain/**/*.py")):
        check(path, SLACK + HANDLERS + RUNTIME_PACKAGES, frozenset(), "the domain")
    for path in sorted(root.glob("storage/**/*.py")):
        check(path, SLACK + HANDLERS + RUNTIME_PACKAGES, frozenset(), "storage")
    for path in sorted(root.glob("handlers/**/*.py")):
        check(path, RUNTIME_PACKAGES, handlers_may_import, "handlers")
    for path in sorted(root.glob("bot/runtime/**/*.py")):
        name = module_name(root, path)
        if path.name == "__init__.py":
            may: frozenset[str] = frozenset()
        elif name not in runtime:
            found.append(f"{path.relative_to(root)}: a runtime module not named in RUNTIME")
            continue
        else:
            may = runtime[name]
        forbidden = (() if "slack" in may else SLACK) + (() if "handlers" in may else HANDLERS)
        check(path, forbidden, frozenset(), f"{name} may import {sorted(may) or 'neither'}")
    for name in runtime:
        if not (root / Path(*name.split("."))).with_suffix(".py").exists():
            found.append(f"{name}: named in RUNTIME but there is no such module")
    for path in sorted(root.glob("bot/*.py")):
        if path.name != "__init__.py":
            found.append(f"{path.relative_to(root)}: bot/ holds domain/, runtime/, console/ only")
    return found


def test_the_tree_keeps_the_layer_rules() -> None:
    assert layer_violations(ROOT) == []


def test_every_module_that_imports_slack_is_named_wiring_or_console() -> None:
    speaking = set()
    for path in ROOT.glob("bot/**/*.py"):
        if any(within(t, SLACK + HANDLERS) for _, t in imported(ROOT, path)):
            speaking.add(module_name(ROOT, path))
    named = {name for name, may in RUNTIME.items() if may}
    assert {m for m in speaking if not m.startswith("bot.console")} <= named
    assert {"bot.runtime.serve", "bot.runtime.worker", "bot.runtime.app"} <= set(RUNTIME)


# --- the checker itself, on a made-up tree --------------------------------------------------


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


CLEAN = {
    "bot/__init__.py": "",
    "bot/domain/__init__.py": "",
    "bot/domain/rules.py": "from bot.domain import clock\nimport storage.db\n",
    "bot/domain/clock.py": "import datetime\n",
    "bot/runtime/__init__.py": "",
    "bot/runtime/serve.py": "from slack_bolt import App\nfrom bot.runtime import worker\n",
    "bot/runtime/worker.py": "from bot.domain import rules\n",
    "bot/console/double.py": "import slack_sdk\nimport handlers.registry\n",
    "handlers/__init__.py": "",
    "handlers/visitor.py": "from bot.domain.rules import x\nfrom slack_bolt import Ack\n",
    "storage/__init__.py": "",
    "storage/db.py": "import sqlalchemy\n",
}
MADE_UP_RUNTIME = {"bot.runtime.serve": frozenset({"slack"}), "bot.runtime.worker": frozenset()}


def test_the_checker_passes_a_tree_that_keeps_the_rules(tmp_path: Path) -> None:
    assert layer_violations(write_tree(tmp_path, CLEAN), MADE_UP_RUNTIME) == []


def test_the_checker_fails_when_a_domain_module_imports_slack(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path, {**CLEAN, "bot/domain/clock.py": "from slack_sdk import WebClient\n"}
    )
    assert layer_violations(tree, MADE_UP_RUNTIME) == [
        "bot/domain/clock.py:1: imports slack_sdk.WebClient (the domain)"
    ]


def test_the_checker_sees_imports_in_functions_relative_and_by_name(tmp_path: Path) -> None:
    rules = (
        "def later():\n    import slack_bolt.app\n"
        "from ..runtime import serve\n"
        "import importlib\nimportlib.import_module('handlers.registry')\n"
    )
    tree = write_tree(tmp_path, {**CLEAN, "bot/domain/rules.py": rules})
    assert layer_violations(tree, MADE_UP_RUNTIME) == [
        "bot/domain/rules.py:2: imports slack_bolt.app (the domain)",
        "bot/domain/rules.py:3: imports bot.runtime.serve (the domain)",
        "bot/domain/rules.py:5: imports handlers.registry (the domain)",
    ]


def test_the_checker_holds_storage_handlers_and_the_named_wiring(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            **CLEAN,
            "storage/db.py": "import handlers.visitor\n",
            "handlers/visitor.py": "from bot.runtime.serve import start\n",
            "bot/runtime/worker.py": "import slack_sdk\n",
            "bot/runtime/extra.py": "",
            "bot/loose.py": "",
        },
    )
    assert layer_violations(tree, MADE_UP_RUNTIME) == [
        "storage/db.py:1: imports handlers.visitor (storage)",
        "handlers/visitor.py:1: imports bot.runtime.serve.start (handlers)",
        "bot/runtime/extra.py: a runtime module not named in RUNTIME",
        "bot/runtime/worker.py:1: imports slack_sdk (bot.runtime.worker may import neither)",
        "bot/loose.py: bot/ holds domain/, runtime/, console/ only",
    ]
