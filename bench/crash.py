"""Acknowledged means saved, under kill -9: a burst of signed commands, button presses and form
submissions sent to `frontdesk serve --http` while its processes are SIGKILLed at random instants.

- One replica (`frontdesk serve --http` in a session of its own) against a Slack double in this
  process: on SQLite one web process, on PostgreSQL two (serve's defaults), each beside its
  `frontdesk worker` child.
- Open loop, from a pool of client threads: `/visitor arrived Visitor N from Acme for @host`,
  `/message @host Caller N (Acme) 416-555-NNNN: please call back`, the visitor form submitted
  (`view_submission`, name Visitor N) and "Called back" pressed on message DMs the double has
  received; each request is signed when it is sent, and its answer recorded (200 = acked).
- Meanwhile `kills` times, at a random instant of its own slot of the burst, one process of the
  replica is SIGKILLed: a gunicorn web process (gunicorn starts another), the worker process (the
  master starts another), the gunicorn master, or the whole process group (for those two a new
  replica is started). Each kind comes up in turn, in a shuffled order.
- Then the outbox and the task table are left to drain (a deadline, polling the database), and
  the database and the double are checked:
  - every acked request's effects are there: the visit or phone message (once), its outbox rows
    sent, the host's DM and the desk post (visits) or the owner's DM (messages) accepted by the
    double; for a press, the item closed as called back and its answer through the response_url;
  - nothing is half-done: every visit has its two outbox rows and every message its item and DM
    row, every outbox row about a visit or an item has it, no row is left pending or failed, and
    every row marked sent reached the double;
  - repeats: a post the double accepted more than once (same method, channel and text). DESIGN.md
    allows one per kill that took down a process posting to Slack (the worker: a worker kill, or a
    group kill). A `response_url` answer that replaces its message is not counted, as chat.update
    is not: sent twice, it leaves the message as sent once.
- `acked_lost_on_kill` counts the acked requests with anything missing (goal 0).

    python -m bench.crash [--database sqlite|postgresql] [--seconds 30] [--rate 30] [--kills 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from bench.harness import ServerProcess, emit, frontdesk_serve, post, requests_for, start_double
from bot.console.double import Call, SlackDouble
from bot.console.double.requests import SignedRequest, SlackRequests
from handlers.views.visitor_form import form_view
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Item, Outbox, PhoneMessage, Task, Visit

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOSTS = (("U0ALICE", "alice"), ("U0BOB", "bob"), ("U0CAROL", "carol"))
KINDS = ("web", "worker", "master", "group")
# What a kill takes down: only the worker process posts to Slack (web processes only ack).
KILLS_A_POSTER = {"worker", "group"}
VISITOR = re.compile(r"\bVisitor (\d+)\b")
CALLER = re.compile(r"\bCaller (\d+)\b")
# A row's end: sent, or dropped unsent as moot. A post is looked for at the double, whatever its
# row says: a worker killed after posting a message's DM leaves the row pending, and once the
# DM's "Called back" has closed the item, the next worker drops the row rather than post again.
DONE = ("sent", "dropped")
# An ack that says the request failed (handlers.transaction's apology, a refusal, a form error).
REFUSALS = ("Nothing was saved", ":no_entry:", ":warning:", '"response_action": "errors"')


# ---- the replica ----------------------------------------------------------------------------


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def group_members(pgid: int) -> list[int]:
    """Live processes of process group `pgid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


class Replica:
    """`frontdesk serve --http` in a session of its own; its processes SIGKILLed on demand."""

    def __init__(
        self, double: SlackDouble, work: Path, *, database_url: str, workers: int | None
    ) -> None:
        self.double, self.work = double, work
        self.database_url, self.workers = database_url, workers
        self.server: ServerProcess | None = None
        self.groups: list[int] = []  # every process group started, for the clean-up
        self.outputs: list[str] = []
        self.starts = 0
        self.lock = threading.Lock()

    @property
    def port(self) -> int | None:
        server = self.server
        return server.port if server is not None else None

    def start(self) -> None:
        self.starts += 1
        directory = self.work / f"replica{self.starts}"
        directory.mkdir()
        server = frontdesk_serve(
            self.double, directory, database_url=self.database_url, workers=self.workers
        )
        server.new_session = True
        try:
            server.start(wait=60)
        finally:
            if server.process is not None:
                self.groups.append(server.process.pid)
        self.server = server

    def processes(self) -> dict[str, list[int]]:
        """The master, the web processes and the worker process of the running replica."""
        assert self.server is not None and self.server.process is not None
        children = self.server.children()
        return {
            "master": [self.server.process.pid],
            "web": [p for p in children if " worker" not in cmdline(p)],
            "worker": [p for p in children if " worker" in cmdline(p)],
        }

    def kill(self, kind: str, rng: random.Random) -> dict[str, Any]:
        """SIGKILL `kind` of process; start a new replica where gunicorn's master is gone."""
        assert self.server is not None and self.server.process is not None
        began = time.monotonic()
        if kind == "group":
            pid = self.server.process.pid
            os.killpg(pid, signal.SIGKILL)
        else:
            # A process gunicorn (or its master, for the worker) is still starting again: wait.
            deadline = began + 10.0
            while not (pids := self.processes()[kind]) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pids:
                return {"kind": kind, "pid": None, "note": "none running after 10 s"}
            pid = rng.choice(pids)
            os.kill(pid, signal.SIGKILL)
        event: dict[str, Any] = {"kind": kind, "pid": pid, "monotonic": time.monotonic()}
        if kind in ("master", "group"):
            old = self.server
            with self.lock:
                self.server = None  # requests now find no server, as behind a load balancer
            assert old.process is not None
            old.process.wait()
            self.outputs.append(old.output())
            old.stop()
            self.start()
            event["restarted_after_s"] = round(time.monotonic() - began, 2)
        return event

    def orphans(self) -> list[str]:
        """Processes of replicas whose master is gone that are still alive (their command)."""
        current = self.server.process.pid if self.server and self.server.process else None
        left = []
        for pgid in self.groups:
            if pgid != current:
                left += [cmdline(pid) or str(pid) for pid in group_members(pgid)]
        return left

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.outputs.append(self.server.output())
            self.server = None
        for pgid in self.groups:
            with suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)


# ---- the burst ------------------------------------------------------------------------------


@dataclass
class Sent:
    kind: str  # visitor | form | message | press
    n: int  # the visitor's or caller's number
    status: int | str | None = None  # the HTTP status, or the error's name
    body: str = ""  # the answer (a command's ack carries its reply)

    @property
    def refused(self) -> bool:
        """The ack tells the user it failed: nothing was promised."""
        return any(mark in self.body for mark in REFUSALS)


@dataclass
class Burst:
    sent: list[Sent] = field(default_factory=list)
    kills: list[dict[str, Any]] = field(default_factory=list)
    pressed: set[int] = field(default_factory=set)

    def acked(self, kind: str) -> list[Sent]:
        """Requests answered 200 that did not tell the user it failed."""
        return [s for s in self.sent if s.kind == kind and s.status == 200 and not s.refused]

    def refused(self) -> list[Sent]:
        """Requests answered 200 with an error the user sees ("Nothing was saved", a form error)."""
        return [s for s in self.sent if s.status == 200 and s.refused]


def host_of(n: int) -> tuple[str, str]:
    return HOSTS[n % len(HOSTS)]


def visitor_command(requests: SlackRequests, n: int) -> SignedRequest:
    user_id, handle = host_of(n)
    text = f"arrived Visitor {n} from Acme for <@{user_id}|{handle}>"
    return requests.command("/visitor", text, user_id="U0RECEPTION")


def message_command(requests: SlackRequests, n: int) -> SignedRequest:
    user_id, handle = host_of(n)
    text = f"<@{user_id}|{handle}> Caller {n} (Acme) 416-555-{n % 10000:04d}: please call back"
    return requests.command("/message", text, user_id="U0RECEPTION")


def visitor_form(requests: SlackRequests, n: int) -> SignedRequest:
    view = form_view("C0DESK") | {"id": f"V{n:08d}"}
    return requests.view_submission(
        user_id="U0RECEPTION",
        view=view,
        values={
            "name": {"name": {"type": "plain_text_input", "value": f"Visitor {n}"}},
            "organisation": {"organisation": {"type": "plain_text_input", "value": "Acme"}},
            "host": {"host": {"type": "users_select", "selected_user": host_of(n)[0]}},
        },
    )


def called_back_button(call: Call) -> dict[str, Any] | None:
    for block in call.args.get("blocks") or []:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith("message_called_back"):
                return dict(element)
    return None


class Presses:
    """Message DMs the double has received, each to be pressed "Called back" once."""

    def __init__(self, double: SlackDouble) -> None:
        self.double = double
        self.seen = 0
        self.ready: list[tuple[int, Call, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def take(self) -> tuple[int, Call, dict[str, Any]] | None:
        with self.lock:
            self._look()
            return self.ready.pop(0) if self.ready else None

    def waiting(self) -> int:
        """How many DMs wait to be pressed."""
        with self.lock:
            self._look()
            return len(self.ready)

    def _look(self) -> None:  # under self.lock
        calls = self.double.calls_to("chat.postMessage")
        for call in calls[self.seen :]:
            button = called_back_button(call)
            found = CALLER.search(str(call.args.get("text", "")))
            dm = str(call.args.get("channel", "")).startswith("D")
            if button is not None and found and dm:
                self.ready.append((int(found.group(1)), call, button))
        self.seen = len(calls)


def press_request(requests: SlackRequests, call: Call, button: dict[str, Any]) -> SignedRequest:
    user_id = requests.double.user_for_dm(str(call.response["channel"]))
    return requests.block_action(
        user_id=user_id or "U0ALICE",
        action=button,
        channel_id=str(call.response["channel"]),
        message={"ts": call.response["ts"], "blocks": call.args["blocks"]},
        message_ts=str(call.response["ts"]),
    )


def burst(
    replica: Replica,
    double: SlackDouble,
    *,
    seconds: float,
    rate: float,
    kills: int,
    rng: random.Random,
    client_threads: int = 32,
    seed_messages: int = 6,
) -> Burst:
    """Send requests open loop at `rate` for `seconds`; SIGKILL `kills` times meanwhile.

    First `seed_messages` phone messages are taken and their DMs waited for (up to 20 s), so
    there are buttons to press from the start, whatever the kills then hold up.
    """
    requests = requests_for(double)
    presses = Presses(double)
    result = Burst()
    pressed_now: set[int] = set()
    numbers = iter(range(10**9))
    lock = threading.Lock()

    def one(kind: str) -> None:
        if kind == "press":
            taken = presses.take()
            if taken is None:
                kind = "message"
            else:
                n, call, button = taken
                request = press_request(requests, call, button)
        if kind != "press":
            with lock:
                n = next(numbers)
            make = {"visitor": visitor_command, "message": message_command, "form": visitor_form}
            request = make[kind](requests, n)
        sent = Sent(kind, n)
        with lock:
            result.sent.append(sent)
            if kind == "press":
                pressed_now.add(n)
        port = replica.port
        if port is None:
            sent.status = "no server"
            return
        try:
            reply = post(port, request, timeout=5.0)
            sent.status, sent.body = reply.status, reply.body
        except OSError as error:
            sent.status = type(error).__name__

    failures: list[BaseException] = []

    def killer() -> None:
        try:
            kill_in_turn()
        except BaseException as error:  # raised again after the burst, in the caller's thread
            failures.append(error)

    def kill_in_turn() -> None:
        order = [KINDS[i % len(KINDS)] for i in range(kills)]
        rng.shuffle(order)
        slot = seconds / max(kills, 1)
        for i, kind in enumerate(order):
            at = began + slot * i + rng.uniform(0.1, 0.6) * slot
            time.sleep(max(0.0, at - time.monotonic()))
            at = time.monotonic()  # later than planned when a restart took longer than a slot
            event = replica.kill(kind, rng)
            event["at_s"] = round(at - began, 2)
            result.kills.append(event)

    for _ in range(seed_messages):
        one("message")
    deadline = time.monotonic() + 20.0
    while presses.waiting() < seed_messages and time.monotonic() < deadline:
        time.sleep(0.05)
    mix = ["visitor"] * 4 + ["message"] * 3 + ["form"] * 2 + ["press"] * 3
    began = time.monotonic()
    killing = threading.Thread(target=killer, name="killer")
    killing.start()
    with ThreadPoolExecutor(max_workers=client_threads, thread_name_prefix="client") as pool:
        for i in range(int(seconds * rate)):
            time.sleep(max(0.0, began + i / rate - time.monotonic()))
            pool.submit(one, rng.choice(mix))
    killing.join()
    if failures:
        raise failures[0]
    result.pressed = pressed_now
    return result


# ---- after: drain, then check ---------------------------------------------------------------


def pending(engine: Engine, model: type[Outbox] | type[Task]) -> int:
    """Outbox rows or tasks not yet done."""
    with Session(engine) as session:
        statement = select(func.count()).select_from(model)
        return int(session.scalar(statement.where(col(model.state) == "pending")) or 0)


def drain(engine: Engine, model: type[Outbox] | type[Task], *, limit: float) -> float:
    """Wait (polling) until no row of `model` is pending; the seconds it took."""
    started = time.monotonic()
    while pending(engine, model) and time.monotonic() - started < limit:
        time.sleep(0.2)
    return round(time.monotonic() - started, 2)


def call_text(call: Call) -> str:
    return str(call.args.get("text", "")) or json.dumps(call.args.get("blocks"), sort_keys=True)


@dataclass
class Posts:
    """What the double accepted, by who it was about."""

    host_dm: Counter[int] = field(default_factory=Counter)  # Visitor n: the DM
    desk: Counter[int] = field(default_factory=Counter)  # Visitor n: the sign-in post
    owner_dm: Counter[int] = field(default_factory=Counter)  # Caller n: the message DM
    answered: Counter[int] = field(default_factory=Counter)  # Caller n: called back, answered
    repeats: list[str] = field(default_factory=list)
    # when each repeated post first landed, and where (a channel, or a DM: one sender target)
    repeated_at: list[tuple[float, str]] = field(default_factory=list)
    timestamps: set[tuple[str, str]] = field(default_factory=set)


def read_posts(double: SlackDouble) -> Posts:
    posts = Posts()
    same: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], float] = {}
    for call in double.calls:
        if not call.ok or call.method not in ("chat.postMessage", "response_url"):
            continue
        channel = str(call.args.get("channel", ""))
        text = call_text(call)
        # An answer that replaces the message it came from, sent twice, leaves the message as
        # once: like chat.update, not a repeated post (a retry after a lost answer can do it).
        if not (call.method == "response_url" and call.args.get("replace_original")):
            same[(call.method, channel, text)] += 1
            first.setdefault((call.method, channel, text), call.at)
        if call.method == "response_url":
            for n in {int(x) for x in CALLER.findall(text)}:
                posts.answered[n] += 1
            continue
        posts.timestamps.add((str(call.response.get("channel")), str(call.response.get("ts"))))
        if channel == "C0DESK":
            posts.desk.update({int(x) for x in VISITOR.findall(text)})
        elif channel.startswith("D"):
            posts.host_dm.update({int(x) for x in VISITOR.findall(text)})
            if called_back_button(call) is not None:
                posts.owner_dm.update({int(x) for x in CALLER.findall(text)})
    for (method, channel, text), times in same.items():
        if times > 1:
            posts.repeats += [f"{method} {channel} {text[:80]}"] * (times - 1)
            posts.repeated_at += [(first[(method, channel, text)], channel)] * (times - 1)
    return posts


def check(
    engine: Engine, double: SlackDouble, sent: Burst, *, tasks_must_be_done: bool
) -> dict[str, Any]:
    """What an acked request left behind, what is half-done, and what was posted twice.

    Tasks (Home refreshes) a killed worker had claimed wait out its lease before another
    worker runs them; unless `tasks_must_be_done`, a pending one is counted, not held against
    the run, and only a failed one is.
    """
    posts = read_posts(double)
    with Session(engine) as session:
        visits = session.execute(select(col(Visit.id), col(Visit.name))).all()
        messages = session.execute(select(col(PhoneMessage.id), col(PhoneMessage.caller))).all()
        items = session.execute(
            select(
                col(Item.id),
                col(Item.message_id),
                col(Item.visit_id),
                col(Item.state),
                col(Item.outcome),
            )
        ).all()
        rows = session.execute(
            select(
                col(Outbox.key),
                col(Outbox.state),
                col(Outbox.item_id),
                col(Outbox.sent_channel),
                col(Outbox.sent_ts),
            )
        ).all()
        tasks: dict[str, int] = {
            str(state): int(n)
            for state, n in session.execute(
                select(col(Task.state), func.count()).group_by(col(Task.state))
            ).all()
        }
        stuck = [
            {
                "key": t.key,
                "kind": t.kind,
                "state": t.state,
                "seq": t.seq,
                "attempts": t.attempts,
                "lease_owner": t.lease_owner,
                "lease_until": str(t.lease_until),
                "next_attempt_at": str(t.next_attempt_at),
                "error": t.error,
            }
            for t in session.scalars(select(Task).where(col(Task.state) != "done")).all()
        ]
    row_state = {key: state for key, state, *_ in rows}
    visits_named: Counter[int] = Counter()
    visit_number: dict[int, int] = {}
    for visit_id, name in visits:
        found = VISITOR.fullmatch(name)
        if found:
            visits_named[int(found.group(1))] += 1
            visit_number[visit_id] = int(found.group(1))
    messages_named: Counter[int] = Counter()
    message_number: dict[int, int] = {}
    for message_id, caller in messages:
        found = CALLER.fullmatch(caller)
        if found:
            messages_named[int(found.group(1))] += 1
            message_number[message_id] = int(found.group(1))
    item_of_message = {m: (i, s, o) for i, m, _, s, o in items if m is not None}
    item_ids = {i for i, *_ in items}
    visit_ids = set(visit_number) | {v for v, _ in visits}

    lost: list[str] = []
    for s in sent.acked("visitor") + sent.acked("form"):
        n = s.n
        visit_id = next((v for v, k in visit_number.items() if k == n), None)
        problems = []
        if visits_named[n] != 1:
            problems.append(f"{visits_named[n]} visits")
        if visit_id is not None:
            for suffix in ("arrived_dm", "signin"):
                if row_state.get(f"visit:{visit_id}:{suffix}") not in DONE:
                    problems.append(f"{suffix} {row_state.get(f'visit:{visit_id}:{suffix}')}")
        if posts.host_dm[n] < 1:
            problems.append("no host DM")
        if posts.desk[n] < 1:
            problems.append("no desk post")
        if problems:
            lost.append(f"{s.kind} Visitor {n}: {', '.join(problems)}; acked {s.body[:300]!r}")
    for s in sent.acked("message"):
        n = s.n
        message_id = next((m for m, k in message_number.items() if k == n), None)
        problems = []
        if messages_named[n] != 1:
            problems.append(f"{messages_named[n]} messages")
        if message_id is not None:
            item = item_of_message.get(message_id)
            if item is None:
                problems.append("no item")
            elif row_state.get(f"item:{item[0]}:dm") not in DONE:
                problems.append(f"dm row {row_state.get(f'item:{item[0]}:dm')}")
        if posts.owner_dm[n] < 1:
            problems.append("no owner DM")
        if problems:
            lost.append(f"message Caller {n}: {', '.join(problems)}; acked {s.body[:300]!r}")
    for s in sent.acked("press"):
        n = s.n
        message_id = next((m for m, k in message_number.items() if k == n), None)
        item = item_of_message.get(message_id) if message_id is not None else None
        problems = []
        if item is None or item[1] != "done" or item[2] != "called_back":
            problems.append(f"item {item[1:] if item else None}")
        if posts.answered[n] < 1:
            problems.append("no answer through the response_url")
        if problems:
            lost.append(f"press Caller {n}: {', '.join(problems)}")

    half_done: list[str] = []
    for visit_id in visit_ids:
        for suffix in ("arrived_dm", "signin"):
            if f"visit:{visit_id}:{suffix}" not in row_state:
                half_done.append(f"visit {visit_id} without its {suffix} row")
    for message_id in message_number:
        item = item_of_message.get(message_id)
        if item is None:
            half_done.append(f"message {message_id} without its item")
        elif f"item:{item[0]}:dm" not in row_state:
            half_done.append(f"message {message_id} without its DM row")
    for key, state, item_id, sent_channel, sent_ts in rows:
        found = re.match(r"visit:(\d+):", key)
        if found and int(found.group(1)) not in visit_ids:
            half_done.append(f"row {key} without its visit")
        if item_id is not None and item_id not in item_ids:
            half_done.append(f"row {key} without its item")
        if state not in DONE:
            half_done.append(f"row {key} left {state}")
        elif sent_ts and (str(sent_channel), str(sent_ts)) not in posts.timestamps:
            half_done.append(f"row {key} marked sent, never posted")
    if tasks.get("failed") or (tasks_must_be_done and tasks.get("pending")):
        half_done.append(f"tasks: {tasks}")

    poster_kills = [k for k in sent.kills if k["kind"] in KILLS_A_POSTER and k.get("pid")]
    # A repeat is owed to the first kill of a poster after the post first landed.
    per_kill = Counter[int]()
    per_kill_and_target = Counter[tuple[int, str]]()
    unexplained = 0
    for landed, target in posts.repeated_at:
        after = [i for i, k in enumerate(poster_kills) if k["monotonic"] >= landed]
        if after:
            per_kill[after[0]] += 1
            per_kill_and_target[(after[0], target)] += 1
        else:
            unexplained += 1
    refused = [f"{s.kind} {s.n}: {s.body[:200]}" for s in sent.refused()]
    statuses = Counter(str(s.status) for s in sent.sent)
    return {
        "requests": len(sent.sent),
        "statuses": dict(statuses),
        "acked": {k: len(sent.acked(k)) for k in ("visitor", "form", "message", "press")},
        "kills": sent.kills,
        "kills_of_a_poster": len(poster_kills),
        "repeats_per_poster_kill": [per_kill[i] for i in range(len(poster_kills))],
        "most_repeats_by_one_kill": max(per_kill.values(), default=0),
        "most_repeats_to_one_target_by_one_kill": max(per_kill_and_target.values(), default=0),
        "repeats_before_no_kill": unexplained,
        "refused": len(refused),
        "refused_examples": refused[:10],
        "acked_lost_on_kill": len(lost),
        "lost": lost[:20],
        "half_done": len(half_done),
        "half_done_examples": half_done[:20],
        "posts_repeated": len(posts.repeats),
        "repeated": posts.repeats[:20],
        "visits": len(visits),
        "phone_messages": len(messages),
        "outbox_rows": len(rows),
        "tasks": tasks,
        "tasks_not_done": stuck[:10],
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# ---- the whole run --------------------------------------------------------------------------


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A new, migrated database: a SQLite file, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        url = f"sqlite:///{work / 'frontdesk.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    from bench.faults import make_database

    base = os.environ.get("FRONTDESK_TEST_POSTGRES_URL") or PG_DEFAULT
    url, drop = make_database(base)
    engine = make_engine(url)
    try:
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        drop()


def run(
    database_kind: str,
    *,
    seconds: float,
    rate: float,
    kills: int,
    seed: int | None = None,
    latency: float = 0.0,
    drain_limit: float = 90.0,
    tasks_limit: float = 0.0,
    logs: Path | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    seed = random.randrange(10**6) if seed is None else seed
    rng = random.Random(seed)
    double = start_double()
    double.set_latency(latency)
    with (
        tempfile.TemporaryDirectory(prefix="bench-crash-") as tmp,
        database(database_kind, Path(tmp)) as url,
    ):
        work = Path(tmp)
        replica = Replica(double, work, database_url=url, workers=None)
        engine = make_engine(url)
        began = time.monotonic()
        try:
            replica.start()
            web = len(replica.processes()["web"])
            sent = burst(replica, double, seconds=seconds, rate=rate, kills=kills, rng=rng)
            drained_s = drain(engine, Outbox, limit=drain_limit)
            tasks_s = drain(engine, Task, limit=tasks_limit) if tasks_limit else None
            time.sleep(0.5)  # a post in flight when the last row was marked lands
            figures = {
                "database": database_kind,
                "web_processes": web,
                "seed": seed,
                "seconds": seconds,
                "offered_rate": rate,
                "slack_latency_s": latency,
                "outbox_drained_after_s": drained_s,
                "tasks_done_after_s": tasks_s,
                **check(engine, double, sent, tasks_must_be_done=bool(tasks_limit)),
                "orphaned_processes": replica.orphans(),
                "wall_s": round(time.monotonic() - began, 1),
            }
            if on_result is not None:
                on_result(figures)
            return figures
        finally:
            replica.stop()
            engine.dispose()
            double.stop()
            if logs is not None:
                logs.write_text("\n".join(replica.outputs))


def in_flight_kill(*, latency: float = 1.0, arrivals: int = 24) -> dict[str, Any]:
    """One SIGKILL of the worker while it has posts in flight to several targets at once.

    SQLite, one web process; the demo hosts take arrivals in turn, so the worker posts to three
    DMs and the desk channel side by side. With Slack `latency` away, the worker is killed while
    each of those posts is in flight (the double accepts them all), and the outbox is left to
    drain: how many posts the double accepted twice.
    """
    double = start_double()
    with (
        tempfile.TemporaryDirectory(prefix="bench-crash-") as tmp,
        database("sqlite", Path(tmp)) as url,
    ):
        replica = Replica(double, Path(tmp), database_url=url, workers=None)
        engine = make_engine(url)
        try:
            replica.start()
            requests = requests_for(double)
            port = replica.port
            assert port is not None
            for n in range(len(HOSTS)):  # each host into the directory, at Slack's full speed
                post(port, visitor_command(requests, 10_000 + n))
            drain(engine, Outbox, limit=30)
            double.set_latency(latency)
            acked = sum(
                post(port, visitor_command(requests, n)).status == 200 for n in range(arrivals)
            )
            time.sleep(2.5 * latency)  # the first posts landed; the next ones are in flight
            in_flight = len({c.args.get("channel") for c in double.calls_to("chat.postMessage")})
            kill = replica.kill("worker", random.Random(0))
            drained_s = drain(engine, Outbox, limit=120)
            time.sleep(latency + 0.5)
            posts = read_posts(double)
            return {
                "slack_latency_s": latency,
                "arrivals_acked": acked,
                "targets_posted_to": in_flight,
                "outbox_drained_after_kill_s": drained_s,
                "posts_repeated": len(posts.repeats),
                "repeated": posts.repeats,
                "kill": {k: v for k, v in kill.items() if k != "monotonic"},
            }
        finally:
            replica.stop()
            engine.dispose()
            double.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.2, help="the double's, in seconds")
    parser.add_argument(
        "--drain-limit",
        type=float,
        default=300.0,
        help="seconds to wait for the outbox to drain (the desk channel takes a post at a time)",
    )
    parser.add_argument(
        "--tasks-limit", type=float, default=180.0, help="seconds to wait for every task to run"
    )
    parser.add_argument("--quick", action="store_true", help="SQLite, 15 s, 4 kills")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if args.quick:
        kinds, args.seconds, args.kills = ["sqlite"], 15.0, 4
    flight = in_flight_kill()
    runs = {
        kind: run(
            kind,
            seconds=args.seconds,
            rate=args.rate,
            kills=args.kills,
            seed=args.seed,
            latency=args.latency,
            drain_limit=args.drain_limit,
            tasks_limit=args.tasks_limit,
        )
        for kind in kinds
    }
    emit(
        {
            "acked_lost_on_kill": sum(r["acked_lost_on_kill"] for r in runs.values()),
            "crash_half_done": sum(r["half_done"] for r in runs.values()),
            "crash_posts_repeated": sum(r["posts_repeated"] for r in runs.values()),
            "crash_kills": sum(len(r["kills"]) for r in runs.values()),
            "crash_kills_of_a_poster": sum(r["kills_of_a_poster"] for r in runs.values()),
            "crash_most_repeats_by_one_kill": max(
                r["most_repeats_by_one_kill"] for r in runs.values()
            ),
            "crash_refused": sum(r["refused"] for r in runs.values()),
            "crash_acked": sum(sum(r["acked"].values()) for r in runs.values()),
            "crash_repeats_after_one_worker_kill_in_flight": flight["posts_repeated"],
            "runs": runs,
            "one_worker_kill_in_flight": flight,
        }
    )


if __name__ == "__main__":
    main()
