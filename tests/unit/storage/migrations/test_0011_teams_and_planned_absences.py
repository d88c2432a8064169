"""Migration 0011 on a database with data: absences already set have begun (nothing is handed
over again), messages may have no recipient, and items take a team."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text

from storage.migrate import is_current, upgrade

AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


def test_upgrading_keeps_absences_as_begun_and_lets_messages_have_no_recipient(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO absence (user_id, starts_at, until) VALUES ('U0ALICE', :s, :u)"),
            {"s": AT, "u": datetime(2026, 11, 30, 14, tzinfo=UTC)},
        )
    upgrade(empty_engine)
    assert is_current(empty_engine)
    with empty_engine.begin() as connection:
        row = connection.execute(text("SELECT hand_over, start_pending FROM absence")).one()
        assert (bool(row[0]), bool(row[1])) == (True, False)
        connection.execute(
            text(
                "INSERT INTO phonemessage (recipient_id, caller, phone_valid, urgent, taken_by,"
                " taken_at, anonymised) VALUES (NULL, 'Sam Roe', true, false, 'U0DESK', :t, false)"
            ),
            {"t": AT},
        )
        assert connection.execute(text("SELECT recipient_id FROM phonemessage")).scalar() is None
        connection.execute(
            text(
                'INSERT INTO item (kind, started_at, due_at, state, deadline_version, "window",'
                " attempts, team, created_at) VALUES ('phone_message', :t, :t, 'open', 1, '',"
                " 0, 'front', :t)"
            ),
            {"t": AT},
        )
        assert connection.execute(text("SELECT team FROM item")).scalar() == "front"
