"""What every handler needs, handed over once by the app factory."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.domain.channels import Channels
from bot.domain.clock import Clock
from bot.domain.config import Policy
from bot.domain.roles import Roles
from bot.domain.services.messages import phone_region
from handlers import transaction
from handlers.directory import Directory

# A Slack payload as Bolt hands it to a listener (`body`, `action`, `view`, `command`, `event`).
Payload = dict[str, Any]
# What a listener's work is given to answer its user with: called as `reply(**message)`.
Reply = Callable[..., Any]
Work = Callable[[Reply], object]


@dataclass
class HandlerContext:
    engine: Engine
    clock: Clock
    policy: Policy
    roles: Roles
    desk_channel: str
    managers_channel: str
    directory: Directory
    # After a listener has committed and acked: wake whatever sends the outbox and runs the
    # tasks (the in-process worker under `serve`; at once in the console and the tests).
    deliver: Callable[[], object]
    # The request deadline's timer (handlers.transaction): monotonic seconds, injectable.
    monotonic: Callable[[], float] = time.monotonic

    def channels(self, site: str | None = None) -> Channels:
        """The channels of `site` (its own where its table names them, else the deployment's)."""
        return self.policy.channels_at(site, Channels(self.desk_channel, self.managers_channel))

    @property
    def site_tz(self) -> ZoneInfo:
        return self.policy.site.tz

    @property
    def phone_region(self) -> str:
        """The site's phone region, for reading numbers typed without a country code."""
        return phone_region(self.policy.site.holidays)

    # The listener shapes (handlers.transaction does the work of each).
    def command(self, ack: Any, body: dict[str, Any], context: Any, what: str, work: Work) -> None:
        """Do a slash command's work in one transaction, commit, then ack with its reply."""
        transaction.command(self, ack, body, context, what, work)

    def button(
        self,
        ack: Any,
        body: dict[str, Any],
        context: Any,
        what: str,
        work: Work,
        *,
        private: bool = False,
    ) -> None:
        """Do a button's work in one transaction with its answer as an outbox row, then ack
        (`private`: the answer is sent straight after the ack and never stored)."""
        transaction.button(self, ack, body, context, what, work, private=private)

    def form(
        self,
        ack: Any,
        body: dict[str, Any],
        context: Any,
        what: str,
        work: Work,
        *,
        error_block: str | None = None,
    ) -> None:
        """Do a form's work in one transaction, commit, then ack with `response_action`."""
        transaction.form(self, ack, body, context, what, work, error_block=error_block)

    def event(self, body: dict[str, Any], what: str, work: Callable[[], object]) -> None:
        """Do an event's work once (by `event_id`) in one transaction."""
        transaction.event(self, body, what, work)
