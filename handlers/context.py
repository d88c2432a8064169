"""What every handler needs, handed over once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Policy
from bot.roles import Roles
from handlers.directory import Directory


@dataclass
class HandlerContext:
    engine: Engine
    clock: Clock
    policy: Policy
    roles: Roles
    desk_channel: str
    managers_channel: str
    directory: Directory
    # After the work (and the ack): send what the outbox holds, and republish the Home of
    # everyone the work touched (storage.touched). Call it once, at the end of a listener.
    deliver: Callable[[], object]

    @property
    def site_tz(self) -> ZoneInfo:
        return self.policy.site.tz
