"""The App Home "My desk": accepted by the Slack double with many items and with none."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.console.embedded import Embedded
from bot.domain.services import windows
from bot.domain.services.windows import Owner
from storage.models import Visit
from tests.helpers import block_text

RECEPTION, ALICE, BOB, MANAGER = "U0RECEPTION", "U0ALICE", "U0BOB", "U0MANAGER"


def open_home(fd: Embedded, user_id: str) -> dict:
    fd.dispatch(
        fd.requests.event(
            {"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D0HOME"}
        )
    )
    fd.settle()
    assert fd.double.calls_to("views.publish", include_failed=True)[-1].ok
    view = fd.double.home_view(user_id)
    assert view is not None
    return view


def view_text(view: dict) -> str:
    return block_text({"blocks": view["blocks"]})


def give_alice_visitors(fd: Embedded, count: int) -> None:
    now = fd.clock.now()
    policy = fd.runtime.ctx.policy
    with Session(fd.engine) as session:
        for n in range(count):
            visit = Visit(
                name=f"Visitor {n:03d}",
                host_id=ALICE,
                state="on_site",
                logged_by=RECEPTION,
                created_at=now,
                arrived_at=now,
            )
            session.add(visit)
            session.flush()
            windows.open_window(
                session,
                kind="visitor_arrival",
                now=now + timedelta(seconds=n),
                calendar=policy.calendar(),
                spec=policy.sla.visitor_window(),
                owner=Owner(user_id=ALICE),
                actor_id=RECEPTION,
                intended_id=ALICE,
                visit_id=visit.id,
                warn=False,
            )
        session.commit()


def test_an_empty_desk(fd: Embedded) -> None:
    text = view_text(open_home(fd, ALICE))
    assert "My desk" in text and "In the office" in text
    assert "Nothing open for you" in text and "No visitors expected" in text
    assert "/ooo until" in text  # how to change your status
    assert "open and breached by owner" not in text  # not a manager


def test_many_items_stay_within_slacks_limits(fd: Embedded) -> None:
    give_alice_visitors(fd, 120)
    view = open_home(fd, ALICE)
    assert len(view["blocks"]) <= 100
    text = view_text(view)
    assert "Your open items (120)" in text
    assert "Visitor 000" in text and "Visitor 019" in text and "Visitor 020" not in text
    assert "and 100 more" in text and "/desk mine" in text


def test_the_home_buttons_answer_for_the_item_and_the_view_is_refreshed(fd: Embedded) -> None:
    give_alice_visitors(fd, 2)
    view = open_home(fd, ALICE)
    first = next(b for b in view["blocks"] if b["type"] == "actions")["elements"][0]
    assert first["text"]["text"] == "On my way"
    fd.dispatch(fd.requests.block_action(user_id=ALICE, action=first, channel_id="", view=view))
    fd.settle()
    with Session(fd.engine) as session:
        visit = session.get(Visit, int(first["value"]))
        assert visit is not None and visit.host_response == "on_my_way"
    assert "Your open items (1)" in view_text(fd.double.home_view(ALICE) or {})


def test_status_and_expected_visitors_show(fd: Embedded) -> None:
    fd.command(RECEPTION, "/visitor", "expect Jane Doe from Acme for <@U0ALICE|alice> today 4pm")
    fd.command(ALICE, "/ooo", "until next Friday backup <@U0BOB|bob>")
    text = view_text(open_home(fd, ALICE))
    assert "Out of office until" in text and "<@U0BOB> covering" in text
    assert "Jane Doe" in text and "Acme" in text


def test_ooo_republishes_the_home_tab(fd: Embedded) -> None:
    fd.command(ALICE, "/ooo", "until Friday")
    view = fd.double.home_view(ALICE)
    assert view is not None and "Out of office until" in view_text(view)


def test_managers_see_open_and_breached_counts_by_owner(fd: Embedded) -> None:
    give_alice_visitors(fd, 3)
    fd.clock.advance(timedelta(hours=1))
    text = view_text(open_home(fd, MANAGER))
    assert "open and breached by owner" in text and "<@U0ALICE>: 3 open" in text
