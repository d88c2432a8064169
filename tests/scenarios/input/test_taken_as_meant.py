"""Issue 16: what a receptionist, a host or a manager does is taken as meant — cover while
someone is away, finished things that stop offering buttons, reports and the console."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Absence, Item
from tests.helpers import block_text, buttons, dms_to, posts_to

RECEPTION, ALICE, BOB, CAROL, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL", "U0MANAGER"
ALICE_M, BOB_M = "<@U0ALICE|alice>", "<@U0BOB|bob>"
DESK, MANAGERS = "C0DESK", "C0MGRS"


def alice_away(fd: Embedded, *, backup: str | None = BOB, days: int = 5) -> None:
    with Session(fd.engine) as session:
        session.add(
            Absence(
                user_id=ALICE,
                starts_at=fd.clock.now() - timedelta(minutes=1),
                until=fd.clock.now() + timedelta(days=days),
                backup_id=backup,
            )
        )
        session.commit()


def items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def updates_of(fd: Embedded, channel: str) -> list[object]:
    return [c for c in fd.double.calls_to("chat.update") if c.args.get("channel") == channel]


# Point 4: cover while someone is away


def test_expecting_a_visitor_for_someone_away_tells_their_backup(fd: Embedded) -> None:
    alice_away(fd)
    fd.command(RECEPTION, "/visitor", f"expect Kim Lee from Acme for {ALICE_M} tomorrow 10am")
    assert not [c for c in dms_to(fd, ALICE) if "expected" in block_text(c)]
    (heads_up,) = [c for c in dms_to(fd, BOB) if "expected" in block_text(c)]
    text = block_text(heads_up)
    assert "Kim Lee" in text and "<@U0ALICE>" in text and "covering" in text


def test_a_backups_arrival_dm_keeps_the_notes_number(fd: Embedded) -> None:
    alice_away(fd)
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee for {ALICE_M} — call 416-555-0142")
    (arrival,) = [c for c in dms_to(fd, BOB) if "reception" in block_text(c)]
    assert "416-555-0142" in block_text(arrival)


def test_reassigning_an_enquiry_to_someone_away_gives_it_to_their_backup(fd: Embedded) -> None:
    from tests.scenarios.enquiries.test_enquiries import press, submit

    alice_away(fd, backup=CAROL)
    bobs = f"complaint via email from Lee Park for {BOB_M}: lost form"
    fd.command(RECEPTION, "/enquiry", bobs)
    press(fd, BOB, dms_to(fd, BOB)[0], "Reassign…")
    submit(fd, BOB, {"owner": {"value": {"type": "users_select", "selected_user": ALICE}}})
    moved = items(fd)
    assert {(i.owner_id, i.intended_id) for i in moved} == {(CAROL, ALICE)}
    (dm,) = [c for c in dms_to(fd, CAROL) if "Lee Park" in block_text(c)]
    assert "covering" in block_text(dm) and "<@U0ALICE>" in block_text(dm)


def test_an_item_kept_by_someone_away_reminds_and_alerts_their_backup_saying_so(
    fd: Embedded,
) -> None:
    from tests.time_helpers import advance

    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe 416-555-0142: about the invoice")
    alice_away(fd, backup=BOB)  # and she did not hand it over
    advance(fd, "6 business hours")
    (soon,) = [c for c in dms_to(fd, BOB) if "Due soon" in block_text(c)]
    assert "covering" in block_text(soon) and "<@U0ALICE>" in block_text(soon)
    advance(fd, "3 business hours")
    (late,) = [c for c in dms_to(fd, BOB) if "Overdue" in block_text(c)]
    assert "covering" in block_text(late)
    assert not [c for c in dms_to(fd, ALICE) if "Due soon" in block_text(c)]
    assert not [c for c in dms_to(fd, ALICE) if "Overdue" in block_text(c)]


# Point 6: finished things stop offering buttons


def test_signing_a_visitor_out_rewrites_the_hosts_arrival_dm_without_buttons(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Kim Lee from Acme for {ALICE_M}")
    (arrival,) = dms_to(fd, ALICE)
    fd.clock.advance(timedelta(minutes=40))
    fd.command(RECEPTION, "/visitor", "left Kim Lee")
    (update,) = updates_of(fd, arrival.response["channel"])
    assert update.args["ts"] == arrival.response["ts"]  # type: ignore[attr-defined]
    text = block_text(update)  # type: ignore[arg-type]
    assert "Kim Lee" in text and "signed out at" in text.lower()
    assert buttons(update) == []  # type: ignore[arg-type]


def test_a_manager_who_takes_an_alert_is_not_told_the_intended_is_away_and_the_alert_says_who_took_it(
    fd: Embedded,
) -> None:
    from tests.scenarios.messages.test_messages import click
    from tests.time_helpers import advance_to, alerts

    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: about the invoice")
    due = items(fd)[0].due_at
    advance_to(fd, due + timedelta(minutes=1))
    (alert,) = alerts(fd)
    click(fd, MANAGER, alert, "Take it")
    mine = block_text(dms_to(fd, MANAGER)[-1])
    assert "Sam Roe" in mine and "who is away" not in mine
    (rewritten,) = updates_of(fd, MANAGERS)
    assert rewritten.args["ts"] == alert.response["ts"]  # type: ignore[attr-defined]
    assert "Taken by <@U0MANAGER>" in block_text(rewritten)  # type: ignore[arg-type]
    assert buttons(rewritten) == []  # type: ignore[arg-type]


def test_a_desk_post_loses_its_buttons_once_reception_takes_it(fd: Embedded) -> None:
    from tests.scenarios.messages.test_messages import click

    alice_away(fd, backup=None)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe 416-555-0142: about the invoice")
    (desk_post,) = [c for c in posts_to(fd, DESK) if "Sam Roe" in block_text(c)]
    assert buttons(desk_post)
    from tests.scenarios.enquiries.test_enquiries import submit

    click(fd, RECEPTION, desk_post, "Reassign…")
    submit(fd, RECEPTION, {"owner": {"owner": {"type": "users_select", "selected_user": BOB}}})
    assert items(fd)[0].owner_id == BOB
    (rewritten,) = updates_of(fd, DESK)
    text = block_text(rewritten)  # type: ignore[arg-type]
    assert "Passed to <@U0BOB> by <@U0RECEPTION>" in text and "416" not in text
    assert buttons(rewritten) == []  # type: ignore[arg-type]


def test_a_desk_reminder_for_a_message_with_no_number_offers_no_show_number(
    fd: Embedded,
) -> None:
    from tests.time_helpers import advance

    alice_away(fd, backup=None)
    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: about the invoice")
    advance(fd, "6 business hours")
    (soon,) = [c for c in posts_to(fd, DESK) if "Due soon" in block_text(c)]
    labels = [b["text"]["text"] for b in buttons(soon)]
    assert "Called back" in labels and "Show number" not in labels


# Point 8 (service side): an incident's "When"


def test_an_incident_logged_as_yesterday_3pm_tells_the_managers_the_date(fd: Embedded) -> None:
    from bot.domain.services.incidents import report_incident
    from storage.db import session_scope
    from tests.time_helpers import run_round

    site = fd.runtime.ctx.policy.site
    with session_scope(fd.engine) as session:
        report_incident(
            session,
            now=fd.clock.now(),
            reported_by=RECEPTION,
            occurred="yesterday 3pm",
            location=None,
            who=None,
            what="Shouted at the desk",
            managers_channel=MANAGERS,
            tz=site.tz,
            date_order=site.date_order,
        )
    run_round(fd)
    (notice,) = posts_to(fd, MANAGERS)
    monday_3pm = int(datetime.fromisoformat("2026-11-23T15:00:00-05:00").timestamp())
    assert f"<!date^{monday_3pm}^" in block_text(notice)
    assert "yesterday 3pm" in block_text(notice)


def test_a_closure_reason_with_a_number_reaches_the_desk_channel_masked(fd: Embedded) -> None:
    fd.command(MANAGER, "/desk", "close tomorrow: snow, call Pat on 416-555-0142 *now*")
    (notice,) = [c for c in posts_to(fd, DESK) if "closed the site" in block_text(c)]
    text = block_text(notice)
    assert "snow" in text and "416-555-0142" not in text and "*now*" not in text


def test_taking_an_alert_for_a_message_already_called_back_says_so_in_words(
    fd: Embedded,
) -> None:
    from tests.scenarios.messages.test_messages import click
    from tests.time_helpers import advance_to, alerts

    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: about the invoice")
    advance_to(fd, items(fd)[0].due_at + timedelta(minutes=1))
    (alert,) = alerts(fd)
    click(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")
    click(fd, MANAGER, alert, "Take it")
    answer = block_text(fd.double.calls_to("response_url")[-1])
    assert "already called back" in answer and "called_back" not in answer


# Point 7: reports


def _message_item(fd: Embedded, *, started: datetime, due: datetime, **done: object) -> None:
    from storage import items as stored_items

    with Session(fd.engine) as session:
        stored_items.add(
            session,
            Item(
                kind="phone_message",
                owner_id=ALICE,
                started_at=started,
                due_at=due,
                created_at=started,
                **done,  # type: ignore[arg-type]
            ),
        )
        session.commit()


def test_a_week_with_a_breach_gets_its_weekly_report_though_the_window_started_before_it(
    fd: Embedded,
) -> None:
    from bot.domain.jobs import JobContext
    from bot.domain.reports import weekly
    from tests.conftest import SITE

    # Started Friday 13 Nov, due Monday 16 Nov, never answered: breached in the week of 16 Nov.
    _message_item(
        fd,
        started=datetime(2026, 11, 13, 16, tzinfo=SITE),
        due=datetime(2026, 11, 16, 16, tzinfo=SITE),
        state="breached",
    )
    ctx = JobContext(fd.engine, fd.runtime.ctx.policy, fd.clock.now(), DESK, MANAGERS)
    assert weekly.run(ctx) is True
    fd.runtime.sender.deliver_due()
    (post,) = posts_to(fd, MANAGERS)
    text = block_text(post)
    assert "Mon 16 Nov – Sun 22 Nov 2026" in text and "<@U0ALICE> 1" in text


def test_a_message_answered_at_its_due_instant_is_on_time_for_the_owner_and_the_report(
    fd: Embedded,
) -> None:
    from bot.domain.reports.export import render_report
    from bot.domain.reports.periods import week_of
    from tests.scenarios.messages.test_messages import click
    from tests.time_helpers import advance_to, alerts

    fd.command(RECEPTION, "/message", f"{ALICE_M} Sam Roe: about the invoice")
    due = items(fd)[0].due_at
    advance_to(fd, due)
    assert not [c for c in dms_to(fd, ALICE) if "Overdue" in block_text(c)]
    assert alerts(fd) == []
    click(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")
    assert items(fd)[0].done_at == due
    policy = fd.runtime.ctx.policy
    period = week_of(due.astimezone(policy.site.tz).date())
    report = render_report(fd.engine, policy, period, due + timedelta(days=1)).report
    (phone,) = report.kinds
    assert phone.share_within == 1.0 and report.breaches_by_owner == {}


def test_a_manager_whose_week_had_no_calls_sees_call_charts_that_start_at_zero() -> None:
    from matplotlib.figure import Figure

    from bot.domain.reports.chart import _whole_counts

    axes = Figure().add_subplot()
    axes.bar(range(7), [0] * 7)
    _whole_counts(axes, [0] * 7)
    low, high = axes.get_ylim()
    assert low == 0 and high >= 1


def test_the_reports_csv_names_owners_by_handle_not_user_id(fd: Embedded) -> None:
    from bot.domain.reports.export import render_report
    from bot.domain.reports.periods import Period
    from storage import staff
    from tests.conftest import SITE

    with Session(fd.engine) as session:
        staff.remember(
            session,
            user_id=ALICE,
            handle="alice",
            real_name="Alice Ng",
            tz=None,
            now=fd.clock.now(),
        )
        session.commit()
    _message_item(
        fd,
        started=datetime(2026, 11, 17, 10, tzinfo=SITE),
        due=datetime(2026, 11, 18, 10, tzinfo=SITE),
    )
    period = Period(datetime(2026, 11, 16).date(), datetime(2026, 11, 22).date())
    rendered = render_report(fd.engine, fd.runtime.ctx.policy, period, fd.clock.now())
    rows = rendered.csv.decode().splitlines()
    assert ",@alice," in rows[1] and ALICE not in rendered.csv.decode()


# Point 9: the console


def _console(fd: Embedded) -> tuple[object, io.StringIO]:
    from bot.console.repl import Console

    out = io.StringIO()
    return Console(fd, out, echo=False), out


@pytest.mark.parametrize("at", ["tomorrow", "2026-11-24", "2026-13-01 09:00"])
def test_starting_the_console_at_a_time_it_cannot_read_says_so_in_one_line(
    tmp_path: Path, at: str
) -> None:
    from tests.process.console.test_console import run_console

    result = run_console("/quit\n", tmp_path, "--at", at)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert at in line and "start time" in line


def test_a_mistyped_command_in_the_console_gets_one_clear_line(
    fd: Embedded, caplog: pytest.LogCaptureFixture
) -> None:
    console, out = _console(fd)
    console.handle("/visitr list")  # type: ignore[attr-defined]
    text = out.getvalue()
    assert "/visitr is not a command" in text and "/visitor" in text
    assert "Unhandled request" not in text + caplog.text


def test_a_mention_typed_in_capitals_in_the_console_is_a_mention(fd: Embedded) -> None:
    console, _ = _console(fd)
    console.handle("/visitor arrived Kim Lee for @Alice")  # type: ignore[attr-defined]
    assert [c for c in dms_to(fd, ALICE) if "Kim Lee" in block_text(c)]


def test_a_semicolon_inside_a_console_form_value_stays_in_the_value() -> None:
    from bot.console.repl import form_fields

    assert form_fields('caller=Sam Roe; message="call back; after 3"; subject=a\\; b') == {
        "caller": "Sam Roe",
        "message": "call back; after 3",
        "subject": "a; b",
    }


def test_restarting_the_console_at_a_later_time_says_what_fell_due_at_once(
    tmp_path: Path,
) -> None:
    from tests.process.console.test_console import run_console

    first = run_console("/message @alice Sam Roe: call back\n/quit\n", tmp_path)
    assert first.returncode == 0, first.stderr
    later = run_console("/quit\n", tmp_path, "--at", "2026-11-26 10:00")
    assert later.returncode == 0, later.stderr
    assert "Overdue" in later.stdout


def test_a_manager_who_takes_one_item_of_a_digest_sees_it_marked_and_its_buttons_gone(
    fd: Embedded,
) -> None:
    from tests.time_helpers import advance_to, alerts

    for n in range(3):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n}")
    advance_to(fd, items(fd)[0].due_at + timedelta(minutes=1))
    (digest,) = alerts(fd)
    first = next(b for b in buttons(digest) if b["text"]["text"] == "Take it")
    fd.dispatch(
        fd.requests.block_action(
            user_id=MANAGER,
            action=first,
            channel_id=digest.response["channel"],
            message={"ts": digest.response["ts"], "blocks": digest.args["blocks"]},
            message_ts=digest.response["ts"],
        )
    )
    fd.settle()
    (rewritten,) = updates_of(fd, MANAGERS)
    assert rewritten.args["ts"] == digest.response["ts"]  # type: ignore[attr-defined]
    text = block_text(rewritten)  # type: ignore[arg-type]
    sections = [b["text"]["text"] for b in rewritten.args["blocks"] if b["type"] == "section"]  # type: ignore[attr-defined]
    assert "now with <@U0MANAGER>" in text
    assert ["now with" in line for line in sections[1:]] == [True, False, False]
    labels = [b["text"]["text"] for b in buttons(rewritten)]  # type: ignore[arg-type]
    assert labels == ["Take it", "Reassign…"] * 2


def test_passing_the_desks_enquiry_on_from_the_home_tab_leaves_no_buttons_on_the_desk_post(
    fd: Embedded,
) -> None:
    from bot.domain.services import enquiries
    from storage.db import session_scope

    alice_away(fd, backup=None)
    fd.command(RECEPTION, "/enquiry", f"complaint via email from Jane Doe for {ALICE_M}: rude")
    (desk_post,) = [c for c in posts_to(fd, DESK) if "Jane Doe" in block_text(c)]
    assert buttons(desk_post)
    with session_scope(fd.engine) as session:  # what the Home tab's Reassign… form does
        enquiries.reassign(
            session,
            now=fd.clock.now(),
            enquiry_id=1,
            to_user_id=BOB,
            by=RECEPTION,
            roles=fd.runtime.ctx.roles,
        )
    fd.runtime.sender.deliver_due()
    (rewritten,) = updates_of(fd, DESK)
    assert rewritten.args["ts"] == desk_post.response["ts"]  # type: ignore[attr-defined]
    assert "Passed to <@U0BOB>" in block_text(rewritten)  # type: ignore[arg-type]
    assert buttons(rewritten) == []  # type: ignore[arg-type]


def test_the_incident_form_filled_in_as_yesterday_3pm_tells_the_managers_the_date(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/desk", "incident")
    (opened,) = fd.double.calls_to("views.open")
    fd.dispatch(
        fd.requests.view_submission(
            user_id=RECEPTION,
            view=opened.response["view"],
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "yesterday 3pm"}},
                "what": {"what": {"type": "plain_text_input", "value": "Shouted at the desk"}},
            },
        )
    )
    fd.settle()
    (notice,) = posts_to(fd, MANAGERS)
    monday_3pm = int(datetime.fromisoformat("2026-11-23T15:00:00-05:00").timestamp())
    assert f"<!date^{monday_3pm}^" in block_text(notice)


def test_expecting_a_visitor_for_someone_away_with_no_backup_tells_the_desk(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until next Friday")
    fd.command(RECEPTION, "/visitor", f"expect Sam Roe for {ALICE_M} tomorrow 10am")
    assert dms_to(fd, ALICE) == []
    assert any("Sam Roe" in block_text(post) for post in posts_to(fd, DESK))
