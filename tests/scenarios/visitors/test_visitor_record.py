"""The visitor record: names that match as people mean them, and a name signed in twice only
when the receptionist says it is someone else."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.services import visitor_log
from bot.domain.services.privacy import run_retention
from storage.models import Visit
from storage.names import name_key
from tests.helpers import block_text, buttons, last_ack, last_reply

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"


def visits(fd: Embedded) -> list[Visit]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Visit).order_by(Visit.id)))  # type: ignore[arg-type]


def press_ephemeral(fd: Embedded, user_id: str, reply: dict[str, Any], label: str) -> None:
    """Press a button of an ephemeral reply (it has no ts: Slack answers through response_url)."""
    (button,) = [b for b in buttons(reply) if b["text"]["text"] == label]
    fd.dispatch(fd.requests.block_action(user_id=user_id, action=button, channel_id="C0DESK"))
    fd.settle()


def test_names_compare_without_case_accents_or_titles() -> None:
    assert name_key("Dr Helen Ward") == name_key("dr helen ward") == name_key("Helen  WARD")
    assert name_key("Zoë") == name_key("zoe")
    assert name_key("Łukasz Nowak Jr.") == "lukasz nowak"
    assert name_key("Dr. Zoë O'Brien") == "zoe obrien"
    assert name_key("Dr") == "dr"  # a title alone is still a name


def test_dr_helen_ward_is_signed_out_as_dr_helen_ward(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Dr Helen Ward for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left dr helen ward")
    assert "signed out" in last_reply(fd, RECEPTION)
    assert [v.state for v in visits(fd)] == ["left"]


def test_zoe_finds_zoe_with_an_accent(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Zoë Martin for {ALICE_M} tomorrow 10am")
    fd.command(RECEPTION, "/visitor", "cancel zoe martin")
    assert [v.state for v in visits(fd)] == ["cancelled"]


def test_an_expected_visitor_is_matched_whatever_the_title(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Helen Ward for {ALICE_M} today 4pm")
    fd.command(RECEPTION, "/visitor", f"arrived Dr Helen Ward for {ALICE_M}")
    assert "they were expected" in last_reply(fd, RECEPTION)
    assert len(visits(fd)) == 1


def test_a_name_on_site_is_not_signed_in_again_without_the_button(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived jane doe from Acme for {BOB_M}")
    asked = last_ack(fd)
    assert "already signed in" in block_text(asked) and "V-001" in block_text(asked)
    labels = [b["text"]["text"] for b in buttons(asked)]
    assert labels == ["Sign in another jane doe", "Cancel"]
    assert len(visits(fd)) == 1  # nothing recorded yet

    press_ephemeral(fd, RECEPTION, asked, "Sign in another jane doe")
    assert "V-002" in last_reply(fd, RECEPTION)
    second = visits(fd)[1]
    assert (second.state, second.host_id, second.organisation) == ("on_site", BOB, "Acme")

    press_ephemeral(fd, RECEPTION, asked, "Sign in another jane doe")  # pressed again
    assert "Nothing to do" in last_reply(fd, RECEPTION)
    assert len(visits(fd)) == 2


def test_cancel_on_the_question_signs_nobody_in(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    press_ephemeral(fd, RECEPTION, last_ack(fd), "Cancel")
    assert "Not signed in" in last_reply(fd, RECEPTION)
    assert len(visits(fd)) == 1


def test_staff_cannot_press_sign_in_another(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    press_ephemeral(fd, BOB, last_ack(fd), "Sign in another Jane Doe")
    assert "Only reception and managers" in last_reply(fd, BOB)
    assert len(visits(fd)) == 1


def test_a_name_that_has_left_is_signed_in_without_a_question(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left V-001")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    assert "V-002" in last_reply(fd, RECEPTION)


# --- /visitor log ------------------------------------------------------------------------------


def _a_day_of_visits(fd: Embedded) -> None:
    """Tuesday: Dr Helen Ward comes and goes, Jane Doe stays; Wednesday: Kim Lee."""
    fd.command(RECEPTION, "/visitor", f"arrived Dr Helen Ward from Acme for {ALICE_M}")
    fd.clock.advance(timedelta(minutes=40))
    fd.command(RECEPTION, "/visitor", "left V-001")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {BOB_M}")
    fd.clock.advance(timedelta(days=1))
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M}")


def test_the_log_of_a_day_shows_arrival_departure_host_and_pass(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(RECEPTION, "/visitor", "log yesterday")
    shown = block_text(last_ack(fd))
    assert "(2 visits)" in shown
    assert "Helen Ward" in shown and "Acme" in shown and "Jane Doe" in shown
    assert "Kim Lee" not in shown
    helen = next(line for line in shown.splitlines() if "Helen Ward" in line)
    assert "V-001" in helen and "left" in helen and "<@U0ALICE>" in helen
    jane = next(line for line in shown.splitlines() if "Jane Doe" in line)
    assert "still signed in" in jane and "<@U0BOB>" in jane


def test_the_log_with_no_day_is_today(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(MANAGER, "/visitor", "log")
    shown = block_text(last_ack(fd))
    assert "Kim Lee" in shown and "Helen Ward" not in shown


def test_the_log_finds_a_name_whatever_the_title_on_any_day(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(RECEPTION, "/visitor", "log dr helen ward")
    shown = block_text(last_ack(fd))
    assert "(1 visit)" in shown and "Helen Ward" in shown


def test_the_log_of_a_range_and_a_name(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(RECEPTION, "/visitor", "log monday to today kim")
    shown = block_text(last_ack(fd))
    assert "(1 visit)" in shown and "Kim Lee" in shown


def test_the_log_reads_dates_in_the_sites_order(fd: Embedded) -> None:
    _a_day_of_visits(fd)  # Tuesday 24 November 2026
    fd.command(RECEPTION, "/visitor", "log 11/24")
    assert "Helen Ward" in block_text(last_ack(fd))


def test_a_range_backwards_is_refused_with_the_form(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", "log today to yesterday")
    reply = last_reply(fd, RECEPTION)
    assert "before the first" in reply and "/visitor log [&lt;day&gt;" in reply


def test_staff_may_not_read_the_log(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(BOB, "/visitor", "log yesterday")
    reply = last_reply(fd, BOB)
    assert "Only reception and managers may see the visitor log" in reply
    assert "Helen" not in reply


def test_a_long_log_stops_and_says_how_many_more(fd: Embedded) -> None:
    for n in range(30):
        fd.command(RECEPTION, "/visitor", f"arrived Visitor {n} for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "log today")
    shown = block_text(last_ack(fd))
    assert "(30 visits)" in shown and "…and 5 more" in shown and "/desk report" in shown
    assert "Visitor 24" in shown and "Visitor 25" not in shown


def test_the_managers_report_carries_the_visits_as_their_own_csv(fd: Embedded) -> None:
    _a_day_of_visits(fd)
    fd.command(MANAGER, "/desk", "report this week")
    uploads = fd.double.uploaded_files
    names = [u["filename"] for u in uploads]
    visits = names.index("frontdesk-visits-2026-11-23-to-2026-11-29.csv")
    rows = list(csv.reader(io.StringIO(uploads[visits]["bytes"].decode())))
    assert rows[0] == [
        "pass",
        "visitor",
        "organisation",
        "host",
        "escort",
        "arrived",
        "left",
        "state",
        "logged_by",
    ]
    assert [row[1] for row in rows[1:]] == ["Dr Helen Ward", "Jane Doe", "Kim Lee"]
    assert rows[1][3] == "@alice" and rows[1][6] != "" and rows[2][6] == ""


def test_a_name_typed_as_a_formula_opens_as_text_in_the_visits_csv(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f'arrived =HYPERLINK("http://x.example","Jo") for {ALICE_M}')
    fd.command(RECEPTION, "/visitor", f"arrived @Sam Roe (-Acme) for {ALICE_M}")
    fd.command(MANAGER, "/desk", "report this week")
    (visits,) = [u for u in fd.double.uploaded_files if "-visits-" in u["filename"]]
    rows = list(csv.reader(io.StringIO(visits["bytes"].decode())))
    names = sorted(row[1] for row in rows[1:])
    assert all(name.startswith("'") for name in names), names  # a spreadsheet shows it as text
    assert any("HYPERLINK" in name for name in names)


TUESDAY = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("America/Toronto"))


@pytest.mark.parametrize(
    ("typed", "first", "last", "name"),
    [
        ("", date(2026, 11, 24), date(2026, 11, 24), None),
        ("yesterday", date(2026, 11, 23), date(2026, 11, 23), None),
        ("monday", date(2026, 11, 23), date(2026, 11, 23), None),
        ("11/02", date(2026, 11, 2), date(2026, 11, 2), None),
        ("2026-11-02 to 2026-11-06", date(2026, 11, 2), date(2026, 11, 6), None),
        ("11/02 to 11/06 helen ward", date(2026, 11, 2), date(2026, 11, 6), "helen ward"),
        ("yesterday Dr Helen Ward", date(2026, 11, 23), date(2026, 11, 23), "Dr Helen Ward"),
        ("last week zoe", date(2026, 11, 16), date(2026, 11, 22), "zoe"),
        ("this week", date(2026, 11, 23), date(2026, 11, 29), None),
        ("helen ward", None, None, "helen ward"),
        ("June Carter", None, None, "June Carter"),  # a month alone before a name is a name
    ],
)
def test_what_the_log_reads(
    typed: str, first: date | None, last: date | None, name: str | None
) -> None:
    query = visitor_log.read(typed, now=TUESDAY, tz=TUESDAY.tzinfo, date_order="MDY")  # type: ignore[arg-type]
    period = (query.period.first, query.period.last) if query.period else (None, None)
    assert (period, query.name) == ((first, last), name)


def test_the_log_reads_day_first_where_the_site_does() -> None:
    query = visitor_log.read("03/11", now=TUESDAY, tz=ZoneInfo("America/Toronto"), date_order="DMY")
    assert query.period is not None and query.period.first == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("today to yesterday", "before the first"),
        ("someday to today", 'could not read "someday" as a day'),
        ("2024-01-01 to today", "at most 400 days"),
    ],
)
def test_what_the_log_refuses(typed: str, says: str) -> None:
    with pytest.raises(visitor_log.LogQueryError, match=says):
        visitor_log.read(typed, now=TUESDAY, tz=ZoneInfo("America/Toronto"), date_order="MDY")


def test_forget_finds_a_person_whatever_the_title_or_accent(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Dr Zoë Ward for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "left V-001")
    fd.command(MANAGER, "/desk", "forget zoe ward")
    (visit,) = visits(fd)
    assert visit.anonymised and (visit.name, visit.name_key) == ("(anonymised)", "anonymised")


def test_retention_empties_the_name_key_with_the_name(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Dr Zoë Ward for {ALICE_M}")
    later = fd.clock.now() + timedelta(days=200)
    with Session(fd.engine) as session:
        run_retention(session, now=later, policy=fd.runtime.ctx.policy)
        session.commit()
    (visit,) = visits(fd)
    assert visit.name_key == "anonymised" and "zoe" not in visit.name_key


def test_the_form_will_not_sign_in_a_name_already_on_site(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Dr Helen Ward for {ALICE_M}")
    fd.command(RECEPTION, "/visitor", "")
    (opened,) = fd.double.calls_to("views.open")
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=opened.response["view"],
            values={
                "name": {"name": {"type": "plain_text_input", "value": "helen ward"}},
                "host": {"host": {"type": "users_select", "selected_user": BOB}},
            },
        )
    )
    assert '"response_action": "errors"' in response.body
    assert "already signed in (pass V-001)" in response.body
    assert len(visits(fd)) == 1
