"""The demo directory: the people and channels of the console (and of the tests)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    id: str
    handle: str
    real_name: str
    tz: str | None
    role: str


DEMO_USERS = (
    DemoUser("U0RECEPTION", "reception", "Rita Reyes", "America/Toronto", "reception"),
    DemoUser("U0ALICE", "alice", "Alice Adams", "America/Toronto", "staff"),
    DemoUser("U0BOB", "bob", "Bob Brown", "America/Vancouver", "staff"),
    DemoUser("U0CAROL", "carol", "Carol Chen", None, "staff"),
    DemoUser("U0MANAGER", "manager", "Maya Manager", "America/Toronto", "managers"),
)
DESK_CHANNEL = ("C0DESK", "front-desk")
WEST_DESK_CHANNEL = ("C0WEST", "front-desk-west")  # the example policy's second site
MANAGERS_CHANNEL = ("C0MGRS", "managers")
SIGNING_SECRET = "frontdesk-console-secret"
BOT_TOKEN = "xoxb-frontdesk-console"
