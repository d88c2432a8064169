"""`frontdesk`: the console, the bot (Socket Mode or HTTP), the worker, migrations, the manifest,
`due`, reports."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.domain.config import ConfigError, Policy, Settings, load_policy, load_settings

log = logging.getLogger("frontdesk")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("alembic", "apscheduler", "gunicorn"):  # a line per round, or per start
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ConfigError as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    console = sub.add_parser("console", help="run Front Desk locally with no Slack account")
    console.add_argument("--at", help='start the clock here (site time), e.g. "2026-11-23 09:00"')
    console.add_argument(
        "--db",
        default=None,
        help="database URL (default: DATABASE_URL, else sqlite:///frontdesk-console.db)",
    )
    console.add_argument(
        "--fresh", action="store_true", help="start from an empty console database"
    )
    console.set_defaults(run=_console)

    serve = sub.add_parser(
        "serve",
        help="run the bot: Socket Mode, or HTTP with --http; with a worker unless --no-worker",
    )
    serve.add_argument(
        "--http", action="store_true", help="serve Slack's HTTP endpoint /slack/events (gunicorn)"
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="no rounds or delivery here: a `frontdesk worker` runs elsewhere",
    )
    http = serve.add_argument_group("HTTP (with --http)")
    http.add_argument("--host", default="0.0.0.0")
    http.add_argument("--port", type=int, default=3000)
    http.add_argument(
        "--workers",
        type=int,
        default=None,
        help="web processes (default 2 on PostgreSQL; SQLite takes only 1)",
    )
    http.add_argument("--threads", type=int, default=8, help="threads per web process")
    http.add_argument(
        "--keepalive", type=int, default=5, help="seconds an idle connection stays open"
    )
    http.add_argument(
        "--timeout", type=int, default=30, help="seconds before a stuck web process is restarted"
    )
    http.add_argument(
        "--graceful-timeout",
        type=int,
        default=30,
        help="seconds requests in flight (and the worker's round) get on shutdown",
    )
    serve.add_argument("-v", "--verbose", action="store_true")
    serve.set_defaults(run=_serve)

    worker = sub.add_parser(
        "worker", help="run the scheduled rounds, the tasks and the outbox sender (no web front)"
    )
    worker.add_argument("-v", "--verbose", action="store_true")
    worker.set_defaults(run=_worker)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every migration").set_defaults(run=_db_upgrade)

    manifest = sub.add_parser("manifest", help="print the Slack app manifest")
    manifest.add_argument(
        "--http", metavar="URL", help="the HTTP variant, with request URLs under URL"
    )
    manifest.set_defaults(run=_manifest)

    due = sub.add_parser("due", help='when is it due? e.g. due "2026-11-27 16:30" "1 business day"')
    due.add_argument("start", nargs="?")
    due.add_argument("window", nargs="?")
    due.add_argument("--batch", action="store_true", help="read START<TAB>WINDOW lines on stdin")
    due.add_argument("--site", help="on this site's calendar (an id from [sites.<id>])")
    due.set_defaults(run=_due)

    report = sub.add_parser("report", help="write the managers' report as PNG and CSV")
    report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--out", type=Path, default=Path("report"), help="directory to write to")
    report.set_defaults(run=_report)
    return parser


def _policy(settings: Settings) -> Policy:
    return load_policy(settings.frontdesk_config)


def _console(args: argparse.Namespace) -> int:
    from bot.console.main import run_console

    return run_console(args)


def _serve(args: argparse.Namespace) -> int:
    from bot.runtime.logs import configure_logging
    from bot.runtime.serve import HttpOptions, serve

    settings = load_settings()
    configure_logging(settings, verbose=args.verbose)
    http = None
    if args.http:
        http = HttpOptions(
            host=args.host,
            port=args.port,
            workers=args.workers,
            threads=args.threads,
            keepalive=args.keepalive,
            timeout=args.timeout,
            graceful_timeout=args.graceful_timeout,
            worker=not args.no_worker,
        )
    return serve(settings, http=http, in_process_worker=not args.no_worker)


def _worker(args: argparse.Namespace) -> int:
    from bot.runtime.logs import configure_logging
    from bot.runtime.serve import run_worker

    settings = load_settings()
    configure_logging(settings, verbose=args.verbose)
    return run_worker(settings)


def _db_upgrade(_args: argparse.Namespace) -> int:
    from bot.runtime.startup import upgrade_database

    upgrade_database(load_settings().database_url)
    print("database is up to date")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from bot.runtime.manifest import manifest_text

    print(manifest_text(http_url=args.http), end="")
    return 0


def _due(args: argparse.Namespace) -> int:
    from bot.domain.due import due_instant, run_batch

    settings = load_settings()
    policy = _policy(settings)
    if args.site and args.site not in policy.site_ids():
        known = ", ".join(policy.site_ids())
        print(
            f'error: --site: there is no site "{args.site}" (the sites are: {known})',
            file=sys.stderr,
        )
        return 2
    calendar = policy.calendar(args.site)
    if args.batch:
        outputs, ok = run_batch(calendar, sys.stdin)
        for line in outputs:
            print(line)
        return 0 if ok else 1
    if not args.start or not args.window:
        print(
            'usage: frontdesk due START WINDOW   e.g. frontdesk due "2026-11-27 16:30" "1 business day"',
            file=sys.stderr,
        )
        return 2
    try:
        print(due_instant(calendar, args.start, args.window))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    from bot.runtime.reports_cli import write_report_files

    settings = load_settings()
    return write_report_files(settings, _policy(settings), args.start, args.end, args.out)


if __name__ == "__main__":
    sys.exit(main())
