"""Request security: unsigned, wrongly signed, stale, replayed and foreign requests are refused
with 401 and change nothing — through Bolt in-process (`fd.dispatch`) and over real HTTP against
`frontdesk serve --http`. Socket Mode requests, which Slack does not sign, still work."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.console import demo
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest, SlackRequests
from bot.console.embedded import Embedded
from bot.domain.clock import ManualClock
from bot.domain.config import Policy
from bot.runtime.app import build_runtime
from handlers.security import ReplayGuard
from storage.models import Outbox, Visit

RECEPTION = "U0RECEPTION"
ARRIVAL = "arrived Jane Doe from Acme for <@U0ALICE|alice>"


def visit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Visit)) or 0)


def outbox_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Outbox)) or 0)


LOOKUPS = frozenset({"auth.test", "users.info", "users.list", "conversations.info"})


def slack_effects(double: SlackDouble) -> int:
    """Calls that change something in the workspace or reply to someone (not lookups)."""
    return sum(1 for call in double.calls if call.method not in LOOKUPS)


def arrival(fd: Embedded, *, timestamp: int | None = None, text: str = ARRIVAL) -> SignedRequest:
    return fd.requests.command("/visitor", text, user_id=RECEPTION, timestamp=timestamp)


def assert_refused_and_nothing_changed(fd: Embedded, request: SignedRequest) -> None:
    before = (visit_count(fd.engine), outbox_count(fd.engine), slack_effects(fd.double))
    response = fd.dispatch(request)
    fd.settle()
    assert response.status == 401
    assert (visit_count(fd.engine), outbox_count(fd.engine), slack_effects(fd.double)) == before


# ---- in-process, through Bolt ------------------------------------------------------------------


def test_a_signed_request_is_accepted(fd: Embedded) -> None:
    response = fd.dispatch(arrival(fd))
    fd.settle()
    assert response.status == 200
    assert visit_count(fd.engine) == 1


def test_an_unsigned_request_is_refused(fd: Embedded) -> None:
    signed = arrival(fd)
    headers: dict[str, str | Sequence[str]] = {"content-type": "application/x-www-form-urlencoded"}
    assert_refused_and_nothing_changed(fd, SignedRequest(body=signed.body, headers=headers))


def test_a_wrong_signature_is_refused(fd: Embedded) -> None:
    wrong = SlackRequests(fd.double, "not-our-secret").command(
        "/visitor", ARRIVAL, user_id=RECEPTION
    )
    assert_refused_and_nothing_changed(fd, wrong)


def test_a_tampered_body_is_refused(fd: Embedded) -> None:
    signed = arrival(fd)
    tampered = signed.body.replace("Jane", "Joan")
    assert_refused_and_nothing_changed(fd, SignedRequest(body=tampered, headers=signed.headers))


@pytest.mark.parametrize("age", [301, 600, -301])
def test_a_stale_or_future_timestamp_is_refused(fd: Embedded, age: int) -> None:
    assert_refused_and_nothing_changed(fd, arrival(fd, timestamp=int(time.time()) - age))


def test_a_timestamp_just_inside_five_minutes_is_accepted(fd: Embedded) -> None:
    assert fd.dispatch(arrival(fd, timestamp=int(time.time()) - 280)).status == 200


def test_a_replayed_request_is_refused_the_second_time(fd: Embedded) -> None:
    request = arrival(fd)
    assert fd.dispatch(request).status == 200
    fd.settle()
    assert visit_count(fd.engine) == 1
    assert_refused_and_nothing_changed(fd, request)
    assert_refused_and_nothing_changed(fd, request)


def test_a_button_press_replayed_is_refused(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", ARRIVAL)
    (dm,) = [c for c in fd.double.calls_to("chat.postMessage") if c.args["channel"][:1] == "D"]
    button = next(e for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    press = fd.requests.block_action(
        user_id="U0ALICE",
        action=button,
        channel_id=dm.args["channel"],
        message={"ts": dm.response["ts"], "blocks": dm.args["blocks"]},
        message_ts=dm.response["ts"],
    )
    assert fd.dispatch(press).status == 200
    fd.settle()
    assert_refused_and_nothing_changed(fd, press)


def test_a_request_from_another_workspace_is_refused(fd: Embedded) -> None:
    foreign = SlackRequests(fd.double, demo.SIGNING_SECRET, team_id="T0ELSEWHERE")
    assert_refused_and_nothing_changed(fd, foreign.command("/visitor", ARRIVAL, user_id=RECEPTION))


def test_a_request_for_another_app_is_refused_once_ours_is_known(fd: Embedded) -> None:
    assert fd.dispatch(arrival(fd)).status == 200  # learns A0FRONTDESK
    fd.settle()
    other = SlackRequests(fd.double, demo.SIGNING_SECRET)
    other.api_app_id = "A0SOMEONEELSE"
    assert_refused_and_nothing_changed(fd, other.command("/visitor", ARRIVAL, user_id=RECEPTION))


def test_a_configured_app_id_refuses_others_from_the_first_request(
    engine: Engine, policy: Policy, clock: ManualClock
) -> None:
    from bot.console.embedded import TrackingExecutor, start_double

    double = start_double()
    executor = TrackingExecutor()
    try:
        runtime = build_runtime(
            engine=engine,
            clock=clock,
            policy=policy,
            token=demo.BOT_TOKEN,
            signing_secret=demo.SIGNING_SECRET,
            api_url=double.base_url,
            desk_channel="C0DESK",
            managers_channel="C0MGRS",
            listener_executor=executor,
            app_id="A0FRONTDESK",
        )
        requests = SlackRequests(double, demo.SIGNING_SECRET)
        requests.api_app_id = "A0SOMEONEELSE"
        first = requests.command("/visitor", ARRIVAL, user_id=RECEPTION)
        response = runtime.app.dispatch(BoltRequest(body=first.body, headers=dict(first.headers)))
        executor.settle()
        assert response.status == 401
        assert visit_count(engine) == 0
        requests.api_app_id = "A0FRONTDESK"
        ours = requests.command("/visitor", ARRIVAL, user_id=RECEPTION)
        response = runtime.app.dispatch(BoltRequest(body=ours.body, headers=dict(ours.headers)))
        executor.settle()
        assert response.status == 200
        assert visit_count(engine) == 1
    finally:
        executor.shutdown(wait=True)
        double.stop()


def test_socket_mode_requests_are_not_signed_and_a_repeat_is_done_once(fd: Embedded) -> None:
    signed = arrival(fd)
    for _ in range(2):  # no signature to check: the same trigger_id is still handled once
        response = fd.runtime.app.dispatch(BoltRequest(body=signed.body, mode="socket_mode"))
        fd.settle()
        assert response.status == 200
    assert visit_count(fd.engine) == 1
    # A second arrival typed: a new trigger_id (another name: the same one would be asked about).
    another = arrival(fd, text=ARRIVAL.replace("Jane Doe", "Kim Lee"))
    assert fd.runtime.app.dispatch(BoltRequest(body=another.body, mode="socket_mode")).status == 200
    fd.settle()
    assert visit_count(fd.engine) == 2


def test_socket_mode_from_another_workspace_is_refused(fd: Embedded) -> None:
    foreign = SlackRequests(fd.double, demo.SIGNING_SECRET, team_id="T0ELSEWHERE")
    body = foreign.command("/visitor", ARRIVAL, user_id=RECEPTION).body
    response = fd.runtime.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    fd.settle()
    assert response.status == 401
    assert visit_count(fd.engine) == 0


def test_the_replay_guard_forgets_signatures_once_they_would_be_stale() -> None:
    now = [1_000_000.0]
    guard = ReplayGuard(clock=lambda: now[0])
    assert guard.first_sighting("v0=a", "1000000")
    assert not guard.first_sighting("v0=a", "1000000")
    now[0] += 299
    assert not guard.first_sighting("v0=a", "1000000")
    now[0] += 10  # past the window: Bolt refuses the timestamp as stale before we are asked
    assert guard.first_sighting("v0=b", str(int(now[0])))
    assert len(guard) == 1
    assert not guard.first_sighting("v0=c", "not-a-number")


def test_the_replay_guard_holds_only_the_last_five_minutes_of_a_steady_stream() -> None:
    now = [2_000_000.0]
    guard = ReplayGuard(clock=lambda: now[0])
    for second in range(1200):  # twenty minutes, two requests a second
        now[0] = 2_000_000.0 + second
        stamp = str(int(now[0]))
        assert guard.first_sighting(f"v0={second}a", stamp)
        assert guard.first_sighting(f"v0={second}b", stamp)
        assert not guard.first_sighting(f"v0={max(second - 299, 0)}a", str(int(now[0]) - 299))
    assert 600 <= len(guard) <= 604  # five minutes' worth, however long it has run


# ---- over HTTP, against `frontdesk serve --http` -----------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[SlackDouble, object]]:
    from bench.harness import frontdesk_serve, start_double

    double = start_double()
    server = frontdesk_serve(double, tmp_path)
    try:
        server.start()
        yield double, server
    finally:
        server.stop()
        double.stop()


@pytest.mark.process
def test_over_http_bad_requests_are_refused_and_change_nothing(
    served: tuple[SlackDouble, object], tmp_path: Path
) -> None:
    from bench.harness import SECRET, ServerProcess, requests_for

    double, server = served
    assert isinstance(server, ServerProcess)
    requests = requests_for(double)
    engine_url = server.env["DATABASE_URL"]
    from storage.db import make_engine

    engine = make_engine(engine_url)
    try:
        signed = requests.command("/visitor", ARRIVAL, user_id=RECEPTION)
        unsigned = SignedRequest(
            body=signed.body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        wrong = SlackRequests(double, "wrong-" + SECRET).command(
            "/visitor", ARRIVAL, user_id=RECEPTION
        )
        stale = requests.command(
            "/visitor", ARRIVAL, user_id=RECEPTION, timestamp=int(time.time()) - 301
        )
        foreign = requests_for(double, team_id="T0ELSEWHERE").command(
            "/visitor", ARRIVAL, user_id=RECEPTION
        )
        for bad in (unsigned, wrong, stale, foreign):
            assert server.post(bad).status == 401
        assert server.post(signed).status == 200
        double.wait_for("chat.postMessage", count=2, timeout=10)
        assert server.post(signed).status == 401  # the replay
        time.sleep(0.5)
        assert visit_count(engine) == 1
        arrival_posts = [
            c
            for c in double.calls_to("chat.postMessage")
            if "Jane Doe" in str(c.args) and "Closing time" not in str(c.args.get("text"))
        ]  # the worker's own rounds may post too (a closing-time list after hours)
        assert len(arrival_posts) == 2  # the host's DM and the desk post, once each
    finally:
        engine.dispose()
