"""The App Home is published again whenever one of your items changes, and its buttons work.

Everything goes through signed requests to the real Bolt app; what Slack would show is read from
the double's `views.publish` calls. The receptionist also sees the board before taking a message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from bot.console.double import Call
from bot.console.embedded import Embedded
from storage.models import Item
from tests.helpers import block_text, buttons, dms_to, last_reply, press, submit_told
from tests.time_helpers import advance

RECEPTION, ALICE, BOB = "U0RECEPTION", "U0ALICE", "U0BOB"
ALICE_M = "<@U0ALICE|alice>"


def publishes(fd: Embedded, user_id: str) -> list[Call]:
    """The views.publish calls for one person's Home, oldest first."""
    return [c for c in fd.double.calls_to("views.publish") if c.args.get("user_id") == user_id]


def shown(call: Call) -> str:
    return block_text({"blocks": call.args["view"]["blocks"]})


def home_buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return buttons({"blocks": view["blocks"]})


def open_home(fd: Embedded, user_id: str) -> dict[str, Any]:
    fd.dispatch(fd.requests.event({"type": "app_home_opened", "user": user_id, "tab": "home"}))
    fd.settle()
    view = fd.double.home_view(user_id)
    assert view is not None
    return view


def press_on_home(fd: Embedded, user_id: str, view: dict[str, Any], button: dict) -> None:
    fd.dispatch(fd.requests.block_action(user_id=user_id, action=button, channel_id="", view=view))
    fd.settle()


def press_in_dm(fd: Embedded, user_id: str, dm: Call, label: str) -> None:
    press(fd, user_id, dm, label)


def items(fd: Embedded) -> list[Item]:
    with Session(fd.engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))  # type: ignore[arg-type]


