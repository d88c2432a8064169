"""Request security beyond Bolt's signature check, and log redaction.

Bolt's own `RequestVerification` middleware refuses (401) a request whose signature is missing or
wrong, or whose timestamp is more than five minutes from now. What it lets through, this
middleware (registered with `app.use`, so it runs after Bolt's checks) also checks:

- **Replays.** A signature covers `v0:<timestamp>:<body>`, so the exact same request sent again
  within the five minutes carries the same signature. Each signature seen is remembered until its
  timestamp is five minutes old (after that Bolt refuses it as stale anyway); a second sighting is
  refused with 401 and runs nothing. The memory is per process: replicas behind a load balancer
  each keep their own, so a replay sent to another replica within the window is not caught there
  (documented in docs/reliability.md; a shared table would close that gap).
- **Foreign workspaces.** The request's team (Bolt's `context.team_id`) must be the workspace of our
  bot token, which Bolt's single-team authorization learns from `auth.test` once and caches. An
  org-wide (Enterprise Grid) install accepts any workspace of its own enterprise.
- **Foreign apps.** `api_app_id` must be ours: the `SLACK_APP_ID` setting when given, else the app id
  of the first request that passed every check (the signing secret is per app, so that request is
  ours), pinned for the life of the process.

Socket Mode requests carry no signature (the WebSocket itself is authenticated with the app-level
token), so the replay check does not apply to them; the team and app checks do.

Logs: `install_log_redaction` makes every log record leave the process with tokens, the signing
secret and phone numbers (plain or URL-encoded) masked, whatever logger or handler emits it
(exception tracebacks too), leaving instants and times alone; and a request Bolt refuses (bad
signature, stale timestamp) is logged in one line without its body, as a replay refused here is.
"""

from __future__ import annotations

import heapq
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

WINDOW_SECONDS = 300  # Bolt refuses timestamps further than this from now


class ReplayGuard:
    """Signatures seen in the last five minutes, each remembered until it would be stale.

    A signature is kept as its 64-bit hash, filed under the second its timestamp goes stale, so a
    busy server holds some 80 bytes per recent request rather than the header string, a float and
    a tuple (about 320). Two different signatures sharing a hash within five minutes is a chance of
    about one in 10^10 at 10,000 requests, and only refuses the later of the two.
    """

    def __init__(
        self, *, window: int = WINDOW_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._stale_at: dict[int, list[int]] = {}  # second -> hashes that go stale then
        self._seconds: list[int] = []  # heap of the keys of _stale_at

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def first_sighting(self, signature: str, timestamp: str) -> bool:
        """True the first time a signature is seen; False for a replay."""
        try:
            stale_at = int(timestamp) + self.window + 1
        except ValueError:
            return False
        key = hash(signature)
        now = self.clock()
        with self._lock:
            while self._seconds and self._seconds[0] < now:
                self._seen.difference_update(self._stale_at.pop(heapq.heappop(self._seconds)))
            if key in self._seen:
                return False
            self._seen.add(key)
            bucket = self._stale_at.get(stale_at)
            if bucket is None:
                bucket = self._stale_at[stale_at] = []
                heapq.heappush(self._seconds, stale_at)
            bucket.append(key)
            return True


class RequestGuard(Middleware):
    """Refuse replayed requests and requests for another workspace or app (401, nothing runs)."""

    def __init__(self, *, replays: ReplayGuard | None, app_id: str | None = None) -> None:
        self.replays = replays
        self.app_id = app_id or None
        self._app_id_lock = threading.Lock()

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 (Bolt's name for it)
    ) -> BoltResponse:
        socket_mode = req.mode == "socket_mode"
        if self.replays is not None and not socket_mode:
            signature = _header(req, "x-slack-signature")
            timestamp = _header(req, "x-slack-request-timestamp")
            if not signature or not timestamp:
                return _refuse("unsigned request")
            if not self.replays.first_sighting(signature, timestamp):
                return _refuse("replayed request")
        refusal = self._foreign(req)
        if refusal:
            return _refuse(refusal)
        return next()

    def _foreign(self, req: BoltRequest) -> str | None:
        context = req.context
        ours = context.authorize_result
        if ours is not None:
            same_team = context.team_id is not None and context.team_id == ours.team_id
            same_org = (
                ours.enterprise_id is not None
                and context.enterprise_id == ours.enterprise_id
                and bool(context.is_enterprise_install)
            )
            if not (same_team or same_org):
                return "request for another workspace"
        app_id = req.body.get("api_app_id") if isinstance(req.body, dict) else None
        if app_id:
            with self._app_id_lock:
                if self.app_id is None:
                    self.app_id = str(app_id)
                    log.info("requests are for the Slack app %s", self.app_id)
                elif app_id != self.app_id:
                    return "request for another app"
        return None


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name)
    return values[0] if values else None


def _refuse(reason: str) -> BoltResponse:
    log.warning("refused a Slack request: %s", reason)
    return BoltResponse(status=401, body=f"{reason}\n", headers={"content-type": "text/plain"})


# ---- log redaction -----------------------------------------------------------------------------

