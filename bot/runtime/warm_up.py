"""Load what the first command would otherwise load while Slack waits for its ack.

dateparser reads its language data, `phonenumbers` its region metadata and `anyascii` its
tables on first use: about half a second on a quiet machine, several on a busy one, and Slack
gives a command 3 s. Each process does this once, before it takes requests.
"""

from __future__ import annotations

from contextlib import suppress

from bot.domain.clock import Clock
from bot.domain.config import Policy
from bot.domain.contacts import scrub_contacts
from bot.domain.services.messages import phone_region
from bot.domain.when import WhenError, parse_when
from storage.names import name_key


def warm_up(policy: Policy, clock: Clock) -> None:
    """Parse a date, a phone number and a name the way commands do (results thrown away)."""
    site = policy.site
    with suppress(WhenError):  # a fixed phrase: only the loading matters
        parse_when("tomorrow 3pm", now=clock.now(), tz=site.tz, date_order=site.date_order)
    scrub_contacts("Sam Roe 416-555-0100 sam@example.com", phone_region(site.holidays))
    name_key("Dr Zoë O'Brien")
