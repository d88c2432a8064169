"""`frontdesk serve --http` in a subprocess, as a load balancer and Slack would see it: gunicorn
(`gthread`) web processes with Bolt's WSGI adapter behind the guard (bot.runtime.http_front), /healthz,
and one `frontdesk worker` process beside them that sends what the listeners committed."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bench.harness import (
    ServerProcess,
    clean_env,
    frontdesk_serve,
    http_call,
    requests_for,
    write_policy,
)
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest
from storage.db import make_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.process

ARRIVAL = "arrived Jane Doe for <@U0ALICE|alice>"
NUMBERED = "arrived Visitor {n} from Acme for <@U0ALICE|alice>"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def worker_children(server: ServerProcess) -> list[int]:
    return [pid for pid in server.children() if " worker" in cmdline(pid)]


def web_children(server: ServerProcess) -> list[int]:
    return [pid for pid in server.children() if " worker" not in cmdline(pid)]


def arrivals(double: SlackDouble, server: ServerProcess, first: int, count: int) -> None:
    requests = requests_for(double)
    for n in range(first, first + count):
        request = requests.command("/visitor", NUMBERED.format(n=n), user_id="U0RECEPTION")
        assert server.post(request, timeout=3).status == 200


def names_visitor(call: Any, n: int) -> bool:
    """Whether a call's text names Visitor n (not Visitor 1n)."""
    return re.search(rf"Visitor {n}\b", str(call.args)) is not None


def dms_about(double: SlackDouble, user_id: str, n: int) -> list[Any]:
    dm = double.dm_channel(user_id)
    return [
        c
        for c in double.calls_to("chat.postMessage")
        if c.args.get("channel") == dm and names_visitor(c, n)
    ]


def test_healthz_answers_and_other_paths_are_404(server: ServerProcess) -> None:
    assert http_call(server.port, "GET", "/healthz").status == 200
    assert http_call(server.port, "GET", "/nowhere").status == 404
    assert http_call(server.port, "GET", "/slack/events").status == 405


def test_one_web_process_and_one_worker_process_on_sqlite(server: ServerProcess) -> None:
    assert len(web_children(server)) == 1
    assert len(worker_children(server)) == 1
    assert "policy loaded from" in server.output()


