"""The manifest is the source of truth: it validates against Slack's schema, and every
command in it has a handler and every handler an entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot.console.embedded import Embedded
from bot.runtime.cli import main
from bot.runtime.manifest import load_manifest
from handlers.registry import COMMANDS

SCHEMAS = Path(__file__).resolve().parents[3] / "data" / "slack"
RAW = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def validator() -> Draft7Validator:
    """Slack's root schema, its $refs resolved to the vendored copies (no network)."""
    registry: Registry[Any] = Registry()
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((SCHEMAS / f"manifest.schema.{version}.json").read_text())
        registry = registry.with_resource(
            f"{RAW}manifest.schema.{version}.json", Resource.from_contents(schema)
        )
    root = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    return Draft7Validator(root, registry=registry)


@pytest.mark.parametrize("http_url", [None, "https://frontdesk.example.org"])
def test_manifest_is_valid_for_both_modes(http_url: str | None) -> None:
    errors = sorted(validator().iter_errors(load_manifest(http_url)), key=str)
    assert errors == []


def test_the_schema_check_would_catch_a_broken_manifest() -> None:
    broken = load_manifest()
    broken["features"]["slash_commands"][0]["command"] = "visitor"  # no slash
    broken["oauth_config"]["scopes"]["bot"].append("not a scope")
    assert list(validator().iter_errors(broken))


def test_every_manifest_command_has_a_handler_and_every_handler_an_entry() -> None:
    declared = {c["command"] for c in load_manifest()["features"]["slash_commands"]}
    assert declared == set(COMMANDS)


def test_commands_escape_mentions_and_scopes_are_the_designed_ones() -> None:
    manifest = load_manifest()
    assert all(c["should_escape"] for c in manifest["features"]["slash_commands"])
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "channels:history",
        "groups:history",  # with im:history: the outbox sender looks for a post made before
        "im:history",  # a crash (bot/runtime/outbox_recall.py)
        "files:write",
    }
    # user_change and team_join keep the directory fresh (scope users:read covers them).
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.channels",
        "user_change",
        "team_join",
    }


def test_http_manifest_points_everything_at_slack_events() -> None:
    manifest = load_manifest("https://fd.example.org/")
    url = "https://fd.example.org/slack/events"
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_frontdesk_manifest_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--http", "https://fd.example.org"]) == 0
    assert "https://fd.example.org/slack/events" in capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_answers_help_through_the_app(fd: Embedded, command: str) -> None:
    response = fd.command("U0ALICE", command, "help")
    assert response.status == 200
    assert command in (response.body or "") or fd.double.calls_to("response_url")
