"""A local Slack Web API double for the tests and the console."""

from bot.console.double.limits import validate_blocks, validate_message, validate_view
from bot.console.double.server import Call, SlackDouble

__all__ = ["Call", "SlackDouble", "validate_blocks", "validate_message", "validate_view"]
