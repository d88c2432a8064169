"""The people directory the ack path reads: the table first, one capped `users.info` on a miss,
"could not check … try again" (and nothing stored) when Slack cannot answer; kept fresh by
`user_change`/`team_join` events and by the `directory` job's `users.list`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from bot.domain.jobs import JobContext, run_job
from bot.domain.services import directory_sync, people
from bot.domain.services.people import KnownPerson
from handlers.directory import Directory, quick_client
from handlers.replies import UserError
from storage.db import session_scope
from storage.models import Staff, Visit
from tests.helpers import last_reply

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
NEWBIE = "U0NEWBIE"
SITE = ZoneInfo("America/Toronto")


def staff_rows(fd: Embedded) -> dict[str, Staff]:
    with Session(fd.engine) as session:
        return {row.id: row for row in session.exec(select(Staff))}


def put_in_table(fd: Embedded, *persons: KnownPerson, ago: timedelta = timedelta(0)) -> None:
    with session_scope(fd.engine) as session:
        people.remember(session, persons, now=fd.clock.now() - ago)


def fresh_directory(fd: Embedded, *, quick: WebClient | None = None) -> Directory:
    """A directory with nothing in memory, on the same client and table as the app's."""
    return Directory(fd.runtime.client, engine=fd.engine, clock=fd.clock, quick=quick)


def users_info_calls(fd: Embedded) -> int:
    return len(fd.double.calls_to("users.info", include_failed=True))


def job_context(fd: Embedded) -> JobContext:
    ctx = fd.runtime.ctx
    return JobContext(
        engine=fd.engine,
        policy=ctx.policy,
        now=fd.clock.now(),
        desk_channel=ctx.desk_channel,
        managers_channel=ctx.managers_channel,
    )


# ---- the table first ---------------------------------------------------------------------


def test_a_person_in_the_table_is_answered_without_asking_slack(fd: Embedded) -> None:
    put_in_table(fd, KnownPerson(ALICE, "alice", "Alice from the table", "Europe/Paris"))
    directory = fresh_directory(fd)

    person = directory.get(ALICE)

    assert person is not None and person.real_name == "Alice from the table"
    assert directory.zone_of(ALICE, SITE) == ZoneInfo("Europe/Paris")
    assert users_info_calls(fd) == 0


def test_someone_gone_in_the_table_is_none_without_asking_slack(fd: Embedded) -> None:
    put_in_table(fd, KnownPerson(BOB, "bob", "Bob Brown", None, deleted=True))
    assert fresh_directory(fd).get(BOB) is None
    assert users_info_calls(fd) == 0


def test_a_miss_asks_users_info_once_and_stores_the_answer(fd: Embedded) -> None:
    directory = fresh_directory(fd)

    first = directory.get(ALICE)
    again = directory.get(ALICE)

    assert first is not None and first == again
    assert users_info_calls(fd) == 1
    stored = staff_rows(fd)[ALICE]
    assert (stored.handle, stored.real_name, stored.tz, stored.deleted) == (
        "alice",
        "Alice Adams",
        "America/Toronto",
        False,
    )
    # Another process (no memory of it) reads the table, not Slack.
    assert fresh_directory(fd).get(ALICE) == first
    assert users_info_calls(fd) == 1


def test_someone_slack_does_not_know_is_none_and_nothing_is_stored(fd: Embedded) -> None:
    directory = fresh_directory(fd)
    assert directory.get("U0NOBODY") is None
    assert directory.get("U0NOBODY") is None  # remembered a while in memory
    assert users_info_calls(fd) == 1
    assert staff_rows(fd) == {}


def test_a_bot_is_nobody_and_is_not_kept(fd: Embedded) -> None:
    assert fresh_directory(fd).get(fd.double.bot_user_id) is None
    assert staff_rows(fd) == {}


