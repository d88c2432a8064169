"""Plain regression tests for what the bad-input properties (tests/test_bad_input.py) found."""

from __future__ import annotations

from bot.console.embedded import Embedded

RECEPTION = "U0RECEPTION"


def test_the_visitor_form_opens(fd: Embedded) -> None:
    """Its inputs each have their own action_id (Slack refuses a view that repeats one)."""
    fd.command(RECEPTION, "/visitor", "")
    opened = fd.double.calls_to("views.open", include_failed=True)
    assert [call.ok for call in opened] == [True], opened[-1].response
    view = opened[0].args["view"]
    action_ids = [block["element"]["action_id"] for block in view["blocks"]]
    assert len(set(action_ids)) == len(action_ids)
