"""Start-up checks for `serve` and `worker`: each failure is one line naming the setting.

All of them run before anything is written or any process started: the settings and the policy
file first, then Slack's `auth.test`, then the database (a SQLite file is created or upgraded in
place only once everything else has passed; PostgreSQL must already be at the newest schema).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.config import POLICY_FILE, ConfigError, Policy, Settings, load_policy
from storage.db import make_engine
from storage.migrate import is_current, upgrade

log = logging.getLogger(__name__)

Mode = Literal["socket", "http", "worker"]
SLACK_TIMEOUT_S = 10
# auth.test errors that mean the token itself is no good (anything else: Slack is unwell).
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
    }
)


@dataclass(frozen=True)
class Wiring:
    """What a `serve` or `worker` process needs from the settings and the policy, checked."""

    token: str
    signing_secret: str | None
    app_token: str | None
    desk: str
    managers: str
    api_url: str | None


def _secret(value: Any) -> str:
    if value is None:
        return ""
    return str(value.get_secret_value() if hasattr(value, "get_secret_value") else value).strip()


def _required(value: Any, name: str, why: str) -> str:
    secret = _secret(value)
    if not secret:
        raise ConfigError(f"{name}: required {why}")
    return secret


def policy_file(settings: Settings) -> Path:
    """The policy file `serve` and `worker` run on, or a ConfigError: they need one."""
    if settings.frontdesk_config is not None:
        return settings.frontdesk_config
    if Path(POLICY_FILE).is_file():
        return Path(POLICY_FILE)
    raise ConfigError(
        f"FRONTDESK_CONFIG: no policy file (set FRONTDESK_CONFIG, or put {POLICY_FILE} in "
        f"{Path.cwd()}); the built-in example policy is for `frontdesk console` only"
    )


def load_service_policy(settings: Settings) -> tuple[Policy, Path]:
    """Load the policy file (required); the policy and the file it came from."""
    path = policy_file(settings)
    return load_policy(path), path


def check_settings(settings: Settings, policy: Policy, *, mode: Mode) -> Wiring:
    """The settings `mode` needs, or a ConfigError naming the first one missing or malformed."""
    command = {
        "socket": "`frontdesk serve`",
        "http": "`frontdesk serve --http`",
        "worker": "`frontdesk worker`",
    }[mode]
    token = _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", f"by {command}")
    if token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN: this is an app-level token (xapp-…); the bot token starts xoxb-"
        )
    secret = None
    if mode == "http":
        secret = _required(settings.slack_signing_secret, "SLACK_SIGNING_SECRET", f"by {command}")
    app_token = None
    if mode == "socket":
        app_token = _required(
            settings.slack_app_token, "SLACK_APP_TOKEN", "by Socket Mode (or use --http)"
        )
        if not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN: not an app-level token (it starts xapp-; make one with the "
                "connections:write scope under Basic Information → App-Level Tokens)"
            )
    desk = _required(policy.channels.desk, "channels.desk", f"by {command} (the desk channel's ID)")
    managers = _required(
        policy.channels.managers,
        "channels.managers",
        f"by {command} (the managers' channel's ID)",
    )
    return Wiring(token, secret, app_token, desk, managers, settings.slack_api_url or None)


def check_slack_auth(token: str, api_url: str | None, *, timeout: float = SLACK_TIMEOUT_S) -> str:
    """Ask Slack (`auth.test`) whether it takes the bot token; the bot's user id, or ConfigError."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    quiet = logging.getLogger(f"{__name__}.auth_test")
    quiet.disabled = True  # slack_sdk logs each failed try; the ConfigError says it once
    client = WebClient(token=token, timeout=int(timeout), logger=quiet)
    if api_url:
        client.base_url = api_url
    where = client.base_url
    try:
        reply = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if code in REFUSED:
            raise ConfigError(f"SLACK_BOT_TOKEN: Slack refused the token ({code})") from None
        raise ConfigError(f"SLACK_API_URL: auth.test at {where} failed ({code})") from None
    except Exception as error:  # URLError, timeouts, refused connections, a non-JSON answer
        reason = getattr(error, "reason", None) or error
        raise ConfigError(f"SLACK_API_URL: Slack is unreachable at {where} ({reason})") from None
    return str(reply.get("user_id") or "")


