"""The in/out board (policy 000): `/desk in`, `/desk out …`, `/desk board`, `/desk roll-call`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.console.embedded import Embedded
from storage.models import Presence, Staff
from tests.helpers import block_text, last_reply, posts_to

RECEPTION, ALICE, BOB, CAROL, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0CAROL", "U0MANAGER"
ALICE_M = "<@U0ALICE|alice>"
# Tomorrow (Wed 25 Nov 2026) at 15:00 Toronto, and today at 16:00
WEDNESDAY_3PM = 1795636800
TUESDAY_4PM = 1795554000
WEDNESDAY_9AM = 1795615200


def board(fd: Embedded, who: str = RECEPTION) -> str:
    fd.command(who, "/desk", "board")
    return last_reply(fd, who)


def test_everyone_in_the_directory_is_listed_and_remembered(fd: Embedded) -> None:
    text = board(fd)
    assert "In the office (5)" in text
    for name in ("Rita Reyes", "Alice Adams", "Bob Brown", "Carol Chen", "Maya Manager"):
        assert name in text
    with Session(fd.engine) as session:
        assert len(list(session.exec(select(Staff)))) == 5


def test_out_back_later_today(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out back 4pm")
    reply = last_reply(fd, ALICE)
    assert f"<!date^{TUESDAY_4PM}^" in reply and "tomorrow" not in reply
    text = board(fd)
    assert "Off-site, returning (1)" in text and f"<!date^{TUESDAY_4PM}^" in text


def test_out_back_at_a_time_already_past_means_tomorrow_and_says_so(fd: Embedded) -> None:
    fd.clock.advance(timedelta(minutes=30))  # 15:30
    fd.command(ALICE, "/desk", "out back 3pm")
    reply = last_reply(fd, ALICE)
    assert f"<!date^{WEDNESDAY_3PM}^" in reply and "*tomorrow*" in reply


def test_a_vancouver_time_is_read_in_vancouver(fd: Embedded) -> None:
    fd.command(BOB, "/desk", "out back 1pm")  # noon in Vancouver now: 1 pm there is 4 pm here
    assert f"<!date^{TUESDAY_4PM}^" in last_reply(fd, BOB)


def test_out_for_the_day_clears_at_the_next_opening(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out for the day")
    assert "out for the day" in last_reply(fd, ALICE)
    assert "Off-site for the day (1)" in board(fd)
    with Session(fd.engine) as session:
        row = session.get(Presence, ALICE)
        assert row is not None and row.back_at is not None
        assert int(row.back_at.timestamp()) == WEDNESDAY_9AM
    fd.clock.advance(timedelta(hours=18))  # Wednesday 09:00
    text = board(fd)
    assert "Off-site for the day (0)" in text and "In the office (5)" in text


def test_desk_in_puts_you_back_on_the_board(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out back 4pm")
    fd.command(ALICE, "/desk", "in")
    assert "in the office" in last_reply(fd, ALICE)
    assert "Off-site, returning (0)" in board(fd)


def test_out_of_office_outranks_the_board_and_shows_the_backup(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "in")
    fd.command(ALICE, "/ooo", "until next Friday backup <@U0BOB|bob>")
    text = board(fd)
    assert "Out of office (1)" in text and "backup: *Bob Brown*" in text
    assert "In the office (4)" in text


BAD_OUT = [
    ("out", "Say when you will be back"),
    ("out somewhere", "Say when you will be back"),
    ("out back flibbertigibbet", "could not read"),
    ("out back yesterday", "in the past"),
    ("out back in three weeks", "more than a week away"),
]


@pytest.mark.parametrize(("text", "error"), BAD_OUT)
def test_bad_out_gets_the_right_form_and_changes_nothing(
    fd: Embedded, text: str, error: str
) -> None:
    fd.command(ALICE, "/desk", text)
    reply = last_reply(fd, ALICE)
    assert error.lower() in reply.lower() and "/desk out back" in reply
    with Session(fd.engine) as session:
        assert list(session.exec(select(Presence))) == []


def test_roll_call_posts_everyone_on_site_with_a_button_each(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(BOB, "/desk", "out for the day")
    fd.command(CAROL, "/desk", "roll-call", channel_id="C0MGRS")
    (post,) = posts_to(fd, "C0MGRS")
    text = block_text(post)
    assert "5 on site" in text and "Jane Doe" in text and "Bob Brown" not in text
    rows = [b for b in post.args["blocks"] if b.get("accessory")]
    assert len(rows) == 5
    jane = next(b for b in rows if "Jane Doe" in b["text"]["text"])
    fd.dispatch(
        fd.requests.block_action(
            user_id=CAROL,
            action=jane["accessory"],
            channel_id="C0MGRS",
            message={"ts": post.response["ts"], "blocks": post.args["blocks"]},
            message_ts=post.response["ts"],
        )
    )
    fd.settle()
    now = fd.double.message("C0MGRS", post.response["ts"])
    assert now is not None
    marked = next(b for b in now["blocks"] if "Jane Doe" in b.get("text", {}).get("text", ""))
    assert "accounted for by <@U0CAROL>" in marked["text"]["text"]
    assert "accessory" not in marked
    assert sum(1 for b in now["blocks"] if b.get("accessory")) == 4


def test_roll_call_in_a_channel_the_bot_is_not_in_says_how_to_fix_it(fd: Embedded) -> None:
    fd.double.add_channel("C0ELSEWHERE", "elsewhere", is_member=False)
    fd.command(CAROL, "/desk", "roll-call", channel_id="C0ELSEWHERE")
    assert "invite me" in last_reply(fd, CAROL)


def test_help_lists_the_board_verbs(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "help")
    reply = last_reply(fd, ALICE)
    for form in ("/desk in", "/desk out back", "/desk board", "/desk roll-call"):
        assert form in reply


def test_two_marshals_pressing_on_the_same_roll_call_both_count(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    fd.command(CAROL, "/desk", "roll-call", channel_id="C0MGRS")
    (post,) = posts_to(fd, "C0MGRS")
    rows = [b for b in post.args["blocks"] if b.get("accessory")]
    for marshal, row in ((CAROL, rows[0]), (BOB, rows[1])):  # both from the message as posted
        fd.dispatch(
            fd.requests.block_action(
                user_id=marshal,
                action=row["accessory"],
                channel_id="C0MGRS",
                message={"ts": post.response["ts"], "blocks": post.args["blocks"]},
                message_ts=post.response["ts"],
            )
        )
    fd.settle()
    now = fd.double.message("C0MGRS", post.response["ts"]) or {}
    text = block_text(now)
    assert "accounted for by <@U0CAROL>" in text and "accounted for by <@U0BOB>" in text
    assert "2 of 6 accounted for" in text
    assert sum(1 for b in now["blocks"] if b.get("accessory")) == 4


def test_a_forged_press_cannot_rewrite_a_post_that_is_not_a_roll_call(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    (signin,) = posts_to(fd, "C0DESK")
    before = fd.double.message("C0DESK", signin.response["ts"])
    for value in ("999999", "staff:U0CAROL"):  # no such entry; a roll call from before
        fd.dispatch(
            fd.requests.block_action(
                user_id=CAROL,
                action={"action_id": "rollcall_accounted_0", "value": value, "type": "button"},
                channel_id="C0DESK",
                message={"ts": signin.response["ts"], "blocks": signin.args["blocks"]},
                message_ts=signin.response["ts"],
            )
        )
        fd.settle()
    assert fd.double.message("C0DESK", signin.response["ts"]) == before
    assert fd.double.calls_to("chat.update") == []
    assert "run `/desk roll-call` again" in block_text(fd.double.calls_to("response_url")[-1])
