"""Shared by the benchmarks and the process tests: `frontdesk serve --http` (or the bare Bolt app)
in a subprocess, wired to a Slack double in this process, and signed requests sent over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from bot.console import demo
from bot.console.double import SlackDouble
from bot.console.double.requests import SignedRequest, SlackRequests
from storage.models import PhoneMessage

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret-0123456789"
ALICE_M = "<@U0ALICE|alice>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_double() -> SlackDouble:
    """A Slack double with the demo people and channels, token = the demo bot token."""
    double = SlackDouble(bot_token=demo.BOT_TOKEN)
    for user in demo.DEMO_USERS:
        double.add_user(user.id, user.handle, real_name=user.real_name, tz=user.tz)
    double.add_channel(*demo.DESK_CHANNEL)
    double.add_channel(*demo.MANAGERS_CHANNEL)
    double.start()
    return double


def write_policy(directory: Path) -> Path:
    """The example policy (desk C0DESK, managers C0MGRS, the demo roles) as a file."""
    text = resources.files("bot").joinpath("frontdesk.example.toml").read_text()
    path = directory / "frontdesk.toml"
    path.write_text(text)
    return path


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment without Front Desk's settings, plus `extra`; imports from ROOT."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FRONTDESK_"))
    }
    return base | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"} | dict(extra)


@dataclass
class Reply:
    status: int
    body: str
    seconds: float


def post(port: int, request: SignedRequest, *, timeout: float = 10.0) -> Reply:
    """POST a signed request to /slack/events; the status, body and time to the answer."""
    headers = {k: v if isinstance(v, str) else v[0] for k, v in request.headers.items()}
    return http_call(port, "POST", "/slack/events", request.body.encode(), headers, timeout)


def http_call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return Reply(response.status, text, time.perf_counter() - start)
    finally:
        connection.close()


@dataclass
class ServerProcess:
    """A server in a subprocess: started, waited for, measured, stopped."""

    args: Sequence[str]
    env: dict[str, str]
    port: int
    log_path: Path
    cwd: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_after: float | None = None
    new_session: bool = False  # its own session and process group (killed as one: os.killpg)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, *, wait: float = 30.0) -> ServerProcess:
        self._log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=self.new_session,
        )
        self.ready_after = self.wait_healthy(wait)
        return self

    def wait_healthy(self, wait: float) -> float:
        """Seconds from start to the first 200 on GET /healthz."""
        deadline = time.perf_counter() + wait
        while time.perf_counter() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.output()}")
            try:
                if http_call(self.port, "GET", "/healthz", timeout=1.0).status == 200:
                    return time.perf_counter() - self.started_at
            except OSError:
                pass
            time.sleep(0.01)
        raise TimeoutError(f"no answer on /healthz after {wait} s:\n{self.output()}")

    def post(self, request: SignedRequest, *, timeout: float = 10.0) -> Reply:
        return post(self.port, request, timeout=timeout)

    def rss_mb(self) -> float:
        """Resident memory of the server process (Linux /proc)."""
        assert self.process is not None
        return _status_mb(self.process.pid, "VmRSS")

    def children(self) -> list[int]:
        """The server's child processes (under `serve --http`: the web processes and the worker)."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of the server and its children: each one's VmRSS, and their PSS.

        PSS (proportional set size) counts a page shared by n processes as 1/n in each, so the
        sum over a forked pair counts the pages they share once, where a sum of RSS would count
        them twice.
        """
        assert self.process is not None
        pids = [self.process.pid, *self.children()]
        figures = {"rss_mb": self.rss_mb()}
        for n, pid in enumerate(pids[1:], start=1):
            figures[f"child_{n}_rss_mb"] = _status_mb(pid, "VmRSS")
        figures["pss_total_mb"] = sum(_pss_mb(pid) for pid in pids)
        return figures

    def output(self) -> str:
        if self._log:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def frontdesk_serve(
    double: SlackDouble,
    workdir: Path,
    *,
    database_url: str | None = None,
    threads: int = 8,
    workers: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    python_flags: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> ServerProcess:
    """`python -m bot.runtime.cli serve --http` against the double (not started yet): gunicorn's master,
    its web processes (`workers`; serve's default when None) and the worker process."""
    port = free_port()
    env = clean_env(
        {
            "SLACK_API_URL": double.base_url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'frontdesk.db'}",
            "FRONTDESK_CONFIG": str(write_policy(workdir)),
            **(extra_env or {}),
        }
    )
    args = [
        *python_flags,
        "-m",
        "bot.runtime.cli",
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        str(threads),
        *(["--workers", str(workers)] if workers is not None else []),
        *extra_args,
    ]
    return ServerProcess(args, env, port, workdir / "serve.log", workdir)


def bare_serve(
    double: SlackDouble,
    workdir: Path,
    *,
    threads: int = 8,
    workers: int = 1,
    database_url: str | None = None,
) -> ServerProcess:
    """The durable bare Bolt app (commits one row, then acks) on the same server stack."""
    port = free_port()
    env = clean_env(
        {
            "SLACK_API_URL": double.base_url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bare.db'}",
        }
    )
    args = [
        *["-m", "bench.bare_app", "--port", str(port)],
        *["--threads", str(threads), "--workers", str(workers)],
    ]
    return ServerProcess(args, env, port, workdir / "bare.log", workdir)


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} for {pid}")


def _pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")


def requests_for(double: SlackDouble, *, team_id: str | None = None) -> SlackRequests:
    return SlackRequests(double, SECRET, team_id=team_id)


def visitor_arrived(requests: SlackRequests, n: int, *, note: str = "") -> SignedRequest:
    text = f"arrived Visitor {n} from Acme for {ALICE_M}" + (f" — {note}" if note else "")
    return requests.command("/visitor", text, user_id="U0RECEPTION")


def message_for(requests: SlackRequests, n: int) -> SignedRequest:
    text = f"{ALICE_M} Caller {n} (Acme) 416-555-{n % 10000:04d}: please call back"
    return requests.command("/message", text, user_id="U0RECEPTION")


def phone_message(*, recipient_id: str, caller: str, taken_at: datetime) -> PhoneMessage:
    """A call taken by reception for `recipient_id` (the benchmarks seed windows with these)."""
    return PhoneMessage(
        recipient_id=recipient_id,
        caller=caller,
        organisation="Acme",
        phone="416-555-0199",
        phone_e164="+14165550199",
        body="please call back",
        taken_by="U0RECEPTION",
        taken_at=taken_at,
    )


def as_json(request: SignedRequest) -> str:
    headers = {k: v if isinstance(v, str) else v[0] for k, v in request.headers.items()}
    return json.dumps({"body": request.body, "headers": headers})


def emit(figures: Mapping[str, Any]) -> None:
    """Print a benchmark's figures as one JSON object."""
    print(json.dumps(dict(figures), indent=2, sort_keys=True))