def test_unsigned_and_stale_requests_are_401(double: SlackDouble, server: ServerProcess) -> None:
    requests = requests_for(double)
    signed = requests.command("/visitor", ARRIVAL, user_id="U0RECEPTION")
    unsigned = SignedRequest(
        body=signed.body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    stale = requests.command(
        "/visitor", ARRIVAL, user_id="U0RECEPTION", timestamp=int(time.time()) - 301
    )
    assert server.post(unsigned).status == 401
    assert server.post(stale).status == 401
    time.sleep(1.0)  # a worker round and more: nothing was stored, so nothing is sent
    assert double.calls_to("chat.postMessage") == []


def test_a_signed_arrival_is_acked_within_3s_and_the_host_hears(
    double: SlackDouble, server: ServerProcess
) -> None:
    request = requests_for(double).command("/visitor", ARRIVAL, user_id="U0RECEPTION")
    reply = server.post(request, timeout=3)
    assert reply.status == 200
    assert reply.seconds < 3
    alice_dm = double.dm_channel("U0ALICE")
    (dm,) = double.wait_for(
        "chat.postMessage", lambda c: c.args.get("channel") == alice_dm, timeout=10
    )
    assert "Jane Doe" in str(dm.args)


def find_button(blocks: object, prefix: str) -> dict[str, Any] | None:
    if isinstance(blocks, dict):
        if str(blocks.get("action_id", "")).startswith(prefix):
            return blocks
        blocks = list(blocks.values())
    if isinstance(blocks, list):
        for part in blocks:
            found = find_button(part, prefix)
            if found is not None:
                return found
    return None


def test_a_button_pressed_under_serve_is_carried_out_once(
    double: SlackDouble, server: ServerProcess
) -> None:
    requests = requests_for(double)
    taken = requests.command(
        "/message",
        "<@U0ALICE|alice> Jo Bloggs (Acme) 416-555-0100: call back",
        user_id="U0RECEPTION",
    )
    assert server.post(taken, timeout=3).status == 200
    alice_dm = double.dm_channel("U0ALICE")
    (dm,) = double.wait_for(
        "chat.postMessage", lambda c: c.args.get("channel") == alice_dm, timeout=10
    )
    button = find_button(dm.args.get("blocks"), "message_called_back")
    assert button is not None, dm.args
    press = requests.block_action(
        user_id="U0ALICE",
        action={"action_id": button["action_id"], "value": button["value"], "type": "button"},
        channel_id=alice_dm,
        message={"ts": dm.response["ts"], "blocks": dm.args.get("blocks")},
        message_ts=dm.response["ts"],
    )
    assert server.post(press, timeout=3).status == 200
    double.wait_for("response_url", lambda c: "called back" in str(c.args), timeout=10)
    time.sleep(1.5)  # two worker polls and more: room for a second, wrong, carrying-out
    answers = [c for c in double.calls_to("response_url") if "called back" in str(c.args)]
    assert len(answers) == 1


def test_what_was_acked_before_sigterm_is_sent_once_after_a_restart(
    double: SlackDouble, tmp_path: Path
) -> None:
    with frontdesk_serve(double, tmp_path) as first:
        first.start(wait=30)
        assert first.process is not None
        children = first.children()
        arrivals(double, first, 0, 20)
        first.process.send_signal(signal.SIGTERM)  # at once: some posts not yet sent
        assert first.process.wait(timeout=60) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in children)
    with frontdesk_serve(double, tmp_path) as second:  # the same database
        second.start(wait=30)
        for n in range(20):
            double.wait_for(
                "chat.postMessage",
                lambda c, n=n: names_visitor(c, n),
                timeout=15,
            )
        time.sleep(1.0)
    for n in range(20):
        assert len(dms_about(double, "U0ALICE", n)) == 1, n


def test_a_killed_worker_process_is_replaced_and_sending_goes_on(
    double: SlackDouble, server: ServerProcess
) -> None:
    (worker,) = worker_children(server)
    os.kill(worker, signal.SIGKILL)
    arrivals(double, server, 0, 2)  # acked while no worker runs: stored, sent later
    deadline = time.monotonic() + 20
    while not [pid for pid in worker_children(server) if pid != worker]:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    for n in range(2):
        double.wait_for("chat.postMessage", lambda c, n=n: names_visitor(c, n), timeout=15)


def test_the_worker_process_dies_with_a_killed_master(server: ServerProcess) -> None:
    (worker,) = worker_children(server)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)  # no chance to stop its children
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{worker}") and _state(worker) != "Z":
        assert time.monotonic() < deadline, "the worker outlived its master"
        time.sleep(0.1)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_with_no_worker_nothing_is_sent_until_a_worker_runs(
    double: SlackDouble, tmp_path: Path
) -> None:
    server = frontdesk_serve(double, tmp_path)
    server.args = [*server.args, "--no-worker"]
    with server:
        server.start(wait=30)
        assert worker_children(server) == []
        arrivals(double, server, 0, 1)
        time.sleep(1.5)  # three polls' worth: no worker, so no DM
        assert dms_about(double, "U0ALICE", 0) == []
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.runtime.cli", "worker"],
            env=server.env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            double.wait_for("chat.postMessage", lambda c: names_visitor(c, 0), timeout=15)
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0


def test_idle_connections_do_not_hold_up_a_genuine_request(
    double: SlackDouble, server: ServerProcess
) -> None:
    idle = []
    try:
        for _ in range(60):  # many more than the server's threads, sending nothing
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        request = requests_for(double).command("/visitor", "list", user_id="U0RECEPTION")
        reply = server.post(request, timeout=3)
        assert reply.status == 200
        assert reply.seconds < 1.5
    finally:
        for connection in idle:
            connection.close()


