"""Which site a person, a request and an item belong to (DESIGN.md "Sites, teams and routing").

A person's site: the site whose `staff` list names them wins; else the one they chose with
`/desk site <id>`; else the default site. A request is received at the site of the desk channel
it came from, else at its author's site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.config import Policy
from storage import staff


class UnknownSite(ValueError):
    """No site has that id."""


class SitePinned(ValueError):
    """The policy's `staff` list sets this person's site; their own choice cannot move them."""


def site_of_person(session: Session, policy: Policy, user_id: str) -> str:
    """The site a person belongs to."""
    listed = policy.staff_site(user_id)
    if listed is not None:
        return listed
    person = staff.get(session, user_id)
    return policy.known_site(person.site if person else None)


def sites_of(session: Session, policy: Policy, user_ids: Iterable[str]) -> dict[str, str]:
    """Each person's site, in one read of the directory."""
    chosen = staff.chosen_sites(session)
    return {
        user_id: policy.staff_site(user_id) or policy.known_site(chosen.get(user_id))
        for user_id in user_ids
    }


def receiving_site(
    session: Session, policy: Policy, *, channel_id: str | None, user_id: str
) -> str:
    """Where a request was received: the desk channel's site, else its author's."""
    return policy.site_of_channel(channel_id) or site_of_person(session, policy, user_id)


def find_site(policy: Policy, typed: str) -> str:
    """The id of the site typed (its id or its name, any case)."""
    word = typed.strip().casefold()
    for site_id in policy.site_ids():
        if word in (site_id, policy.site_name(site_id).casefold()):
            return site_id
    known = ", ".join(policy.site_ids())
    raise UnknownSite(f'there is no site "{typed.strip()}" (the sites are: {known})')


@dataclass(frozen=True)
class SiteChosen:
    site: str
    was: str


def choose_site(
    session: Session, policy: Policy, *, user_id: str, typed: str, now: datetime
) -> SiteChosen:
    """`/desk site <id>`: record the person's own site."""
    site = find_site(policy, typed)
    listed = policy.staff_site(user_id)
    if listed is not None and listed != site:
        raise SitePinned(
            f"the policy lists you as staff of {policy.site_name(listed)}; "
            "ask whoever keeps frontdesk.toml to move you"
        )
    was = site_of_person(session, policy, user_id)
    staff.set_site(session, user_id=user_id, site=site, now=now)
    return SiteChosen(site=site, was=was)
