"""A local Slack Web API double for the tests and the console."""

from bot.slack_double.limits import validate_blocks, validate_message, validate_view
from bot.slack_double.server import Call, SlackDouble

__all__ = ["Call", "SlackDouble", "validate_blocks", "validate_message", "validate_view"]
