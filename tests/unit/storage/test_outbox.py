"""The outbox writes a key once and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage import outbox


def test_enqueue_writes_a_key_once_and_says_whether_it_wrote(engine: Engine) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with Session(engine) as session:
        assert outbox.enqueue(session, key="k", template="t", target="C1", params={}, now=now)
        assert not outbox.enqueue(session, key="k", template="t", target="C1", params={}, now=now)
        session.commit()
        assert outbox.counts(session) == {"pending": 1}


def test_a_target_is_leased_whole_in_order_and_a_lapsed_claim_holds_it_no_more(
    engine: Engine,
) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    lease = timedelta(seconds=60)
    with Session(engine) as session:
        for n, target in enumerate(["C1", "C2", "C1", "U1", "C1"]):
            outbox.enqueue(session, key=f"k{n}", template="t", target=target, params={}, now=now)
        session.commit()
    first = outbox.claim(engine, now=now, owner="s/1", lease=lease, limit=3)
    assert [(r.key, r.target) for r in first] == [("k0", "C1"), ("k1", "C2"), ("k2", "C1")]
    # C1 is held: another claim takes only what is left of the other targets, not k4.
    second = outbox.claim(engine, now=now, owner="s/2", lease=2 * lease)
    assert [r.key for r in second] == ["k3"]
    # The first claim's lease lapses; whoever claims C1 next takes its rows from the oldest.
    later = now + lease + timedelta(seconds=1)
    third = outbox.claim(engine, now=later, owner="s/3", lease=lease)
    assert [r.key for r in third] == ["k0", "k1", "k2", "k4"]
    ids = [r.id for r in first]
    assert outbox.extend(engine, ids, owner="s/1", until=later + lease) == set()
    assert outbox.extend(engine, ids, owner="s/3", until=later + lease) == set(ids)


def test_a_row_in_backoff_holds_back_its_target_only(engine: Engine) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with Session(engine) as session:
        for n, target in enumerate(["C1", "C1", "C2"]):
            outbox.enqueue(session, key=f"k{n}", template="t", target=target, params={}, now=now)
        session.commit()
    (k0, k1, k2) = outbox.claim(engine, now=now, owner="s/1", lease=timedelta(seconds=60))
    outbox.mark_retry(
        engine, k0.id, owner="s/1", at=now + timedelta(seconds=30), attempts=1, error="429"
    )
    outbox.release(engine, [k1.id, k2.id], owner="s/1")
    soon = now + timedelta(seconds=5)
    assert [
        r.key for r in outbox.claim(engine, now=soon, owner="s/2", lease=timedelta(seconds=60))
    ] == ["k2"]
    after = now + timedelta(seconds=30)
    assert [
        r.key for r in outbox.claim(engine, now=after, owner="s/3", lease=timedelta(seconds=60))
    ] == ["k0", "k1"]


def test_a_row_about_to_be_posted_keeps_its_first_attempt_until_slack_refuses_it(
    engine: Engine,
) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    lease = timedelta(seconds=60)
    with Session(engine) as session:
        for n in range(2):
            outbox.enqueue(session, key=f"k{n}", template="t", target="C1", params={}, now=now)
        session.commit()
    k0, k1 = outbox.claim(engine, now=now, owner="s/1", lease=lease)
    assert (k0.posting_at, k1.posting_at) == (None, None)
    # Marked with the lease, only the row about to be posted; a second attempt keeps the first's.
    for at in (now, now + timedelta(seconds=5)):
        outbox.extend(engine, [k0.id, k1.id], owner="s/1", until=at + lease, posting=k0.id, now=at)
    outbox.mark_retry(engine, k0.id, owner="s/1", at=now, attempts=1, error="connection: reset")
    outbox.release(engine, [k1.id], owner="s/1")
    later = now + timedelta(seconds=10)
    again = outbox.claim(engine, now=later, owner="s/2", lease=lease)
    assert [(r.key, r.posting_at) for r in again] == [("k0", now), ("k1", None)]
    # Slack refused the post whole (a 429): nothing to look for next time.
    outbox.mark_retry(
        engine, k0.id, owner="s/2", at=later, attempts=2, error="429 ratelimited", unposted=True
    )
    outbox.release(engine, [k1.id], owner="s/2")
    third = outbox.claim(engine, now=later, owner="s/3", lease=lease)
    assert [(r.key, r.posting_at) for r in third] == [("k0", None), ("k1", None)]


def test_rows_queued_for_the_commit_are_seen_by_the_transaction_and_keep_an_existing_key(
    engine: Engine,
) -> None:
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    with Session(engine) as session:
        outbox.enqueue(session, key="k1", template="t", target="C1", params={"n": 0}, now=now)
        session.commit()
    with Session(engine) as session:
        rows = [
            {"key": "k1", "template": "t", "target": "C9", "params": {"n": 1}},
            {"key": "k2", "template": "t", "target": "U2", "params": {"n": 2}, "thread_key": "k1"},
        ]
        outbox.enqueue_at_commit(session, rows, now=now)
        assert outbox.row_target(session, "k2") == "U2"  # read back before the commit
        # the key written before keeps its row; the same key again writes nothing
        assert not outbox.enqueue(session, key="k2", template="t", target="U3", params={}, now=now)
        session.commit()
    with Session(engine) as session:
        assert outbox.row_target(session, "k1") == "C1"
        assert outbox.counts(session) == {"pending": 2}
    with Session(engine) as session:  # rolled back: nothing queued is written
        outbox.enqueue_at_commit(
            session, [{"key": "k3", "template": "t", "target": "C1", "params": {}}], now=now
        )
        session.rollback()
    with Session(engine) as session:
        assert outbox.row_state(session, "k3") is None
