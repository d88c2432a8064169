"""What one command costs the web process: database round trips and CPU, deterministic enough to
compare on a shared machine where wall-clock p99 is not.

Front Desk is wired in this process as a web process runs it (`ctx.deliver` does nothing: the
worker sends), against a Slack double answering at once with the demo people and `HOSTS` hosts,
on a SQLite file or a new PostgreSQL schema. After a warm-up (every host once into the directory,
lazy imports, pools), `N` commands are dispatched one after another through the Bolt app, as its
HTTP adapter would, each waiting for its listener to finish:

- `round_trips_per_request`: every query psycopg sends and waits for (`BEGIN`, each statement,
  `COMMIT`, pings), counted where psycopg waits on the server (PostgreSQL only); and the
  statements SQLAlchemy executed per request (both databases), by kind;
- `cpu_ms_per_request`: this process's CPU (`time.process_time`) over the N requests, divided.
  The double's threads are idle (no Slack call is made on a warmed-up path); the signing of the
  requests is done before the clock starts.

    .venv/bin/python -m bench.ack_cost [--quick] [--db sqlite|postgresql] [--command visitor|message]
                                       [--n 500] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from bench.ack import COMMANDS, HOSTS, PG_DEFAULT
from bot.console.double.requests import SignedRequest
from bot.console.embedded import start_embedded
from bot.domain.clock import ManualClock
from bot.domain.config import parse_policy
from storage.db import make_engine
from storage.models import SQLModel
from tests.conftest import TUESDAY_3PM, example_policy_text

# What every measured request's reply says when it did what it was asked.
EXPECTED = {"visitor": "signed in for", "message": "Message"}


class RoundTrips:
    """Counts the queries psycopg sends and waits for while `on`: each wait that waits to read
    the server's answer, plus the `BEGIN` psycopg sends ahead of a transaction's first
    statement (within that statement's wait). A wait that needs no I/O (a rollback with no
    transaction open, an autocommit switch) is not one, nor is one that only sends (a statement
    queued in pipeline mode, whose answer comes with the pipeline's sync)."""

    def __init__(self) -> None:
        self.count = 0
        self.on = False

    def _counted(self, gen: Any) -> Any:
        from psycopg.waiting import Wait

        answered = False
        try:
            waiting = next(gen)
        except StopIteration as done:
            return done.value  # answered without a word to the server
        while True:
            if waiting == Wait.R and not answered:
                answered = True
                if self.on:
                    self.count += 1
            sent = yield waiting
            try:
                waiting = gen.send(sent)
            except StopIteration as done:
                return done.value

    @contextmanager
    def installed(self, engine: Engine) -> Iterator[RoundTrips]:
        import psycopg

        original = psycopg.Connection.wait

        def wait(conn: Any, gen: Any, *args: Any, **kwargs: Any) -> Any:
            return original(conn, self._counted(gen), *args, **kwargs)

        def begun(_conn: Any) -> None:
            if self.on:
                self.count += 1

        psycopg.Connection.wait = wait  # type: ignore[method-assign, assignment]
        event.listen(engine, "begin", begun)
        try:
            yield self
        finally:
            psycopg.Connection.wait = original  # type: ignore[method-assign]
            event.remove(engine, "begin", begun)


class Statements:
    """The statements SQLAlchemy executes on `engine` while `on`, by their first words."""

    def __init__(self, engine: Engine) -> None:
        self.kinds: Counter[str] = Counter()
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)
        event.listen(engine, "commit", self._commit)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.on:
            words = statement.split()
            kind = " ".join(words[:3]) if words else "?"
            self.kinds[kind] += 1

    def _commit(self, _conn: Any) -> None:
        if self.on:
            self.kinds["COMMIT"] += 1