# ---- Slack cannot answer a miss ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, "ratelimited"),
        (500, "internal_error"),
        (503, "service_unavailable"),
        (200, "fatal_error"),
    ],
)
def test_slack_failing_on_a_miss_says_try_again_and_stores_nothing(
    fd: Embedded, status: int, error: str
) -> None:
    fd.double.fail("users.info", status=status, error=error, times=None)
    with pytest.raises(UserError) as raised:
        fresh_directory(fd).get(ALICE)
    assert raised.value.message == f"I could not check <@{ALICE}> just now — try again."
    assert users_info_calls(fd) == 1  # asked once: no retries on the ack path
    assert staff_rows(fd) == {}


@pytest.fixture
def silent_slack() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/"
    finally:
        listener.close()


def test_a_slack_that_does_not_answer_is_given_up_on_after_a_second(
    fd: Embedded, silent_slack: str
) -> None:
    quick = quick_client(WebClient(token="xoxb-test", base_url=silent_slack))
    with pytest.raises(UserError, match="could not check"):
        fresh_directory(fd, quick=quick).get(ALICE)
    assert quick.timeout == 1 and quick.retry_handlers == []
    assert staff_rows(fd) == {}


def test_the_apps_directory_asks_on_a_one_second_client_without_retries(fd: Embedded) -> None:
    quick = fd.runtime.ctx.directory.quick
    assert quick.timeout == 1 and quick.retry_handlers == []
    assert type(quick) is type(fd.runtime.client)  # the same kept-alive connections
    assert quick.base_url == fd.runtime.client.base_url


