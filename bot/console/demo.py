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
# Two teams and a few routing rules, so same-team cover and routing can be tried (the
# console adds them when the policy file sets no teams of its own).
DEMO_TEAMS = {
    "front": {"members": ["U0ALICE", "U0BOB"], "lead": "U0ALICE"},
    "care": {"members": ["U0CAROL"], "lead": "U0CAROL"},
}
DEMO_ROUTING = (
    {"when": {"kind": "complaint", "about": "staff"}, "to": "managers"},
    {"when": {"kind": "complaint"}, "to": "team:care"},
    {"when": {"kind": "message", "about": "invoice"}, "to": "team:front"},
)
DESK_CHANNEL = ("C0DESK", "front-desk")
WEST_DESK_CHANNEL = ("C0WEST", "front-desk-west")  # the example policy's second site
MANAGERS_CHANNEL = ("C0MGRS", "managers")
SIGNING_SECRET = "frontdesk-console-secret"
BOT_TOKEN = "xoxb-frontdesk-console"
