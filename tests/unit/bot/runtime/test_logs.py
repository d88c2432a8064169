"""Logs (DESIGN.md "Running", "Privacy and security"): LOG_LEVEL and LOG_FORMAT, the libraries
underneath at WARNING, no warning on every start, a refused request in one line without its body,
and masking that catches URL-encoded phone numbers and leaves timestamps alone."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.harness import SECRET, clean_env, frontdesk_serve, requests_for, write_policy
from bot.console.double import SlackDouble
from bot.console.double.requests import SlackRequests
from bot.domain.config import ConfigError, Settings, load_settings
from bot.runtime.logs import configure_logging
from handlers.security import (
    BOLT_VERIFICATION_LOGGER,
    OneLineRefusal,
    install_log_redaction,
    install_refusal_line,
    redact,
)

VISITOR = "Jane Doe"
# The same number as a caller types it, and as it arrives URL-encoded in a form body.
PHONE_FORMS = ("+1 416-555-0100", "%2B1+416-555-0100", "416%2D555%2D0100", "%28416%29%20555-0100")


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What configure_logging's handler writes; the root logger put back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


# ---- LOG_LEVEL and LOG_FORMAT ----------------------------------------------------------------


def test_json_format_is_one_object_a_line_with_time_level_logger_message_and_exception(
    logged: io.StringIO,
) -> None:
    configure_logging(settings(log_format="json"), stream=logged)
    log = logging.getLogger("bot.example")
    log.info("visit %s stored", 17)
    try:
        raise ValueError("no such host")
    except ValueError:
        log.exception("storing failed")
    lines = logged.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "bot.example"
    assert first["message"] == "visit 17 stored"
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert "exception" not in first
    assert second["level"] == "ERROR" and second["message"] == "storing failed"
    assert "ValueError: no such host" in second["exception"]
    assert "Traceback" in second["exception"]


def test_text_format_is_one_readable_line(logged: io.StringIO) -> None:
    configure_logging(settings(), stream=logged)
    logging.getLogger("bot.example").warning("desk channel not found")
    (line,) = logged.getvalue().splitlines()
    assert line.endswith(" WARNING bot.example: desk channel not found")


@pytest.mark.parametrize(
    ("level", "shown", "hidden"),
    [
        ("INFO", ["info", "warning"], ["debug"]),
        ("warning", ["warning"], ["debug", "info"]),
        ("DEBUG", ["debug", "info", "warning"], []),
    ],
)
def test_log_level_sets_front_desks_own_level(
    logged: io.StringIO, level: str, shown: list[str], hidden: list[str]
) -> None:
    configure_logging(settings(log_level=level), stream=logged)
    log = logging.getLogger("bot.example")
    log.debug("said at debug")
    log.info("said at info")
    log.warning("said at warning")
    output = logged.getvalue()
    assert all(f"said at {word}" in output for word in shown)
    assert not any(f"said at {word}" in output for word in hidden)


def test_defaults_are_info_and_text() -> None:
    assert (settings().log_level, settings().log_format) == ("INFO", "text")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [("LOG_LEVEL", "loud", "LOG_LEVEL:"), ("LOG_FORMAT", "xml", "LOG_FORMAT:")],
)
def test_a_bad_log_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[3])  # no .env here
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(named) and value in str(error.value)
    assert "\n" not in str(error.value)


# ---- the libraries underneath ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "apscheduler.scheduler",
        "apscheduler.executors.default",
        "slack_bolt.App",
        "slack_bolt.IgnoringSelfEvents",
        "slack_sdk.web.base_client",
        "slack_sdk.socket_mode.builtin.client",
        "urllib3.connectionpool",
        "gunicorn.error",
        "sqlalchemy.engine.Engine",
    ],
)
def test_libraries_speak_only_at_warning_even_under_debug(logged: io.StringIO, name: str) -> None:
    configure_logging(settings(log_level="DEBUG"), stream=logged)
    library = logging.getLogger(name)
    library.setLevel(logging.DEBUG)  # as Bolt does: its loggers copy the root's level
    library.info('Running job "sweep" (scheduled at 2026-11-24 15:00:00)')
    library.debug("body: token=xoxb-1&text=arrived+Jane+Doe")
    library.warning("something a library warns about")
    assert logged.getvalue().splitlines() == [
        line for line in logged.getvalue().splitlines() if "warns about" in line
    ]
    assert "warns about" in logged.getvalue()


def test_bolts_unused_token_warning_is_not_printed_at_every_start(logged: io.StringIO) -> None:
    configure_logging(settings(), stream=logged)
    logging.getLogger("slack_bolt.App").warning(
        "As you gave `client` as well, `token` will be unused."
    )
    assert logged.getvalue() == ""


# ---- refused requests ------------------------------------------------------------------------


def bolt_refusal_record(signature: str, timestamp: str, body: str) -> logging.LogRecord:
    """The record Bolt's RequestVerification makes for a refused request (its exact wording)."""
    return logging.LogRecord(
        BOLT_VERIFICATION_LOGGER,
        logging.INFO,
        __file__,
        1,
        f"Invalid request signature detected (signature: {signature}, timestamp: {timestamp}, "
        f"body: {body})",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("signature", "age", "why"),
    [
        ("v0=0123abcd", 0, "bad signature"),
        ("v0=0123abcd", 600, "stale timestamp"),
        ("", 0, "unsigned request"),
    ],
)
def test_bolts_refusal_becomes_one_line_without_the_body(
    signature: str, age: int, why: str
) -> None:
    now = 1_795_550_399
    body = f"text=arrived+Jane+Doe+call+{PHONE_FORMS[1]}&user_id=U0RECEPTION"
    record = bolt_refusal_record(signature, str(now - age), body)
    assert OneLineRefusal(clock=lambda: now).filter(record)
    assert record.getMessage() == f"refused a Slack request: {why}"
    assert record.levelno == logging.WARNING


