"""Tokens and phone numbers never reach the logs at INFO level: neither through Bolt in-process
(caplog) nor on the stderr of `frontdesk serve --http`."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from bench.harness import SECRET, frontdesk_serve, requests_for, start_double
from bot.console import demo
from bot.console.embedded import Embedded
from handlers.registry import COMMANDS
from handlers.security import install_log_redaction, redact

ALICE_M = "<@U0ALICE|alice>"
PHONES = ("416-555-0199", "(416) 555-0123", "+1 416 555 0142", "4165550177")
E164 = ("+14165550199", "+14165550123", "+14165550142", "+14165550177")


def commands() -> list[tuple[str, str]]:
    """Commands that carry phone numbers: /visitor now, /message once it is registered."""
    sent = [
        ("/visitor", f"arrived Jane Doe from Acme for {ALICE_M} — call her on {PHONES[0]}"),
        ("/visitor", f"arrived Sam Roe for <@U0NOBODY|nobody> — mobile {PHONES[1]}"),
        ("/visitor", f"left {PHONES[2]}"),
    ]
    if "/message" in COMMANDS:
        sent += [
            ("/message", f"{ALICE_M} Jane Doe (Acme) {PHONES[0]}: about the invoice"),
            ("/message", f"urgent {ALICE_M} Sam Roe {PHONES[2]}: flooding"),
            ("/message", f"{ALICE_M} Lee Poe {PHONES[3]}"),
            ("/message", f"<@U0NOBODY|nobody> Kim Day {PHONES[1]}: hello"),
        ]
    return sent


def leaks(text: str) -> list[str]:
    secrets = [demo.BOT_TOKEN, demo.SIGNING_SECRET, SECRET, "xoxb-", "xapp-"]
    found = [s for s in (*secrets, *PHONES, *E164) if s in text]
    digits = re.sub(r"[^\d+]", "", text)
    found += [p for p in E164 if p[2:] in digits]
    return found


def test_commands_with_phone_numbers_log_neither_numbers_nor_tokens(
    fd: Embedded, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fd.double.fail("chat.postMessage", error="channel_not_found", times=1)  # an error path too
    for command, text in commands():
        fd.command("U0RECEPTION", command, text)
    fd.runtime.sender.deliver_due()
    fd.settle()
    if "/message" in COMMANDS:  # the number did go where it belongs: the owner's DM
        assert any("555" in str(c.args) for c in fd.double.calls_to("chat.postMessage"))
    assert caplog.records, "expected some log lines to check"
    assert leaks(caplog.text) == []


def test_an_exception_with_a_number_in_it_is_logged_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_log_redaction(["xoxb-secret-token-123"])
    caplog.set_level(logging.INFO)
    log = logging.getLogger("tests.privacy")
    log.info("token %s and number %s", "xoxb-secret-token-123", "416-555-0199")
    log.info("other tokens xoxp-1-2-3-abc and xapp-1-A0-xyz")
    try:
        raise ValueError("could not store (416) 555-0123 for +44 20 7946 0958")
    except ValueError:
        log.exception("storing failed")
    assert leaks(caplog.text) == []
    assert "7946" not in caplog.text
    assert "[redacted]" in caplog.text and "[phone]" in caplog.text


@pytest.mark.parametrize(
    "kept",
    [
        "at 2026-11-24 15:00:00 UTC",
        "ts 1764345600.000100",
        "listening on http://127.0.0.1:3000/slack/events",
        "pass V-014, item 12345, took 12.5 ms",
        "outbox row msg:17:breach:1 retried",
    ],
)
def test_redaction_leaves_dates_timestamps_and_ids_alone(kept: str) -> None:
    assert redact(kept) == kept


@pytest.mark.process
def test_serve_http_stderr_has_no_numbers_or_tokens(tmp_path: Path) -> None:
    double = start_double()
    try:
        with frontdesk_serve(double, tmp_path) as server:
            server.start(wait=30)
            requests = requests_for(double)
            for command, text in commands():
                assert server.post(requests.command(command, text, user_id="U0RECEPTION")).status
            unsigned_like = requests.command("/visitor", "list", user_id="U0RECEPTION")
            server.post(unsigned_like)
            server.post(unsigned_like)  # a replay: refused and logged
            double.wait_for("chat.postMessage", count=2, timeout=10)
            time.sleep(1.0)
            output = server.output()
    finally:
        double.stop()
    assert "Front Desk listening" in output
    assert "replayed request" in output
    assert leaks(output) == []


def test_an_apology_reference_survives_log_masking(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from handlers.replies import guarded

    install_log_redaction()
    replies: list[str] = []
    with caplog.at_level(logging.ERROR), guarded(lambda **r: replies.append(r["text"]), "boom"):
        raise RuntimeError("boom")
    reference = replies[0].split("ref `")[1].split("`")[0]
    assert reference in caplog.text