def test_a_message_taken_puts_it_on_the_owners_home_once(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: about the invoice")
    (published,) = publishes(fd, ALICE)  # one publish for one change
    assert published.ok
    assert "Your open items (1)" in shown(published) and "Jane Doe" in shown(published)
    assert publishes(fd, RECEPTION) == []  # taking a message changes nothing of the receptionist's


def test_called_back_in_the_dm_republishes_the_home(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: hello")
    before = len(publishes(fd, ALICE))
    press_in_dm(fd, ALICE, dms_to(fd, ALICE)[0], "Called back")
    after = publishes(fd, ALICE)
    assert len(after) == before + 1
    assert "Nothing open for you" in shown(after[-1])
    assert "called back" in block_text(fd.double.calls_to("response_url")[-1])


def test_a_sweep_breach_republishes_the_owners_home_showing_it_overdue(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: hello")
    assert "Was due" not in shown(publishes(fd, ALICE)[-1])
    advance(fd, "1 business day")
    advance(fd, timedelta(minutes=1))
    (item,) = items(fd)
    assert item.state == "breached"
    latest = publishes(fd, ALICE)[-1]
    assert latest.ok and ":rotating_light: Was due" in shown(latest)
    assert "Overdue" in block_text(dms_to(fd, ALICE)[-1])


def test_called_back_from_the_home_tab_closes_the_window_and_refreshes_it(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: hello")
    fd.command(RECEPTION, "/message", f"{ALICE_M} John Roe 416-555-0100: later")
    view = open_home(fd, ALICE)
    labels = [b["text"]["text"] for b in home_buttons(view)]
    assert labels.count("Called back") == 2 and labels.count("Tried — no answer") == 2
    ids = [b["action_id"] for b in home_buttons(view)]
    assert len(ids) == len(set(ids))  # and the double, like Slack, accepted the view
    first = next(b for b in home_buttons(view) if b["text"]["text"] == "Called back")
    responses_before = len(fd.double.calls_to("response_url"))
    published_before = len(publishes(fd, ALICE))

    press_on_home(fd, ALICE, view, first)

    done = [i for i in items(fd) if i.state == "done"]
    assert [i.id for i in done] == [int(first["value"])] and done[0].outcome == "called_back"
    after = publishes(fd, ALICE)
    assert len(after) == published_before + 1
    assert "Your open items (1)" in shown(after[-1]) and "John Roe" in shown(after[-1])
    assert len(fd.double.calls_to("response_url")) == responses_before  # a view has none
    assert "called back" in block_text(dms_to(fd, ALICE)[-1])  # told in the app's DM instead
    assert not fd.executor.errors


def test_tried_and_reassign_from_the_home_tab(fd: Embedded) -> None:
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe 416-555-0199: hello")
    view = open_home(fd, ALICE)
    tried = next(b for b in home_buttons(view) if b["text"]["text"] == "Tried — no answer")
    press_on_home(fd, ALICE, view, tried)
    (item,) = items(fd)
    assert item.state == "open" and item.attempts == 1
    assert "no answer from *Jane Doe*" in block_text(dms_to(fd, ALICE)[-1])

    view = fd.double.home_view(ALICE) or {}
    reassign = next(b for b in home_buttons(view) if b["text"]["text"] == "Reassign…")
    press_on_home(fd, ALICE, view, reassign)
    modal = fd.double.calls_to("views.open")[-1].response["view"]
    fd.dispatch(
        fd.requests.view_submission(
            user_id=ALICE,
            view=modal,
            values={"owner": {"owner": {"type": "users_select", "selected_user": BOB}}},
        )
    )
    fd.settle()
    assert items(fd)[0].owner_id == BOB
    assert "Nothing open for you" in shown(publishes(fd, ALICE)[-1])  # the old owner's
    assert "Jane Doe" in shown(publishes(fd, BOB)[-1])  # and the new owner's
    assert "Reassigned" in last_reply(fd, ALICE)  # in the form, where it was submitted


def test_an_enquiry_on_the_home_tab_is_acknowledged_and_resolved_there(fd: Embedded) -> None:
    fd.command(RECEPTION, "/enquiry", f"complaint via letter from Jane Doe for {ALICE_M}: parking")
    view = fd.double.home_view(ALICE)
    assert view is not None and "Enquiry (acknowledge)" in block_text(view)
    assert "Enquiry (resolve)" in block_text(view)
    labels = [b["text"]["text"] for b in home_buttons(view)]
    assert labels == ["Acknowledged", "Resolved", "Reassign…", "Running late…"]

    press_on_home(fd, ALICE, view, home_buttons(view)[0])
    submit_told(fd, ALICE, medium="letter")
    states = {i.kind: i.state for i in items(fd)}
    assert states == {"enquiry_ack": "done", "enquiry_resolve": "open"}
    view = fd.double.home_view(ALICE) or {}
    assert [b["text"]["text"] for b in home_buttons(view)] == [
        "Resolved",
        "Reassign…",
        "Running late…",
    ]
    assert "Acknowledged" in block_text(dms_to(fd, ALICE)[-1])

    press_on_home(fd, ALICE, view, home_buttons(view)[0])
    submit_told(fd, ALICE, medium="letter", outcome="Refund agreed")
    assert {i.state for i in items(fd)} == {"done"}
    assert "Nothing open for you" in block_text(fd.double.home_view(ALICE) or {})
    assert not fd.executor.errors


def test_visitor_arrival_and_the_hosts_answer_refresh_the_hosts_home(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", f"expect Jane Doe from Acme for {ALICE_M} today 4pm")
    assert "Jane Doe" in shown(publishes(fd, ALICE)[-1])  # expected today
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe from Acme for {ALICE_M}")
    assert "Your open items (1)" in shown(publishes(fd, ALICE)[-1])
    press_in_dm(fd, ALICE, dms_to(fd, ALICE)[-1], "On my way")
    assert "Nothing open for you" in shown(publishes(fd, ALICE)[-1])


def test_many_messages_on_the_home_tab_keep_their_action_ids_unique(fd: Embedded) -> None:
    for n in range(25):
        fd.command(RECEPTION, "/message", f"{ALICE_M} Caller {n:02d}: hello")
    view = open_home(fd, ALICE)
    assert all(c.ok for c in fd.double.calls_to("views.publish", include_failed=True))
    assert len(view["blocks"]) <= 100 and "and 5 more" in block_text(view)


def test_the_confirmation_says_when_the_recipient_is_off_site(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out back 4:30pm")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call me")
    reply = last_reply(fd, RECEPTION)
    assert "<@U0ALICE> has it" in reply and "<@U0ALICE> is off-site, back" in reply

    fd.command(BOB, "/desk", "out for the day")
    fd.command(RECEPTION, "/message", "<@U0BOB|bob> John Roe: call me")
    assert "<@U0BOB> is out for the day, back" in last_reply(fd, RECEPTION)

    fd.command(ALICE, "/desk", "in")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: again")
    assert "off-site" not in last_reply(fd, RECEPTION)


def test_an_arrival_for_someone_off_site_says_so(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out back 4:30pm")
    fd.command(RECEPTION, "/visitor", f"arrived Jane Doe for {ALICE_M}")
    reply = last_reply(fd, RECEPTION)
    assert "signed in for <@U0ALICE>" in reply and "<@U0ALICE> is off-site, back" in reply


def test_someone_out_of_office_gets_the_cover_note_not_the_board_note(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until next Friday backup <@U0BOB|bob>")
    fd.command(RECEPTION, "/message", f"{ALICE_M} Jane Doe: call me")
    reply = last_reply(fd, RECEPTION)
    assert "out of office" in reply and "off-site" not in reply


def test_the_message_form_shows_where_the_chosen_recipient_is(fd: Embedded) -> None:
    fd.command(ALICE, "/desk", "out back 4:30pm")
    fd.command(RECEPTION, "/message", "")
    form = fd.double.calls_to("views.open")[-1].response["view"]
    picker = form["blocks"][0]["element"]
    fd.dispatch(
        fd.requests.block_action(
            user_id=RECEPTION,
            action={**picker, "block_id": "recipient", "selected_user": ALICE},
            channel_id="",
            view=form,
        )
    )
    fd.settle()
    (updated,) = fd.double.calls_to("views.update")
    assert updated.ok and "<@U0ALICE> is off-site, back" in block_text(updated.args["view"])
