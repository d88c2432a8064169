"""Start the console: the demo workspace, a SQLite file, the example policy, a movable clock."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.console import demo
from bot.console.embedded import start_embedded
from bot.console.repl import Console, read_lines, start_at
from bot.domain.clock import ManualClock, SystemClock
from bot.domain.config import (
    ChannelsConfig,
    Policy,
    RolesConfig,
    RoutingRule,
    TeamConfig,
    load_policy,
    load_settings,
)
from storage.db import make_engine
from storage.migrate import upgrade

CONSOLE_DB = "sqlite:///frontdesk-console.db"
BANNER = """Front Desk console — a pretend workspace, no Slack account needed.
You are @reception. Try:  /visitor arrived Jane Doe from Acme for @alice
/help lists the console's own commands; /quit leaves."""


def demo_policy(policy: Policy) -> Policy:
    """The policy with the demo workspace's channels and roles (and its two teams and their
    routing rules, unless the policy file sets teams of its own)."""
    update: dict[str, object] = {
        "channels": ChannelsConfig(desk=demo.DESK_CHANNEL[0], managers=demo.MANAGERS_CHANNEL[0]),
        "roles": RolesConfig(
            managers=tuple(u.id for u in demo.DEMO_USERS if u.role == "managers"),
            reception=tuple(u.id for u in demo.DEMO_USERS if u.role == "reception"),
        ),
    }
    if not policy.teams:
        teams = {name: TeamConfig.model_validate(team) for name, team in demo.DEMO_TEAMS.items()}
        update["teams"] = teams
        update["routing"] = tuple(RoutingRule.model_validate(rule) for rule in demo.DEMO_ROUTING)
    # Validated again as a whole, so the copy checks its rules and caches nothing stale.
    return Policy.model_validate(policy.model_copy(update=update).model_dump())


def run_console(args: argparse.Namespace) -> int:
    """Run the console until /quit or end of input."""
    for name in ("", "alembic", "slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = load_settings()
    policy = demo_policy(load_policy(settings.frontdesk_config))
    try:
        start = start_at(args.at, policy.site.tz, SystemClock().now())
    except ValueError as error:
        print(f"frontdesk console: --at {error}", file=sys.stderr)
        return 2
    url = args.db or CONSOLE_DB
    if args.fresh:
        _remove_sqlite_file(url)
    engine = make_engine(url)
    upgrade(engine)
    clock = ManualClock(start)
    embedded = start_embedded(engine=engine, policy=policy, clock=clock)
    interactive = sys.stdin.isatty()
    try:
        if interactive:
            print(BANNER)
        console = Console(embedded, sys.stdout, echo=not interactive)
        console.catch_up()  # a restart at a later --at says what fell due meanwhile, at once
        console.run(read_lines(sys.stdin, interactive))
    finally:
        embedded.close()
        engine.dispose()
    return 0


def _remove_sqlite_file(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)
