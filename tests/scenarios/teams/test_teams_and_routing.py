"""Teams and routing rules: same-team cover before the desk, `team:<id>` owners, rules by kind,
channel, words and team, and breaches counted by the team an item opened with."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.config import ConfigError, Policy, parse_policy
from storage.models import Item, PhoneMessage
from tests.conftest import example_policy_text
from tests.helpers import block_text, dms_to, last_reply, posts_to

RECEPTION, ALICE, BOB, CAROL, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL", "U0MANAGER"
ALICE_M, BOB_M, CAROL_M = "<@U0ALICE|alice>", "<@U0BOB|bob>", "<@U0CAROL|carol>"
DESK, MANAGERS = "C0DESK", "C0MGRS"

TEAMS = """
[teams.front]
members = ["U0ALICE", "U0BOB"]
lead = "U0BOB"

[teams.care]
members = ["U0CAROL"]
site = "default"

[[routing]]
when = { kind = "complaint", about = "employee" }
to = "@U0MANAGER"

[[routing]]
when = { kind = "complaint" }
to = "managers"

[[routing]]
when = { kind = "message", about = "parking" }
to = "team:care"

[[routing]]
when = { kind = "question", channel = "letter" }
to = "team:front"

[[routing]]
when = { kind = "request", team = "front" }
to = "desk"
"""


@pytest.fixture
def policy() -> Policy:
    return parse_policy(example_policy_text() + TEAMS, "frontdesk.toml")


def items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def test_a_message_for_someone_away_with_no_backup_goes_to_the_team_lead_who_is_in(
    fd: Embedded,
) -> None:
    fd.command(ALICE, "/ooo", "until next Monday")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: the invoice")
    reply = last_reply(fd, RECEPTION)
    assert "<@U0BOB> (their teammate in front, who is in: no backup was named) has it" in reply
    (dm,) = dms_to(fd, BOB)
    assert "Jane Doe" in block_text(dm) and "meant for <@U0ALICE>, who is away" in block_text(dm)
    assert items(fd)[0].owner_id == BOB and items(fd)[0].team == "front"


def test_a_teammate_who_is_off_site_is_passed_over_and_then_the_desk_has_it(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until next Monday")
    fd.command(BOB, "/desk", "out for the day")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: the invoice")
    assert "the desk channel has it instead" in last_reply(fd, RECEPTION)
    assert items(fd)[0].owner_channel == DESK
    assert dms_to(fd, BOB) == []


def test_a_named_backup_still_comes_before_the_team(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", f"until next Monday backup {CAROL_M}")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: the invoice")
    assert "<@U0CAROL> has it instead" in last_reply(fd, RECEPTION)


def test_a_message_with_no_recipient_goes_where_the_rules_say_and_the_reply_says_why(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/message", "Sam Roe 416-555-0100: a complaint about parking")
    reply = last_reply(fd, RECEPTION)
    assert '<@U0CAROL> has it (routing rule 3 (message about "parking"))' in reply
    (dm,) = dms_to(fd, CAROL)
    assert "Sam Roe" in block_text(dm) and "555-0100" in block_text(dm)
    (message,) = _messages(fd)
    assert message.recipient_id is None
    assert items(fd)[0].team == "care"


def test_a_message_with_no_recipient_and_no_matching_rule_goes_to_the_desk(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "Sam Roe 416-555-0100: please call back")
    assert "the desk channel has it (no routing rule matched)" in last_reply(fd, RECEPTION)
    (post,) = posts_to(fd, DESK)
    assert "Sam Roe" in block_text(post) and "555-0100" not in block_text(post)


def test_team_owner_when_the_lead_is_away_is_the_first_member_in(fd: Embedded) -> None:
    fd.command(BOB, "/ooo", "until next Monday")
    fd.command(RECEPTION, "/enquiry", "question via letter from Pat Lee: opening hours")
    reply = last_reply(fd, RECEPTION)
    assert "<@U0ALICE> has it (routing rule 4 (question via letter))" in reply
    assert {i.owner_id for i in items(fd)} == {ALICE}
    assert {i.team for i in items(fd)} == {"front"}


def test_a_complaint_goes_to_the_managers_and_one_about_an_employee_to_the_director(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/enquiry", "complaint via phone from Pat Lee: long wait at the desk")
    assert "the managers' channel has it (routing rule 2 (complaint))" in last_reply(fd, RECEPTION)
    assert {i.owner_channel for i in items(fd)} == {MANAGERS}
    assert any("Pat Lee" in block_text(p) for p in posts_to(fd, MANAGERS))
    fd.command(RECEPTION, "/enquiry", "complaint via email from Kim Ode: rude employee")
    assert "<@U0MANAGER> has it (routing rule 1" in last_reply(fd, RECEPTION)


def test_an_explicit_owner_beats_every_rule(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via phone from Pat Lee for {ALICE_M}: long wait")
    assert {i.owner_id for i in items(fd)} == {ALICE}
    assert "routing rule" not in last_reply(fd, RECEPTION)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: about parking")
    assert items(fd)[-1].owner_id == ALICE


def test_a_rule_by_the_loggers_team(fd: Embedded) -> None:
    fd.command(BOB, "/enquiry", "request via email from Pat Lee: a brochure")
    assert "the desk channel has it (routing rule 5 (request from team front))" in last_reply(
        fd, BOB
    )
    fd.command(CAROL, "/enquiry", "request via email from Pat Lee: a brochure")
    assert items(fd)[-1].owner_id == CAROL  # no rule: whoever logged it


def test_breaches_are_counted_by_the_team_the_item_opened_with(fd: Embedded) -> None:
    from datetime import timedelta

    from bot.domain.reports.figures import compute, gather
    from bot.domain.reports.periods import week_of

    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: the invoice")
    fd.command(RECEPTION, "/message", f"{CAROL_M} Sam Roe: the parcel")
    calendar = parse_policy(example_policy_text() + TEAMS).calendar()
    now = fd.clock.now() + timedelta(days=7)
    period = week_of(fd.clock.now().astimezone(calendar.tz).date())
    with Session(fd.engine) as session:
        report = compute(gather(session, period, calendar), period, calendar, now)
    assert report.breaches_by_team == {"front": 1, "care": 1}


BAD_POLICIES = [
    (
        '[[routing]]\nwhen = { kind = "complaint" }\nto = "team:nobody"\n',
        'routing[0].to: no team "nobody"',
    ),
    (
        '[[routing]]\nwhen = { colour = "red" }\nto = "desk"\n',
        "routing[0].when.colour: unknown key",
    ),
    (
        '[[routing]]\nwhen = { kind = "complaint" }\nto = "the boss"\n',
        'routing[0].to: "the boss" is not an owner',
    ),
    (
        '[[routing]]\nwhen = { kind = "praise" }\nto = "desk"\n',
        'routing[0].when.kind: unknown kind "praise"',
    ),
    (
        '[[routing]]\nwhen = { team = "ghosts" }\nto = "desk"\n',
        'routing[0].when.team: no team "ghosts"',
    ),
    (
        '[[routing]]\nwhen = { channel = "pigeon" }\nto = "desk"\n',
        'routing[0].when.channel: unknown channel "pigeon"',
    ),
    ('[teams.a]\nmembers = ["alice"]\n', 'teams.a.members: "alice" is not a Slack user ID'),
    ("[teams.a]\nmembers = []\n", "teams.a.members"),
    ('[teams.a]\nmembers = ["U0A"]\nlead = "U0B"\n', "teams.a.lead: U0B is not one of its members"),
    ('[teams.a]\nmembers = ["U0A"]\nboss = "U0B"\n', "teams.a.boss: unknown key"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_POLICIES)
def test_a_bad_team_or_rule_is_one_clear_start_up_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_policy(text, "frontdesk.toml")
    line = str(error.value)
    assert "\n" not in line and line.startswith("frontdesk.toml: ")
    assert expected in line


def _messages(fd: Embedded) -> list[PhoneMessage]:
    with Session(fd.engine) as session:
        return list(session.exec(select(PhoneMessage)))


@pytest.mark.parametrize(
    ("text", "caller", "body"),
    [
        ("Jane Doe: call back", "Jane Doe", "call back"),
        ("Sam Roe (Acme) 416-555-0100 re the invoice", "Sam Roe", "the invoice"),
        ("urgent Dana Fox: the alarm", "Dana Fox", "the alarm"),
    ],
)
def test_a_message_typed_with_no_recipient_is_read_for_routing(
    text: str, caller: str, body: str
) -> None:
    from handlers.commands.message_parse import TakeMessage, parse_message

    parsed = parse_message(text, region="CA")
    assert isinstance(parsed, TakeMessage)
    assert (parsed.recipient_id, parsed.caller, parsed.body) == (None, caller, body)


def test_only_managers_may_act_on_what_a_rule_gave_the_managers(fd: Embedded) -> None:
    from tests.helpers import press, submit_told

    fd.command(RECEPTION, "/enquiry", "complaint via phone from Pat Lee: long wait")
    (post,) = [p for p in posts_to(fd, MANAGERS) if "Pat Lee" in block_text(p)]
    press(fd, RECEPTION, post, "Acknowledged")
    refusal = block_text(fd.double.calls_to("response_url")[-1])
    assert "Only managers may act on enquiries the managers have" in refusal
    assert {i.state for i in items(fd)} == {"open"}
    press(fd, MANAGER, post, "Acknowledged")  # opens the form: how the customer was told
    submit_told(fd, MANAGER, medium="phone")
    assert [i.state for i in items(fd)] == ["done", "open"]


def test_reception_may_not_take_a_message_a_rule_gave_the_managers(fd: Embedded) -> None:
    from bot.domain.roles import Refusal, Roles
    from bot.domain.services.item_access import require_may_act, require_may_take

    roles = Roles(frozenset({MANAGER}), frozenset({RECEPTION}), managers_channel=MANAGERS)
    item = Item(
        kind="phone_message",
        owner_channel=MANAGERS,
        started_at=fd.clock.now(),
        due_at=fd.clock.now(),
        created_at=fd.clock.now(),
    )
    with pytest.raises(Refusal, match="Only managers may take the managers' items"):
        require_may_take(roles, item, RECEPTION)
    with pytest.raises(Refusal, match="the managers have it"):
        require_may_act(roles, item, RECEPTION, "mark this message called back")
    require_may_act(roles, item, MANAGER, "mark this message called back")
    desk_item = item.model_copy(update={"owner_channel": DESK})
    require_may_act(roles, desk_item, RECEPTION, "mark this message called back")


def test_a_routed_message_corrected_to_a_person_moves_to_them(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", "Sam Roe: please call back")
    assert items(fd)[0].owner_channel == DESK
    fd.command(RECEPTION, "/message", f"correct Sam Roe for {ALICE_M}")
    assert "recipient nobody (routed) → <@U0ALICE>" in last_reply(fd, RECEPTION)
    assert items(fd)[0].owner_id == ALICE
    assert _messages(fd)[0].recipient_id == ALICE
