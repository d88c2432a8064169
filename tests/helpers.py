"""Small helpers for reading what Front Desk did."""

from __future__ import annotations

from typing import Any

from bot.console.double import Call
from bot.console.embedded import Embedded


def replies_to(fd: Embedded, user_id: str) -> list[str]:
    """Ephemeral texts a user got, from acks and response_url posts, oldest first."""
    texts: list[str] = []
    for response in fd.responses:
        if response.status == 200 and response.body and response.body.startswith("{"):
            import json

            body = json.loads(response.body)
            if body.get("response_action") == "update":  # a form answered in its own modal
                texts.append(block_text(body["view"]))
            elif body.get("response_action") == "errors":
                texts.append("\n".join(body.get("errors", {}).values()))
            elif body.get("text") or body.get("blocks"):
                texts.append(block_text(body))
    for call in fd.double.calls_to("response_url"):
        if call.args.get("user") == user_id:
            texts.append(block_text(call))
    for call in fd.double.calls_to("chat.postEphemeral"):
        if call.args.get("user") == user_id:
            texts.append(block_text(call))
    return texts


def last_ack(fd: Embedded) -> dict[str, Any]:
    """The body of the last ack that carried a message (a command's reply rides in its ack)."""
    import json

    for response in reversed(fd.responses):
        if response.status == 200 and (response.body or "").startswith("{"):
            body: dict[str, Any] = json.loads(response.body)
            if body.get("text") or body.get("blocks"):
                return body
    raise AssertionError("no ack carried a message")


def last_reply(fd: Embedded, user_id: str) -> str:
    replies = replies_to(fd, user_id)
    assert replies, f"no reply to {user_id}"
    return replies[-1]


def posts_to(fd: Embedded, channel: str) -> list[Call]:
    """chat.postMessage calls to a channel."""
    return [c for c in fd.double.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def dms_to(fd: Embedded, user_id: str) -> list[Call]:
    """DMs the bot sent to a user."""
    dm = fd.double.dm_channel(user_id)
    return posts_to(fd, dm)


def block_text(call: Call | dict[str, Any]) -> str:
    """All the text of a message's blocks, joined."""
    args = call.args if isinstance(call, Call) else call
    parts: list[str] = [args.get("text") or ""]
    for block in args.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []) or []:
            if isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def buttons(call: Call | dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message, in order."""
    args = call.args if isinstance(call, Call) else call
    found = []
    for block in args.get("blocks") or []:
        if block.get("type") == "actions":
            found.extend(e for e in block["elements"] if e.get("type") == "button")
    return found


def roll_call_posts(
    board: Any, names: dict[str, str], visitors: list[Any], at: Any, tz: Any
) -> Any:
    """A roll call's posts as first posted, nobody accounted for yet (no database needed)."""
    from bot.domain.services.roll_call import Shown
    from handlers.blocks import roll_call
    from storage.models import RollCall, RollCallEntry

    head = roll_call.head(board, names, visitors, run_by="U0ALICE", at=at, tz=tz)
    rows = roll_call.labels(board, names, visitors, tz)
    entries = tuple(
        RollCallEntry(id=n + 1, roll_call_id=1, position=n, label=label)
        for n, label in enumerate(rows)
    )
    called = RollCall(id=1, channel="C0DESK", called_by="U0ALICE", called_at=at, head=head)
    return roll_call.posts(Shown(called, entries), tz)


def press(fd: Embedded, user_id: str, call: Call, label: str) -> None:
    """Press the button labelled `label` on a message the bot posted, and wait for its work."""
    (button,) = [b for b in buttons(call) if b["text"]["text"] == label]
    fd.dispatch(
        fd.requests.block_action(
            user_id=user_id,
            action=button,
            channel_id=call.response["channel"],
            message={"ts": call.response["ts"], "blocks": call.args["blocks"]},
            message_ts=call.response["ts"],
        )
    )
    fd.settle()


def submit_told(
    fd: Embedded,
    user_id: str,
    *,
    medium: str = "email",
    said: str | None = None,
    outcome: str | None = "Answered",
    expect_by: str | None = None,
) -> Any:
    """Submit the "Acknowledged" or "Resolved" form last opened (how the customer was told);
    `said` None keeps the pre-filled text. Returns the form's response."""
    view = fd.double.calls_to("views.open")[-1].response["view"]
    blocks = {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}
    if said is None:
        said = blocks["said"]["element"].get("initial_value")
    values: dict[str, Any] = {
        "medium": {"medium": {"type": "static_select", "selected_option": {"value": medium}}},
        "said": {"said": {"type": "plain_text_input", "value": said}},
    }
    if "outcome" in blocks:
        values["outcome"] = {"outcome": {"type": "plain_text_input", "value": outcome}}
    if "expect_by" in blocks:
        values["expect_by"] = {"expect_by": {"type": "datepicker", "selected_date": expect_by}}
    response = fd.dispatch(fd.requests.view_submission(user_id=user_id, view=view, values=values))
    fd.settle()
    return response
