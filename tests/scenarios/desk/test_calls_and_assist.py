"""`/call` and `/desk assist` (DESIGN "Calls and help at the desk"): calls handled without a
message are counted in the report by hour and day; a call for help reaches both channels at
once, names the first to answer to everyone, and is alerted again, louder, once, after two
minutes nobody answered."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.reports.export import render_report
from bot.domain.reports.periods import Period
from storage.models import AssistCall, Incident, Outbox, PhoneCall
from tests.conftest import SITE
from tests.helpers import block_text, buttons, last_reply, posts_to, press
from tests.time_helpers import advance

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
DESK, MANAGERS = "C0DESK", "C0MGRS"


def calls(fd: Embedded) -> list[PhoneCall]:
    with Session(fd.engine) as session:
        return list(session.exec(select(PhoneCall).order_by(PhoneCall.id)))  # type: ignore[arg-type]


# --- /call ---------------------------------------------------------------------------------


def test_a_call_in_is_logged_with_its_number_kept_private(fd: Embedded) -> None:
    fd.command(RECEPTION, "/call", "in Jane Doe (Acme) 416-555-0199: opening hours")
    reply = last_reply(fd, RECEPTION)
    assert "Logged a call in from *Jane Doe* (Acme)" in reply and "opening hours" in reply
    (call,) = calls(fd)
    assert (call.direction, call.name, call.organisation, call.phone_e164, call.subject) == (
        "in",
        "Jane Doe",
        "Acme",
        "+14165550199",
        "opening hours",
    )
    assert posts_to(fd, DESK) == [] and posts_to(fd, MANAGERS) == []  # nothing posted anywhere


@pytest.mark.parametrize("who", [ALICE, RECEPTION, MANAGER])
def test_anyone_may_log_a_call_out(fd: Embedded, who: str) -> None:
    fd.command(who, "/call", "out Sam Roe: returned the invoice query")
    assert "Logged a call out to *Sam Roe*" in last_reply(fd, who)
    assert [c.direction for c in calls(fd)] == ["out"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("sideways Jane Doe", "came in or went out"),
        ("in", "Give the caller's name"),
        (f"in {ALICE_M}", "not a mention"),
        ("out @nobody: hi", "can't find `@nobody`"),
    ],
)
def test_a_call_typed_wrong_is_refused_with_the_right_form(
    fd: Embedded, text: str, says: str
) -> None:
    fd.command(RECEPTION, "/call", text)
    reply = last_reply(fd, RECEPTION)
    assert says in reply and "/call in|out" in reply
    assert calls(fd) == []


def test_call_help_shows_the_form(fd: Embedded) -> None:
    fd.command(RECEPTION, "/call", "help")
    assert "/call in|out &lt;name&gt;" in last_reply(fd, RECEPTION)


def test_calls_in_and_out_show_in_the_report_by_hour_and_by_day(fd: Embedded) -> None:
    # Wed 25 Nov: two calls in at 09:xx, one out at 10:xx, and a phone message (a call in).
    fd.clock.set(datetime(2026, 11, 25, 9, 5, tzinfo=SITE))
    fd.command(RECEPTION, "/call", "in Jane Doe: hours")
    fd.clock.set(datetime(2026, 11, 25, 9, 40, tzinfo=SITE))
    fd.command(RECEPTION, "/call", "in Kim Lee 416-555-0100")
    fd.clock.set(datetime(2026, 11, 25, 10, 15, tzinfo=SITE))
    fd.command(RECEPTION, "/call", "out Sam Roe: called back")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Dana Poe: the parcel")
    policy = fd.runtime.ctx.policy
    rendered = render_report(
        fd.engine,
        policy,
        Period(datetime(2026, 11, 23).date(), datetime(2026, 11, 29).date()),
        fd.clock.now(),
    )
    report = rendered.report
    assert (report.calls_in, report.calls_out) == (3, 1)
    assert report.calls_in_by_hour[9] == 2 and report.calls_in_by_hour[10] == 1
    assert report.calls_out_by_hour[10] == 1
    (wednesday,) = [d for d in report.calls_by_day if d.day.isoformat() == "2026-11-25"]
    assert (wednesday.calls_in, wednesday.calls_out) == (3, 1)
    assert sum(d.calls_in + d.calls_out for d in report.calls_by_day) == 4
    rows = list(csv.DictReader(io.StringIO(rendered.calls_csv.decode())))
    assert [(r["direction"], r["hour"]) for r in rows] == [
        ("in", "9"),
        ("in", "9"),
        ("out", "10"),
        ("in", "10"),
    ]
    assert "Kim Lee" not in rendered.calls_csv.decode()  # no names or numbers in the CSV


# --- /desk assist --------------------------------------------------------------------------


def assists(fd: Embedded) -> list[AssistCall]:
    with Session(fd.engine) as session:
        return list(session.exec(select(AssistCall)))


def alert_in(fd: Embedded, channel: str) -> object:
    (post,) = [p for p in posts_to(fd, channel) if "Help needed" in block_text(p)]
    return post


def test_a_call_for_help_reaches_both_channels_at_once_mentioning_the_managers(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/desk", "assist: man shouting, says call him on 416-555-0142 <!channel>")
    assert "Help is being called" in last_reply(fd, RECEPTION)
    for channel in (DESK, MANAGERS):
        text = block_text(alert_in(fd, channel))
        assert "<@U0RECEPTION>" in text and "<@U0MANAGER>" in text
        assert "man shouting" in text
        assert "416-555-0142" not in text and "<!channel>" not in text
    labels = {c: [b["text"]["text"] for b in buttons(alert_in(fd, c))] for c in (DESK, MANAGERS)}
    assert labels == {DESK: ["On my way"], MANAGERS: ["On my way", "Complete incident #1"]}
    with Session(fd.engine) as session:
        (incident,) = session.exec(select(Incident))
        assert incident.reported_by == RECEPTION and "man shouting" in incident.what


def test_the_first_to_answer_is_named_on_both_posts_and_a_second_press_changes_nothing(
    fd: Embedded,
) -> None:
    fd.command(RECEPTION, "/desk", "assist")
    press(fd, BOB, alert_in(fd, MANAGERS), "On my way")
    assert "You're on your way" in last_reply(fd, BOB)
    updates = fd.double.calls_to("chat.update")
    assert {u.args["channel"] for u in updates} == {DESK, MANAGERS}
    assert all("<@U0BOB> is on the way" in block_text(u) for u in updates)
    assert all("On my way" not in [b["text"]["text"] for b in buttons(u)] for u in updates)
    press(fd, MANAGER, alert_in(fd, DESK), "On my way")
    assert "<@U0BOB> is already on the way" in last_reply(fd, MANAGER)
    assert len(fd.double.calls_to("chat.update")) == 2
    (called,) = assists(fd)
    assert called.answered_by == BOB
    with Session(fd.engine) as session:
        (incident,) = session.exec(select(Incident))
        assert incident.responded_by == BOB
    # Answered: no louder alert follows.
    advance(fd, timedelta(minutes=5))
    assert not [p for p in posts_to(fd, MANAGERS) if "STILL NO ONE" in block_text(p)]


def test_nobody_answering_in_two_minutes_alerts_again_louder_once(fd: Embedded) -> None:
    fd.command(RECEPTION, "/desk", "assist: visitor refusing to leave")
    advance(fd, timedelta(seconds=119))
    assert not [p for p in posts_to(fd, DESK) if "STILL NO ONE" in block_text(p)]
    advance(fd, timedelta(seconds=2))
    for channel in (DESK, MANAGERS):
        (louder,) = [p for p in posts_to(fd, channel) if "STILL NO ONE" in block_text(p)]
        text = block_text(louder)
        assert "<@U0MANAGER>: please go" in text
    advance(fd, timedelta(minutes=10))
    assert len([p for p in posts_to(fd, DESK) if "STILL NO ONE" in block_text(p)]) == 1
    # Answering the louder post names the responder on all four posts.
    (louder,) = [p for p in posts_to(fd, DESK) if "STILL NO ONE" in block_text(p)]
    press(fd, ALICE, louder, "On my way")
    assert len(fd.double.calls_to("chat.update")) == 4
    with Session(fd.engine) as session:
        keys = {o.key for o in session.exec(select(Outbox)) if o.key.startswith("assist:")}
    assert {k for k in keys if k.endswith(":answered")} == {
        "assist:1:desk:answered",
        "assist:1:managers:answered",
        "assist:1:louder:desk:answered",
        "assist:1:louder:managers:answered",
    }


def test_the_louder_alert_survives_a_restart(fd: Embedded) -> None:
    """The louder alert is a row's `louder_at`, not a timer: a new runtime on the same database
    sends it."""
    from tests.conftest import start_on_test_clock

    fd.command(RECEPTION, "/desk", "assist")
    again = start_on_test_clock(
        engine=fd.engine, policy=fd.runtime.ctx.policy, clock=fd.clock, double=fd.double
    )
    try:
        advance(again, timedelta(minutes=3))
    finally:
        again.executor.shutdown(wait=True)
    assert [p for p in posts_to(fd, MANAGERS) if "STILL NO ONE" in block_text(p)]


def test_reception_home_tab_has_the_call_for_help_button_on_top(fd: Embedded) -> None:
    from handlers.home import publish_home

    publish_home(fd.runtime.ctx, fd.runtime.client, RECEPTION)
    publish_home(fd.runtime.ctx, fd.runtime.client, ALICE)
    views = {c.args["user_id"]: c.args["view"] for c in fd.double.calls_to("views.publish")}
    first = views[RECEPTION]["blocks"][0]
    assert first["type"] == "actions" and first["elements"][0]["text"]["text"] == "Call for help"
    assert all(b["type"] != "actions" for b in views[ALICE]["blocks"][:1])
    fd.dispatch(
        fd.requests.block_action(
            user_id=RECEPTION, action=first["elements"][0], channel_id="", view=views[RECEPTION]
        )
    )
    fd.settle()
    fd.runtime.deliver_now()
    alert_in(fd, DESK)
    alert_in(fd, MANAGERS)


# --- incidents and calls: retention and /desk forget ---------------------------------------


def incidents(fd: Embedded) -> list[Incident]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Incident).order_by(Incident.id)))  # type: ignore[arg-type]


def test_desk_forget_erases_a_callers_calls_and_the_incident_naming_them(fd: Embedded) -> None:
    fd.command(RECEPTION, "/call", "in Jo Bloggs 416-555-0177: wants a refund")
    fd.command(RECEPTION, "/call", "in Kim Lee: hours")
    fd.command(RECEPTION, "/desk", "assist: Jo Bloggs is shouting at the desk")
    alert = alert_in(fd, MANAGERS)
    fd.command(MANAGER, "/desk", "forget jo bloggs")
    reply = last_reply(fd, MANAGER)
    assert "1 call" in reply and "1 incident" in reply
    jo, kim = calls(fd)
    assert (jo.name, jo.phone, jo.subject, jo.anonymised) == ("(anonymised)", None, None, True)
    assert kim.name == "Kim Lee"
    (incident,) = incidents(fd)
    assert "Jo Bloggs" not in incident.what and incident.anonymised
    assert incident.occurred_at is not None  # still counted in the reports
    assert assists(fd)[0].what is None
    fd.runtime.deliver_now()
    shown = fd.double.message(MANAGERS, alert.response["ts"])
    assert shown is not None and "Jo Bloggs" not in block_text(shown)


def test_retention_anonymises_old_calls_and_incidents(fd: Embedded) -> None:
    from bot.domain.jobs import JobContext
    from bot.domain.services import retention

    fd.command(RECEPTION, "/call", "out Jo Bloggs: returned the call")
    fd.command(RECEPTION, "/desk", "assist: Jo Bloggs again")
    fd.clock.advance(timedelta(days=92))
    ctx = JobContext(fd.engine, fd.runtime.ctx.policy, fd.clock.now(), DESK, MANAGERS)
    assert retention.run(ctx) == 2
    assert calls(fd)[0].name == "(anonymised)"
    assert incidents(fd)[0].what == "(anonymised)"
    assert retention.run(ctx) == 0


def test_the_reports_incidents_csv_names_who_logged_and_who_answered_the_call_for_help(
    fd: Embedded,
) -> None:
    fd.command(ALICE, "/desk", "incident")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=view,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "yesterday 3pm"}},
                "what": {
                    "what": {"type": "plain_text_input", "value": "Swore at me, 416-555-0142"}
                },
            },
        )
    )
    fd.settle()
    fd.command(RECEPTION, "/desk", "assist: man shouting at the desk")
    press(fd, BOB, alert_in(fd, MANAGERS), "On my way")
    fd.command(MANAGER, "/desk", "report this week")
    (upload,) = [u for u in fd.double.uploaded_files if u["filename"].endswith("-incidents.csv")]
    assert upload["channels"] == [fd.double.dm_channel(MANAGER)]
    rows = list(csv.DictReader(io.StringIO(upload["bytes"].decode())))
    assert [(r["incident"], r["happened"], r["logged_by"]) for r in rows] == [
        ("#1", "2026-11-23 15:00", "@alice"),
        ("#2", "2026-11-24 15:00", RECEPTION),  # not in the test directory: by id
    ]
    logged, called = rows
    assert {r["site"] for r in rows} == {"default"}
    assert (logged["call_for_help"], logged["answered_by"]) == ("no", "")
    assert logged["what"].startswith("Swore at me") and "416-555-0142" not in logged["what"]
    assert (called["call_for_help"], called["answered_by"]) == ("yes", BOB)
    assert "man shouting" in called["what"]


def test_an_incident_when_that_is_no_past_time_is_refused_beside_the_field(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "incident")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    response = fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=view,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "next Friday"}},
                "what": {"what": {"type": "plain_text_input", "value": "Swore at me"}},
            },
        )
    )
    fd.settle()
    assert "occurred" in (response.body or "") and "has passed" in (response.body or "")
    assert incidents(fd) == []


def test_an_incident_is_stored_with_the_instant_it_happened(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "incident")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=view,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "yesterday 3pm"}},
                "what": {"what": {"type": "plain_text_input", "value": "Swore at me"}},
            },
        )
    )
    fd.settle()
    (incident,) = incidents(fd)
    assert incident.occurred_at == datetime(2026, 11, 23, 15, tzinfo=SITE)
    assert incident.occurred == "yesterday 3pm"  # the words, kept beside it as told


def test_upgrading_keeps_old_incidents_and_reads_their_when_as_an_instant(
    empty_engine: object,
) -> None:
    from sqlalchemy import Engine, text

    from storage.migrate import is_current, upgrade

    assert isinstance(empty_engine, Engine)
    upgrade(empty_engine, "0005")
    logged = datetime(2026, 11, 24, 20, 0, tzinfo=SITE)  # Tue 20:00 Toronto
    with empty_engine.begin() as connection:
        for typed in ("yesterday 3pm", "after lunch, I think"):
            connection.execute(
                text(
                    "INSERT INTO incident (reported_by, occurred, what, created_at)"
                    " VALUES ('U0ALICE', :o, 'Shouted', :c)"
                ),
                {"o": typed, "c": logged},
            )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with Session(empty_engine) as session:
        read, kept = session.exec(select(Incident).order_by(Incident.id))  # type: ignore[arg-type]
    assert read.occurred_at == datetime(2026, 11, 23, 15, tzinfo=SITE)
    assert kept.occurred_at == logged  # no date in the words: when it was logged
    assert (read.occurred, read.anonymised, read.responded_by) == ("yesterday 3pm", False, None)


def test_a_manager_completes_the_incident_a_call_for_help_opened(fd: Embedded) -> None:
    fd.command(RECEPTION, "/desk", "assist")
    press(fd, MANAGER, alert_in(fd, MANAGERS), "Complete incident #1")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    assert view["title"]["text"] == "Incident #1"
    fd.dispatch(
        fd.requests.view_submission(
            user_id=MANAGER,
            view=view,
            values={
                "occurred": {"occurred": {"type": "plain_text_input", "value": "today 2:55pm"}},
                "location": {"location": {"type": "plain_text_input", "value": "reception"}},
                "who": {"who": {"type": "plain_text_input", "value": "A man in a red coat"}},
                "what": {"what": {"type": "plain_text_input", "value": "Threatened the desk"}},
            },
        )
    )
    fd.settle()
    (incident,) = incidents(fd)
    assert (incident.who, incident.what, incident.location) == (
        "A man in a red coat",
        "Threatened the desk",
        "reception",
    )
    assert incident.occurred_at == datetime(2026, 11, 24, 14, 55, tzinfo=SITE)


def test_only_managers_may_complete_an_incident(fd: Embedded) -> None:
    fd.command(RECEPTION, "/desk", "assist: shouting")
    press(fd, BOB, alert_in(fd, MANAGERS), "Complete incident #1")
    view = fd.double.calls_to("views.open")[-1].response["view"]
    assert "Only managers" in block_text(view) and "shouting" not in str(view)