def check_app_token(
    app_token: str, api_url: str | None, *, timeout: float = SLACK_TIMEOUT_S
) -> None:
    """Ask Slack (`apps.connections.open`) whether it takes the app-level token; ConfigError if not.

    The URL it answers with is never used (it expires unopened); Socket Mode asks for its own.
    """
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    quiet = logging.getLogger(f"{__name__}.app_token")
    quiet.disabled = True
    client = WebClient(token=app_token, timeout=int(timeout), logger=quiet)
    if api_url:
        client.base_url = api_url
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if code == "missing_scope":
            raise ConfigError(
                "SLACK_APP_TOKEN: the app-level token lacks the connections:write scope"
            ) from None
        if code in REFUSED:
            raise ConfigError(f"SLACK_APP_TOKEN: Slack refused the token ({code})") from None
        log.warning("apps.connections.open at start: %s (going on)", code)
    except Exception as error:
        reason = getattr(error, "reason", None) or error
        raise ConfigError(
            f"SLACK_API_URL: Slack is unreachable at {client.base_url} ({reason})"
        ) from None


def first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[-1] if lines else type(original).__name__


def _sqlite_directory_ok(url: str) -> bool:
    """For a SQLite file, check its directory (ConfigError); whether the URL is SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    if parsed.database not in (None, "", ":memory:"):
        directory = Path(parsed.database).resolve().parent
        if not directory.is_dir():
            raise ConfigError(f"DATABASE_URL: no such directory {directory}")
        if not os.access(directory, os.W_OK):
            raise ConfigError(f"DATABASE_URL: cannot write in {directory}")
    return True


def _engine(url: str) -> Engine:
    try:
        return make_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as error:
        raise ConfigError(f"DATABASE_URL: {first_line(error)}") from None


def upgrade_database(url: str) -> None:
    """`frontdesk db upgrade`: every migration, under the migration lock; errors in one line."""
    _sqlite_directory_ok(url)
    engine = _engine(url)
    try:
        upgrade(engine)
    except Exception as error:
        raise ConfigError(f"DATABASE_URL: cannot upgrade ({first_line(error)})") from None
    finally:
        engine.dispose()


def check_database(url: str) -> Engine:
    """An engine on a database at the newest schema, or a ConfigError naming DATABASE_URL.

    A SQLite file is created or upgraded in place (under the migration lock); PostgreSQL is only
    read here: it must exist and be at the newest schema (`frontdesk db upgrade`).
    """
    sqlite = _sqlite_directory_ok(url)
    engine = _engine(url)
    try:
        if sqlite:
            upgrade(engine)
        elif not is_current(engine):
            raise ConfigError(
                "DATABASE_URL: the database is not at the newest schema; "
                "run `frontdesk db upgrade` first"
            )
    except ConfigError:
        engine.dispose()
        raise
    except Exception as error:  # unreachable, no such database, refused login
        engine.dispose()
        raise ConfigError(f"DATABASE_URL: cannot use the database ({first_line(error)})") from None
    return engine


def run_checks(settings: Settings, *, mode: Mode) -> tuple[Policy, Wiring]:
    """Every start-up check for `mode`, in order; the database is left disposed of (no
    connection open, so a fork after this shares none)."""
    policy, path = load_service_policy(settings)
    wiring = check_settings(settings, policy, mode=mode)
    check_slack_auth(wiring.token, wiring.api_url)
    if wiring.app_token is not None:
        check_app_token(wiring.app_token, wiring.api_url)
    check_database(settings.database_url).dispose()
    log.info("policy loaded from %s", path.resolve())  # after the checks: a failure is one line
    return policy, wiring
