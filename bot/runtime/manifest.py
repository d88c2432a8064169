"""The Slack app manifest: the Socket Mode one as shipped, or the HTTP variant."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def manifest_text(http_url: str | None = None) -> str:
    """The manifest as YAML; with `http_url`, request URLs instead of Socket Mode."""
    text = resources.files("bot").joinpath("manifest.yml").read_text(encoding="utf-8")
    if http_url is None:
        return text
    return yaml.safe_dump(
        http_manifest(yaml.safe_load(text), http_url), sort_keys=False, allow_unicode=True
    )


def load_manifest(http_url: str | None = None) -> dict[str, Any]:
    """The manifest as data."""
    data: dict[str, Any] = yaml.safe_load(manifest_text(http_url))
    return data


def http_manifest(manifest: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Point commands, interactivity and events at `base_url`/slack/events."""
    endpoint = base_url.rstrip("/") + "/slack/events"
    for command in manifest["features"]["slash_commands"]:
        command["url"] = endpoint
    settings = manifest["settings"]
    settings["socket_mode_enabled"] = False
    settings["interactivity"]["request_url"] = endpoint
    settings["event_subscriptions"]["request_url"] = endpoint
    return manifest