@contextmanager
def database(db: str, tmp: Path) -> Iterator[Engine]:
    if db == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'frontdesk.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL", PG_DEFAULT)
    schema = f"cost_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(
    db: str, command: str, n: int, *, profile: str | None = None, show: bool = False
) -> dict[str, Any]:
    make = COMMANDS[command]
    with tempfile.TemporaryDirectory() as tmp, database(db, Path(tmp)) as engine:
        SQLModel.metadata.create_all(engine)
        policy = parse_policy(example_policy_text(), "frontdesk.example.toml")
        fd = start_embedded(engine=engine, policy=policy, clock=ManualClock(TUESDAY_3PM))
        try:
            for i in range(HOSTS):
                user_id = f"U0H{i + 1:03d}"
                fd.double.add_user(
                    user_id, user_id.lower(), real_name=f"Host {i + 1}", tz="America/Toronto"
                )
            fd.runtime.ctx.deliver = lambda: None  # a web process: the worker sends
            statements = Statements(engine)
            with RoundTrips().installed(engine) as trips:
                for i in range(2 * HOSTS):  # warm-up: every host into the directory
                    fd.dispatch(make(fd.requests, i))
                    fd.settle()
                requests: list[SignedRequest] = [make(fd.requests, 1000 + i) for i in range(n)]
                calls_before = len(fd.double.calls)
                statements.on = trips.on = True
                profiler = cProfile.Profile(time.thread_time) if profile else None  # CPU, not waits
                if profiler:  # the listeners run on the executor's threads, one at a time here
                    submit = fd.executor.submit

                    def profiled(fn: Callable[..., Any], /, *a: Any, **k: Any) -> Any:
                        return submit(profiler.runcall, fn, *a, **k)

                    fd.executor.submit = profiled  # type: ignore[method-assign]
                cpu = time.process_time()
                statuses: Counter[int] = Counter()
                for request in requests:
                    statuses[fd.dispatch(request).status] += 1
                    fd.settle()
                if profiler:
                    profiler.dump_stats(profile)  # type: ignore[arg-type]
                cpu = time.process_time() - cpu
                statements.on = trips.on = False
            errors = [repr(e) for e in fd.executor.errors]
            measured = fd.responses[-n:]
            replies = [r.body for r in measured[-3:]]
            unexpected = sum(1 for r in measured if EXPECTED[command] not in r.body)
        finally:
            fd.close()
    result: dict[str, Any] = {
        "db": db,
        "command": command,
        "requests": n,
        "statuses": dict(statuses),
        "cpu_ms_per_request": round(cpu * 1000 / n, 2),
        "statements_per_request": round(sum(statements.kinds.values()) / n, 2),
        "statements_by_kind": {k: round(v / n, 2) for k, v in statements.kinds.most_common()},
        "listener_errors": errors,
        "replies_not_a_success": unexpected,
    }
    if db == "postgresql":
        result["round_trips_per_request"] = round(trips.count / n, 2)
    result["slack_calls"] = len(fd.double.calls) - calls_before
    if show:
        result["last_replies"] = replies
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), help="one database (both)")
    parser.add_argument("--command", choices=tuple(COMMANDS), help="one command (both)")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="200 requests, PostgreSQL only")
    parser.add_argument("--profile", help="write a cProfile (CPU time) of the requests here")
    parser.add_argument("--show", action="store_true", help="the last replies too")
    args = parser.parse_args(argv)
    if args.db and args.command:
        figures = measure(args.db, args.command, args.n, profile=args.profile, show=args.show)
        print(json.dumps(figures, indent=2))
        return
    n = 200 if args.quick else args.n
    dbs = [args.db] if args.db else ["postgresql"] if args.quick else ["postgresql", "sqlite"]
    commands = [args.command] if args.command else list(COMMANDS)
    headline: dict[str, Any] = {"loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    runs = {f"{c}_{db}": measure(db, c, n) for db in dbs for c in commands}
    for name, figures in runs.items():
        command, db = name.split("_", 1)
        if db == "postgresql":
            headline[f"{command}_round_trips_pg"] = figures["round_trips_per_request"]
        headline[f"{command}_cpu_ms_in_process_{db}"] = figures["cpu_ms_per_request"]
    print(json.dumps(headline | {"runs": runs}, indent=2))


if __name__ == "__main__":
    main()