_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{4,}")
# What joins the digits of a phone number as people type it, plain or URL-encoded (a form body:
# `+` for a space, `%2B` for a plus, `%2D` for a hyphen, `%20`, `%28`, `%29`, `%2E`, `%2F`).
_SEPARATOR = r"(?:[ \t().\-/+]|%2[089BbDdEeFf])"
# A run of digits and separators; checked further below. It may follow a word only through a
# percent-escape (`call%20416…`), and a `+` (a form's space) before it is not part of it.
_PHONE = re.compile(
    r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![\w%]))(?:\+|%2[Bb])?(?:\(|%28)?\d(?:\d|"
    + _SEPARATOR
    + r"){5,60}\d"
    r"(?!\w)"
)
# Instants and times, never phone numbers: an ISO date or date-time (with seconds, fraction and
# offset), a time of day, a Unix time in seconds or milliseconds, a Slack ts (seconds.micro).
_TIMESTAMP = re.compile(
    r"(?<!\d)(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?!\d)"
    r"|(?<!\d)\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?(?!\d)"
    r"|(?<![\d.])1\d{9}(?:\d{3})?(?:\.\d{1,6})?(?![\d.])"
)
_UNIX_TIME = re.compile(r"1\d{9}(?:\d{3})?(?:\.\d{1,6})?")
_ISO_DATE = re.compile(r"(?:19|20)\d\d[-/](?:0[1-9]|1[0-2])[-/](?:0[1-9]|[12]\d|3[01])")
_DECIMAL = re.compile(r"\d+\.\d+")  # Slack ts, durations, versions
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
REDACTED = "[redacted]"


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    plain = unquote_plus(found) if "%" in found or "+" in found[1:] else found
    digits = sum(c.isdigit() for c in plain)
    if not 7 <= digits <= 15:
        return found
    plain = plain.strip()
    if _ISO_DATE.search(plain) or _UNIX_TIME.fullmatch(plain):
        return found
    if _DECIMAL.fullmatch(plain) or _DOTTED_QUAD.fullmatch(plain):
        return found
    return "[phone]"


def mask_phone_numbers(text: str) -> str:
    """Mask phone numbers (plain or URL-encoded) in `text`, leaving instants and times alone."""
    parts: list[str] = []
    start = 0
    for kept in _TIMESTAMP.finditer(text):
        parts += [_PHONE.sub(_phone, text[start : kept.start()]), kept.group(0)]
        start = kept.end()
    parts.append(_PHONE.sub(_phone, text[start:]))
    return "".join(parts)


class Redactor:
    """Masks tokens, known secrets and phone numbers in text."""

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add_secrets(self, secrets: Iterable[str | None]) -> None:
        with self._lock:
            known = set(self._secrets) | {s for s in secrets if s and len(s) >= 6}
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _TOKEN.sub(REDACTED, text)
        return mask_phone_numbers(text)


redact = Redactor()
_installed = False
_install_lock = threading.Lock()


def install_log_redaction(secrets: Iterable[str | None] = ()) -> None:
    """Mask tokens, `secrets` and phone numbers in every log record from now on (idempotent),
    and keep Bolt's refused-request line to one line without the body (`install_refusal_line`).

    Done in the record factory rather than a handler filter, so it holds for whatever handlers
    are configured later (the CLI's, a WSGI server's, pytest's caplog).
    """
    global _installed
    redact.add_secrets(secrets)
    install_refusal_line()
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


# Bolt's `RequestVerification` logs a refused request at INFO as "Invalid request signature
# detected (signature: …, timestamp: …, body: …)": the whole body, visitor and caller details
# included. This filter, on that one logger, makes it one line without the body.
BOLT_VERIFICATION_LOGGER = "slack_bolt.RequestVerification"
_BOLT_REFUSAL = re.compile(
    r"Invalid request signature detected \(signature: (.*?), timestamp: ([^,]*)"
)


class OneLineRefusal(logging.Filter):
    """Rewrite Bolt's refusal of a badly signed request: one WARNING line, why, and no body."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.clock = clock

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        if not message.startswith("Invalid request signature"):
            return True
        found = _BOLT_REFUSAL.match(message)
        signature, timestamp = (found.group(1), found.group(2)) if found else ("", "")
        record.msg, record.args = (
            f"refused a Slack request: {self._why(signature, timestamp)}",
            None,
        )
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info, record.exc_text = None, None
        return True

    def _why(self, signature: str, timestamp: str) -> str:
        if not signature:
            return "unsigned request"
        try:
            sent = int(timestamp)
        except ValueError:
            return "malformed timestamp"
        if abs(self.clock() - sent) > WINDOW_SECONDS:
            return "stale timestamp"
        return "bad signature"


def install_refusal_line() -> None:
    """Make Bolt's refused-request line one line without the body, at any log level (idempotent).

    Call after the Bolt app is built: Bolt sets its loggers' levels to the root's then, and this
    one must stay at INFO or lower for its line (rewritten to WARNING) to be made at all.
    """
    logger = logging.getLogger(BOLT_VERIFICATION_LOGGER)
    if not any(isinstance(f, OneLineRefusal) for f in logger.filters):
        logger.addFilter(OneLineRefusal())
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it for the handler to report
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
