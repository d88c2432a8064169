"""Place the flat tests/test_*.py files in the tree tests/README.md describes (issue 20).

    python tools/retest.py            # move what is still flat, fix what refers to it
    python tools/retest.py --dry-run  # say what it would do, change nothing
    python tools/retest.py --everywhere   # also rewrite references in bot/ and handlers/

Re-runnable: a file already in its place is left alone, and a file in neither place is skipped.
For each move it
  1. `git mv`s the file (creating the folder and its `__init__.py`: test modules are imported as
     `tests.unit.bot.domain.test_calendar` and so on, so two folders may each hold a `test_commands.py`),
  2. in the moved file, turns `Path(__file__).parent.parent` (the repository) and
     `Path(__file__).parent` (tests/) into `Path(__file__).resolve().parents[N]` for its new depth,
  3. rewrites references to it in tracked text files: `tests.test_x` (imports, `python -m`)
     and `tests/test_x.py` (docstrings, docs). bot/ and handlers/ are only reported unless
     --everywhere (other sessions own them).
Finally it lists every flat tests/test_*.py it has no row for: add a row to TABLE and run again.
Standard library only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# old name under tests/ -> new path under tests/.  unit: no Front Desk wired (a file may hold a
# check or two through `fd`); scenarios: the `fd` fixture end to end; process: real processes.
TABLE: dict[str, str] = {
    # unit: bot/
    "test_calendar.py": "unit/bot/domain/test_calendar.py",
    "test_calendar_oracle.py": "unit/bot/domain/test_calendar_oracle.py",
    "test_config.py": "unit/bot/domain/test_config.py",
    "test_due.py": "unit/bot/domain/test_due.py",
    "test_durations.py": "unit/bot/domain/test_durations.py",
    "test_hours.py": "unit/bot/domain/test_hours.py",
    "test_health.py": "unit/bot/runtime/test_health.py",
    "test_http_front.py": "unit/bot/runtime/test_http_front.py",
    "test_logging.py": "unit/bot/runtime/test_logs.py",
    "test_manifest.py": "unit/bot/runtime/test_manifest.py",
    "test_notices.py": "unit/bot/domain/test_notices.py",
    "test_worker.py": "unit/bot/runtime/test_worker.py",
    "test_render.py": "unit/bot/console/test_render.py",
    "test_slack_double.py": "unit/bot/console/double/test_web_api.py",
    "test_ooo_dates.py": "unit/bot/domain/services/test_absence_dates.py",
    # unit: handlers/
    "test_block_words.py": "unit/handlers/blocks/test_block_words.py",
    "test_message_parse.py": "unit/handlers/commands/test_message_parse.py",
    "test_parsing_table.py": "unit/handlers/commands/test_command_lines.py",
    # unit: storage/
    "test_outbox.py": "unit/storage/test_outbox.py",
    "test_storage_db.py": "unit/storage/test_db.py",
    "test_touched.py": "unit/storage/test_touched.py",
    "test_migrations.py": "unit/storage/migrations/test_head_matches_models.py",
    "test_sites_migration.py": "unit/storage/migrations/test_0006_sites.py",
    "test_migration_0011.py": "unit/storage/migrations/test_0011_teams_and_planned_absences.py",
    # scenarios: visitors, messages, enquiries, out of office
    "test_visitor_commands.py": "scenarios/visitors/test_visitor_commands.py",
    "test_visitor_record.py": "scenarios/visitors/test_visitor_record.py",
    "test_visitor_checks.py": "scenarios/visitors/test_visitor_checks.py",
    "test_messages.py": "scenarios/messages/test_messages.py",
    "test_message_interim.py": "scenarios/messages/test_interim_call_back.py",
    "test_listeners.py": "scenarios/test_listeners_called_directly.py",
    "test_layers.py": "unit/test_layers.py",
    "test_hacking.py": "unit/test_hacking.py",
    "test_enquiries.py": "scenarios/enquiries/test_enquiries.py",
    "test_enquiry_customer.py": "scenarios/enquiries/test_customer_side.py",
    "test_ooo_commands.py": "scenarios/ooo/test_ooo_commands.py",
    "test_ooo_handover.py": "scenarios/ooo/test_hand_over.py",
    "test_planned_absences.py": "scenarios/ooo/test_planned_absences.py",
    "test_planned_hand_over_buttons.py": "scenarios/ooo/test_planned_hand_over_buttons.py",
    # scenarios: the desk
    "test_board.py": "scenarios/desk/test_board.py",
    "test_desk_close.py": "scenarios/desk/test_close.py",
    "test_calls_and_help.py": "scenarios/desk/test_calls_and_assist.py",
    "test_mentions_and_closing.py": "scenarios/desk/test_mentions_and_closing.py",
    "test_corrections.py": "scenarios/desk/test_corrections.py",
    "test_reports.py": "scenarios/desk/test_reports.py",
    # scenarios: people, sites, teams, Home
    "test_directory.py": "scenarios/people/test_directory.py",
    "test_roles.py": "scenarios/people/test_roles.py",
    "test_sites.py": "scenarios/sites/test_sites.py",
    "test_sites_own_time.py": "scenarios/sites/test_own_time.py",
    "test_sites_calls_and_channels.py": "scenarios/sites/test_calls_and_channels.py",
    "test_teams_routing.py": "scenarios/teams/test_teams_and_routing.py",
    "test_home.py": "scenarios/home/test_my_desk.py",
    "test_home_refresh.py": "scenarios/home/test_refresh.py",
    # scenarios: input as typed
    "test_commands_as_typed.py": "scenarios/input/test_commands_as_typed.py",
    "test_taken_as_meant.py": "scenarios/input/test_taken_as_meant.py",
    "test_bad_input.py": "scenarios/input/test_bad_input_properties.py",
    "test_bad_input_regressions.py": "scenarios/input/test_bad_input_regressions.py",
    # scenarios: sweep, delivery, the ack promise, privacy, security
    "test_sweep.py": "scenarios/jobs/test_sweep.py",
    "test_scheduler.py": "scenarios/jobs/test_scheduler.py",
    "test_delivery.py": "scenarios/delivery/test_slow_slack.py",
    "test_outbox_faults.py": "scenarios/delivery/test_slack_failures.py",
    "test_acked_means_saved.py": "scenarios/reliability/test_acked_means_saved.py",
    "test_round_trips.py": "scenarios/reliability/test_round_trips.py",
    "test_privacy.py": "scenarios/privacy/test_retention_and_erasure.py",
    "test_channel_privacy.py": "scenarios/privacy/test_channel_posts.py",
    "test_logging_privacy.py": "scenarios/privacy/test_logs.py",
    "test_security.py": "scenarios/security/test_requests.py",
    # process: servers, workers, kills, the command line, the console
    "test_serve_http.py": "process/http/test_serve_http.py",
    "test_socket_mode.py": "process/socket_mode/test_socket_mode.py",
    "test_serve_socket_mode.py": "process/socket_mode/test_serve_wiring.py",
    "test_startup_checks.py": "process/test_startup_checks.py",
    "test_crash.py": "process/test_crash.py",
    "test_exactly_once.py": "process/test_exactly_once.py",
    "sweeper_process.py": "process/sweeper_process.py",
    "test_cli.py": "process/test_cli.py",
    "test_packaging.py": "process/test_packaging.py",
    "test_console.py": "process/console/test_console.py",
    "test_console_calls_and_help.py": "process/console/test_calls_and_assist.py",
    "test_console_teams.py": "process/console/test_teams.py",
    "test_console_visitor_checks.py": "process/console/test_visitor_checks.py",
    "test_console_visitor_record.py": "process/console/test_visitor_record.py",
    "test_sites_console.py": "process/console/test_sites.py",
}

TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml"}
TEXT_NAMES = {"Makefile", "run"}
OWNED_ELSEWHERE = ("bot/", "handlers/")
# Path(__file__).parent.parent / Path(__file__).resolve().parent.parent, also via pathlib.
UP_TWO = re.compile(r"((?:pathlib\.)?Path)\(__file__\)(?:\.resolve\(\))?\.parent\.parent\b")
UP_ONE = re.compile(r"((?:pathlib\.)?Path)\(__file__\)(?:\.resolve\(\))?\.parent\b(?!\.parent)")


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def ensure_package(folder: Path, dry_run: bool) -> None:
    """Every folder from tests/ down to `folder` has an __init__.py (tracked)."""
    tests = ROOT / "tests"
    for part in [folder, *folder.parents]:
        if part == tests.parent:
            break
        init = part / "__init__.py"
        if not init.exists():
            print(f"  create {init.relative_to(ROOT)}")
            if not dry_run:
                part.mkdir(parents=True, exist_ok=True)
                init.write_text("")
                git("add", str(init.relative_to(ROOT)))


def fix_paths(path: Path, depth: int) -> None:
    """A file moved `depth` folders below tests/ finds the repository and tests/ again."""
    text = path.read_text()
    text = UP_TWO.sub(lambda m: f"{m[1]}(__file__).resolve().parents[{depth + 1}]", text)
    text = UP_ONE.sub(lambda m: f"{m[1]}(__file__).resolve().parents[{depth}]", text)
    path.write_text(text)


def move(dry_run: bool) -> dict[str, str]:
    """git mv each flat file still there; return {old: new} of the rows now in place."""
    placed: dict[str, str] = {}
    for old_name, new_name in TABLE.items():
        old, new = ROOT / "tests" / old_name, ROOT / "tests" / new_name
        if old.exists() and new.exists():
            print(f"BOTH tests/{old_name} and tests/{new_name} exist: merge them by hand")
            continue
        if old.exists():
            print(f"move tests/{old_name} -> tests/{new_name}")
            ensure_package(new.parent, dry_run)
            if not dry_run:
                git("mv", str(old.relative_to(ROOT)), str(new.relative_to(ROOT)))
                fix_paths(new, len(Path(new_name).parts) - 1)
        if old.exists() or new.exists():
            placed[f"tests/{old_name}"] = f"tests/{new_name}"
    return placed


def rewrite_references(placed: dict[str, str], everywhere: bool, dry_run: bool) -> None:
    patterns = []
    for old, new in placed.items():
        patterns.append((re.compile(rf"(?<![\w/]){re.escape(old)}\b"), new))
        patterns.append((re.compile(rf"(?<![\w.]){re.escape(module(old))}\b"), module(new)))
    for name in git("ls-files").splitlines():
        path = ROOT / name
        if not path.is_file() or name.startswith("tools/retest.py"):
            continue
        if path.suffix not in TEXT_SUFFIXES and path.name not in TEXT_NAMES:
            continue
        text = path.read_text(errors="surrogateescape")
        changed = text
        for pattern, new in patterns:
            changed = pattern.sub(new, changed)
        if changed == text:
            continue
        if name.startswith(OWNED_ELSEWHERE) and not everywhere:
            print(f"refers to an old test name (left alone, --everywhere fixes): {name}")
            continue
        print(f"  references rewritten in {name}")
        if not dry_run:
            path.write_text(changed, errors="surrogateescape")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--everywhere", action="store_true")
    args = parser.parse_args()
    placed = move(args.dry_run)
    rewrite_references(placed, args.everywhere, args.dry_run)
    unmapped = sorted(p.name for p in (ROOT / "tests").glob("test_*.py") if p.name not in TABLE)
    for name in unmapped:
        print(f"NO ROW for tests/{name}: add it to TABLE in tools/retest.py and run again")
    return 1 if unmapped else 0


if __name__ == "__main__":
    sys.exit(main())