def test_a_slack_that_cannot_be_reached_says_try_again(fd: Embedded) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: the connection is refused
    quick = quick_client(WebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/"))
    with pytest.raises(UserError, match="try again"):
        fresh_directory(fd, quick=quick).get(ALICE)
    assert staff_rows(fd) == {}


def test_an_arrival_for_a_host_slack_cannot_check_stores_no_visit_and_says_so(
    fd: Embedded,
) -> None:
    put_in_table(fd, KnownPerson(RECEPTION, "rita", "Rita Reyes", "America/Toronto"))
    fd.double.fail("users.info", status=500, error="internal_error", times=None)

    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for <@{NEWBIE}|newbie>")

    reply = last_reply(fd, RECEPTION)
    assert f"could not check <@{NEWBIE}> just now — try again" in reply
    with Session(fd.engine) as session:
        assert list(session.exec(select(Visit))) == []
    assert NEWBIE not in staff_rows(fd)

    # Slack answers again: the same command goes through, and the host is now in the table.
    fd.double.clear_failures()
    fd.double.add_user(NEWBIE, "newbie", real_name="Nell Newbie", tz="America/Toronto")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for <@{NEWBIE}|newbie>")
    assert "V-001" in last_reply(fd, RECEPTION)
    assert staff_rows(fd)[NEWBIE].real_name == "Nell Newbie"


# ---- events --------------------------------------------------------------------------------


def user_object(
    user_id: str, name: str, real_name: str, tz: str | None, **more: object
) -> dict[str, object]:
    found: dict[str, object] = {"id": user_id, "name": name, "real_name": real_name, **more}
    if tz is not None:
        found["tz"] = tz
    return found


def send_event(fd: Embedded, event: dict[str, object]) -> None:
    response = fd.dispatch(fd.requests.event(event))
    assert response.status == 200
    fd.settle()


def test_user_change_updates_the_name_and_the_zone(fd: Embedded) -> None:
    directory = fd.runtime.ctx.directory
    assert directory.zone_of(ALICE, SITE) == ZoneInfo("America/Toronto")  # fetched and kept

    send_event(
        fd,
        {
            "type": "user_change",
            "user": user_object(ALICE, "alice", "Alice Adams-Lee", "Europe/London"),
        },
    )

    assert directory.zone_of(ALICE, SITE) == ZoneInfo("Europe/London")
    person = fresh_directory(fd).get(ALICE)
    assert person is not None and person.real_name == "Alice Adams-Lee"
    assert users_info_calls(fd) == 1


def test_a_retried_event_is_handled_once(fd: Embedded) -> None:
    request = fd.requests.event(
        {"type": "user_change", "user": user_object(ALICE, "alice", "Alice Old", None)}
    )
    fd.dispatch(request)
    fd.settle()
    send_event(fd, {"type": "user_change", "user": user_object(ALICE, "alice", "Alice New", None)})
    fd.dispatch(request)  # Slack retries the first one late: it must not undo the second
    fd.settle()
    assert staff_rows(fd)[ALICE].real_name == "Alice New"


def test_team_join_adds_the_newcomer_and_a_deactivation_makes_them_gone(fd: Embedded) -> None:
    send_event(
        fd,
        {"type": "team_join", "user": user_object(NEWBIE, "newbie", "Nell Newbie", "Asia/Tokyo")},
    )
    person = fresh_directory(fd).get(NEWBIE)
    assert person is not None and person.tz == "Asia/Tokyo"

    send_event(
        fd,
        {
            "type": "user_change",
            "user": user_object(NEWBIE, "newbie", "Nell Newbie", "Asia/Tokyo", deleted=True),
        },
    )
    assert fd.runtime.ctx.directory.get(NEWBIE) is None
    assert fresh_directory(fd).get(NEWBIE) is None
    assert staff_rows(fd)[NEWBIE].deleted
    assert users_info_calls(fd) == 0


# ---- the directory job ---------------------------------------------------------------------


def test_the_job_fills_the_table_from_users_list(fd: Embedded) -> None:
    directory_sync.run(job_context(fd))

    rows = staff_rows(fd)
    assert {r.id for r in rows.values() if not r.deleted} == {
        "U0RECEPTION",
        "U0ALICE",
        "U0BOB",
        "U0CAROL",
        "U0MANAGER",
    }  # the bot is not a person
    assert rows[BOB].tz == "America/Vancouver"
    assert len(fd.double.calls_to("users.list")) == 1
    # Everyone is now answered from the table.
    directory = fresh_directory(fd)
    assert [directory.get(user_id) is not None for user_id in rows] == [True] * len(rows)
    assert users_info_calls(fd) == 0


def test_the_job_runs_about_hourly_and_marks_whom_slack_no_longer_lists_as_gone(
    fd: Embedded,
) -> None:
    put_in_table(fd, KnownPerson("U0LEFT", "left", "Les Left", None), ago=timedelta(hours=2))
    directory_sync.run(job_context(fd))
    assert len(fd.double.calls_to("users.list")) == 1
    assert staff_rows(fd)["U0LEFT"].deleted

    fd.clock.advance(timedelta(minutes=30))
    directory_sync.run(job_context(fd))
    assert len(fd.double.calls_to("users.list")) == 1  # not due yet

    fd.double.add_user(NEWBIE, "newbie", real_name="Nell Newbie")
    fd.clock.advance(timedelta(minutes=31))
    directory_sync.run(job_context(fd))
    assert len(fd.double.calls_to("users.list")) == 2
    assert not staff_rows(fd)[NEWBIE].deleted


def test_the_job_never_stops_the_clock_and_survives_slack_failing(fd: Embedded) -> None:
    job = directory_sync.JOB
    assert job.id == "directory" and job.next_at(job_context(fd)) is None

    fd.double.fail("users.list", status=500, error="internal_error", times=None)
    assert not run_job(job, job_context(fd))  # logged; the next round tries again
    assert staff_rows(fd) == {}

    fd.double.clear_failures()
    assert run_job(job, job_context(fd))
    assert len(staff_rows(fd)) == 5


def test_everyone_comes_from_the_table_once_the_workspace_was_listed(fd: Embedded) -> None:
    directory = fresh_directory(fd)
    assert directory.get(ALICE) is not None  # met on a miss: the workspace is not listed yet
    first = directory.everyone()  # so the whole workspace is listed, once
    assert len(first) == 5 and len(fd.double.calls_to("users.list")) == 1

    put_in_table(fd, KnownPerson(NEWBIE, "newbie", "Nell Newbie", None))
    again = {p.id for p in fresh_directory(fd).everyone()}
    assert NEWBIE in again and len(again) == 6
    assert len(fd.double.calls_to("users.list")) == 1