def test_an_idle_connection_is_closed_after_the_keepalive(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server, having sent nothing
        assert time.monotonic() - started < 12


def test_a_request_that_stalls_half_sent_is_dropped_quietly(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as stalled:
        stalled.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Le")
        started = time.monotonic()
        assert stalled.recv(1) == b""  # the server gave up on it
        assert time.monotonic() - started < 15
    assert "Traceback" not in server.output()
    assert http_call(server.port, "GET", "/healthz").status == 200


def test_an_oversized_body_is_413_and_not_read(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 104857600\r\n\r\n" + b"x" * 1024
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}, b"command=x"),
        ({}, b"payload=%7Bnot+json"),
        ({"Content-Type": "application/json"}, b"[]"),
        ({}, b"command=\xff\xfe"),
        ({}, b"payload=%7B%22type%22%3A%22view_submission%22%7D"),
    ],
    ids=["timestamp", "payload-not-json", "json-list", "invalid-utf8", "view-no-state"],
)
def test_malformed_bodies_are_400_and_one_line(
    server: ServerProcess, headers: dict[str, str], body: bytes
) -> None:
    before = server.output()
    sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    assert http_call(server.port, "POST", "/slack/events", body, sent).status == 400
    time.sleep(0.2)  # the log line is written after the answer
    new = server.output()[len(before) :]
    assert "Traceback" not in new
    assert len([line for line in new.splitlines() if "refused" in line]) == 1


def test_healthz_fails_once_slack_refuses_the_token(double: SlackDouble, tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    policy = write_policy(tmp_path / "conf")
    policy.write_text(policy.read_text().replace('"30 seconds"', '"1 second"'))  # health's TTL
    extra = {"FRONTDESK_CONFIG": str(policy)}
    with frontdesk_serve(double, tmp_path, extra_env=extra) as server:
        server.start(wait=30)
        double.fail("auth.test", error="token_revoked", times=None)
        deadline = time.monotonic() + 10
        while http_call(server.port, "GET", "/healthz").status == 200:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        reply = http_call(server.port, "GET", "/healthz")
        assert reply.status == 503 and "token_revoked" in reply.body
        double.clear_failures()
        deadline = time.monotonic() + 10
        while http_call(server.port, "GET", "/healthz").status != 200:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)


# ---- PostgreSQL: two web processes by default ----------------------------------------------


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database of its own, upgraded with `frontdesk db upgrade`."""
    if not POSTGRES_URL:
        pytest.skip("FRONTDESK_TEST_POSTGRES_URL is not set")
    name = f"fd_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        subprocess.run(
            [sys.executable, "-m", "bot.runtime.cli", "db", "upgrade"],
            env=clean_env({"DATABASE_URL": url}),
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield url
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_on_postgres_two_web_processes_and_one_worker_answer(
    double: SlackDouble, tmp_path: Path, postgres_database: str
) -> None:
    with frontdesk_serve(double, tmp_path, database_url=postgres_database) as server:
        server.start(wait=30)
        assert len(web_children(server)) == 2
        assert len(worker_children(server)) == 1
        arrivals(double, server, 0, 6)  # spread over both web processes
        for n in range(6):
            double.wait_for("chat.postMessage", lambda c, n=n: names_visitor(c, n), timeout=15)
        time.sleep(1.0)
        for n in range(6):
            assert len(dms_about(double, "U0ALICE", n)) == 1


@pytest.mark.postgres
def test_two_replicas_on_one_postgres_each_visitor_is_told_once(
    double: SlackDouble, tmp_path: Path, postgres_database: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = frontdesk_serve(double, tmp_path / "a", database_url=postgres_database)
    first.args = [*first.args, "--no-worker"]  # as docs/deploy.md's example: one worker in all
    second = frontdesk_serve(double, tmp_path / "b", database_url=postgres_database)
    with first, second:
        first.start(wait=30)
        second.start(wait=30)
        assert worker_children(first) == [] and len(worker_children(second)) == 1
        arrivals(double, first, 0, 4)
        arrivals(double, second, 4, 4)
        for n in range(8):
            double.wait_for("chat.postMessage", lambda c, n=n: names_visitor(c, n), timeout=15)
        time.sleep(1.0)
    for n in range(8):
        assert len(dms_about(double, "U0ALICE", n)) == 1
