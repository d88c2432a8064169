"""Logging for the processes that run the bot (`serve`, `worker`): level, format, quiet libraries.

`LOG_LEVEL` (default INFO) is Front Desk's own level. `LOG_FORMAT=json` writes one JSON object a
line (time, level, logger, message, and exception text when there is one) for log collectors;
`text` is one readable line each. The libraries underneath speak only at WARNING and above,
whatever `LOG_LEVEL` says: APScheduler writes two INFO lines a round, and Bolt's and slack_sdk's
INFO and DEBUG lines carry request bodies (names, phone numbers). Bolt's loggers copy the root
level when the app is built, so a level set on `slack_bolt` does not reach them: the floor is a
filter on the handler, by logger name.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.domain.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers of the libraries underneath (and their children): WARNING and above only.
LIBRARIES = (
    "alembic",
    "apscheduler",
    "gunicorn",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "urllib3",
    "websocket",
    "websockets",
)
# Warnings that are not news. Bolt reads SLACK_BOT_TOKEN from the environment itself and, since
# the app is given a client already holding that token, warns at every start that it is unused.
KNOWN_NOISE = ("As you gave `client` as well, `token` will be unused",)


class LibrariesAtWarning(logging.Filter):
    """Let a library's record through only at WARNING and above; drop known noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if not any(name == lib or name.startswith(lib + ".") for lib in LIBRARIES):
            return True
        if record.levelno < logging.WARNING:
            return False
        return not (isinstance(record.msg, str) and record.msg.startswith(KNOWN_NOISE))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message[, exception]."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    settings: Settings, *, verbose: bool = False, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to stderr (or `stream`) as `settings` ask; return the handler.

    Replaces the handler a previous call (or `logging.basicConfig`) put on the root logger, and
    leaves other handlers (a test's log capture) alone.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(LibrariesAtWarning())
    root = logging.getLogger()
    for old in list(root.handlers):
        if type(old) is logging.StreamHandler:  # basicConfig's or ours; not pytest's subclasses
            root.removeHandler(old)
            old.close()  # the handler only; its stream stays open
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else settings.log_level)
    for library in LIBRARIES:
        logging.getLogger(library).setLevel(logging.WARNING)
    return handler
