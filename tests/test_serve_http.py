"""`frontdesk serve --http` in a subprocess: waitress, Bolt's WSGI adapter and /healthz, talking to
a Slack double in this process, as a load balancer and Slack would see it."""

from __future__ import annotations

import time

import pytest

from bench.harness import (
    ServerProcess,
    http_call,
    requests_for,
)
from bot.slack_double import SlackDouble
from bot.slack_double.requests import SignedRequest

pytestmark = pytest.mark.process

ARRIVAL = "arrived Jane Doe for <@U0ALICE|alice>"


def test_healthz_answers_and_other_paths_are_404(server: ServerProcess) -> None:
    assert http_call(server.port, "GET", "/healthz").status == 200
    assert http_call(server.port, "GET", "/nowhere").status == 404


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
    time.sleep(0.3)
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
    # the receptionist's confirmation went back through the response_url
    double.wait_for("response_url", lambda c: "Jane Doe" in str(c.args), timeout=10)