def test_bolts_refusal_line_is_made_even_at_log_level_warning(logged: io.StringIO) -> None:
    configure_logging(settings(log_level="WARNING"), stream=logged)
    bolt = logging.getLogger(BOLT_VERIFICATION_LOGGER)
    bolt.setLevel(logging.WARNING)  # what Bolt sets when the app is built under WARNING
    install_refusal_line()
    bolt.info(
        f"Invalid request signature detected (signature: v0=ab, timestamp: {int(time.time())}, "
        "body: text=arrived+Jane+Doe)"
    )
    (line,) = logged.getvalue().splitlines()
    assert line.endswith(
        "WARNING slack_bolt.RequestVerification: refused a Slack request: bad signature"
    )


@pytest.mark.process
def test_refused_requests_are_one_json_line_each_without_their_body(
    double: SlackDouble, tmp_path: Path
) -> None:
    """A badly signed request, a stale one and a replay, against `frontdesk serve --http`."""
    requests = requests_for(double)
    text = f"arrived {VISITOR} from Acme for <@U0ALICE|alice> — call {PHONE_FORMS[0]}"
    forged = SlackRequests(double, "not-the-signing-secret").command(
        "/visitor", text, user_id="U0RECEPTION"
    )
    stale = requests.command(
        "/visitor", text, user_id="U0RECEPTION", timestamp=int(time.time()) - 600
    )
    genuine = requests.command("/visitor", "list", user_id="U0RECEPTION")
    with frontdesk_serve(double, tmp_path, extra_env={"LOG_FORMAT": "json"}) as server:
        server.start(wait=30)
        assert server.post(forged).status == 401
        assert server.post(stale).status == 401
        assert server.post(genuine).status == 200
        assert server.post(genuine).status == 401  # the replay
        deadline = time.monotonic() + 5
        while server.output().count("refused a Slack request") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        output = server.output()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    refused = [m for m in (line["message"] for line in lines) if m.startswith("refused a Slack")]
    assert sorted(refused) == [
        "refused a Slack request: bad signature",
        "refused a Slack request: replayed request",
        "refused a Slack request: stale timestamp",
    ]
    assert VISITOR.split()[0] not in output and "Acme" not in output
    assert re.search(r"416\D{0,6}555\D{0,6}0100", output) is None, output
    assert "body:" not in output
    assert all(line["level"] != "DEBUG" for line in lines)


# ---- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", PHONE_FORMS)
def test_url_encoded_numbers_are_masked_in_the_log(
    caplog: pytest.LogCaptureFixture, number: str
) -> None:
    install_log_redaction()
    caplog.set_level(logging.INFO)
    logging.getLogger("tests.logging").info("body: text=arrived+Jane+Doe+call+%s&x=1", number)
    assert "555" not in caplog.text and "0100" not in caplog.text
    assert "[phone]" in caplog.text


@pytest.mark.parametrize(
    "kept",
    [
        "timestamp: 1795550399.123456",
        "x-slack-request-timestamp: 1795550399",
        "at 2026-11-24 15:00:00 site time",
        "at 15:00:00 2026-11-24",
        "due 2026-11-24T20:00:00Z, sent 2026-11-24T20:00:00.123456+00:00",
        "message ts 1764345600.000100 in C0DESK",
        "arrived 1795550399123 ms",
        "payload=%7B%22ts%22%3A%221764345600.000100%22%7D",
        "event_time=1795550399&x",
    ],
)
def test_timestamps_survive_masking_in_the_log(caplog: pytest.LogCaptureFixture, kept: str) -> None:
    install_log_redaction()
    caplog.set_level(logging.INFO)
    logging.getLogger("tests.logging").info("%s", kept)
    assert caplog.records[-1].getMessage() == kept
    assert redact(kept) == kept


# ---- a whole start, as an operator sees it ---------------------------------------------------


@pytest.mark.process
def test_worker_start_and_rounds_print_no_warning_and_no_library_chatter(
    double: SlackDouble, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path)
    policy.write_text(
        policy.read_text().replace('sweep_every = "30 seconds"', 'sweep_every = "2 seconds"')
    )
    env = clean_env(
        {
            "SLACK_API_URL": double.base_url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdesk.db'}",
            "FRONTDESK_CONFIG": str(policy),
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        double.wait_for("users.list", timeout=20)  # the first round has run
        time.sleep(2.2)  # a round or two more
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
    assert process.returncode == 0, output
    assert "Front Desk worker running" in output
    assert " WARNING " not in output and " ERROR " not in output, output
    assert "apscheduler" not in output and "Running job" not in output, output
