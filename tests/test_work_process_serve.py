"""`serve --http` as deployed: the work after each ack runs in its forked work process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from bench.harness import ServerProcess, requests_for
from bot.slack_double import SlackDouble

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the work process is forked"),
]

ARRIVAL = "arrived Visitor {n} from Acme for <@U0ALICE|alice>"


def arrivals(double: SlackDouble, server: ServerProcess, first: int, count: int) -> None:
    requests = requests_for(double)
    for n in range(first, first + count):
        request = requests.command("/visitor", ARRIVAL.format(n=n), user_id="U0RECEPTION")
        assert server.post(request, timeout=3).status == 200


def replied(double: SlackDouble, n: int) -> bool:
    return any(f"Visitor {n}*" in str(c.args) for c in double.calls_to("response_url"))


def test_serve_does_the_work_in_its_child_and_finishes_it_on_sigterm(
    double: SlackDouble, server: ServerProcess
) -> None:
    assert server.process is not None
    (worker,) = server.children()
    arrivals(double, server, 0, 20)
    server.process.send_signal(signal.SIGTERM)  # at once: most of the work is still queued
    assert server.process.wait(timeout=60) == 0
    assert all(replied(double, n) for n in range(20))
    assert not Path(f"/proc/{worker}").exists()
    assert "work after acks runs in process" in server.output()


def test_a_killed_work_process_does_not_stop_the_commands(
    double: SlackDouble, server: ServerProcess
) -> None:
    arrivals(double, server, 0, 1)
    double.wait_for("response_url", lambda c: "Visitor 0*" in str(c.args), timeout=10)
    (worker,) = server.children()
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while "the work process stopped" not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    arrivals(double, server, 1, 3)
    for n in range(1, 4):
        double.wait_for("response_url", lambda c, n=n: f"Visitor {n}*" in str(c.args), timeout=10)


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
    time.sleep(1.0)  # room for a second, wrong, carrying-out
    answers = [c for c in double.calls_to("response_url") if "called back" in str(c.args)]
    assert len(answers) == 1
    assert "replace_original" in str(answers[0].args)
