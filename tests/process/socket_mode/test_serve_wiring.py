"""`frontdesk serve` in Socket Mode, its wiring: one process, its worker in-process (a listener's
commit wakes delivery at once), stopped by SIGTERM with the connection closed. The websocket itself
is stood in for by a handler that dispatches a request as Socket Mode would."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.harness import clean_env, write_policy
from bot.console.double import SlackDouble

pytestmark = pytest.mark.process

# `frontdesk serve` with slack_bolt's SocketModeHandler replaced: on connect it dispatches one
# `/visitor arrived` as Socket Mode does (BoltRequest(mode="socket_mode")), and prints what
# happens to it.
SCRIPT = textwrap.dedent(
    """
    import sys, threading
    import bot.runtime.socket_mode_client as socket_mode
    from slack_bolt.request import BoltRequest

    class Handler:
        def __init__(self, app, app_token):
            self.app = app

        def connect(self):
            print("connected", flush=True)
            body = {
                "command": "/visitor", "text": "arrived Jane Doe for <@U0ALICE|alice>",
                "user_id": "U0RECEPTION", "user_name": "reception", "team_id": "T0FRONT",
                "channel_id": "C0DESK", "api_app_id": "A0FRONTDESK",
                "trigger_id": "1.2.socket", "response_url": sys.argv[1],
            }
            def dispatch():
                reply = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
                print("acked", reply.status, flush=True)
            threading.Thread(target=dispatch).start()

        def close(self):
            print("closed", flush=True)

    socket_mode.FrontDeskSocketModeHandler = Handler
    from bot.runtime.cli import main
    sys.exit(main(["serve"]))
    """
)


def test_socket_mode_runs_its_worker_in_process_and_closes_on_sigterm(
    double: SlackDouble, tmp_path: Path
) -> None:
    env = clean_env(
        {
            "SLACK_API_URL": double.base_url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_APP_TOKEN": "xapp-1-A0FRONTDESK-1-abc",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdesk.db'}",
            "FRONTDESK_CONFIG": str(write_policy(tmp_path)),
        }
    )
    response_url = double.response_url("U0RECEPTION", "C0DESK")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, response_url],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        alice_dm = double.dm_channel("U0ALICE")
        (dm,) = double.wait_for(
            "chat.postMessage", lambda c: c.args.get("channel") == alice_dm, timeout=30
        )
        assert "Jane Doe" in str(dm.args)
        time.sleep(0.5)  # room for the dispatching thread's print
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "connected" in output and "acked 200" in output
    assert "closed" in output  # the connection closed on SIGTERM
    assert "Traceback" not in output
