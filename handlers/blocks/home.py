"""Block Kit for the App Home "My desk" (a pure builder; Slack takes at most 100 blocks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.board import AWAY, OFF_SITE, OUT_FOR_DAY, Status
from bot.domain.services.my_desk import ItemLine, MyDesk
from handlers.blocks.assist import home_assist_blocks
from handlers.blocks.common import Block, actions, button, context, section
from handlers.blocks.enquiries import home_stage_buttons
from handlers.blocks.lists import line_sections
from handlers.blocks.messages import home_message_buttons
from handlers.blocks.ooo import KIND_NAMES, back_on
from handlers.text import date_token, esc, mention

ITEM_LIMIT = 20  # two blocks an item keeps the view well inside 100 blocks
MINE_LIMIT = 40  # what `/desk mine` lists (handlers/commands/desk_mine.py's MAX_LINES)
HOW_TO_CHANGE = (
    "Change it: `/desk in` · `/desk out back &lt;when&gt;` · `/desk out for the day` · "
    "`/ooo until &lt;when&gt; backup @someone` · `/ooo back`"
)

# Both stages of an enquiry are listed: say which one each line is.
STAGE_NAMES = {"enquiry_ack": "Enquiry (acknowledge)", "enquiry_resolve": "Enquiry (resolve)"}
ItemButtons = Callable[[ItemLine], list[dict[str, Any]]]


def status_line(status: Status, tz: ZoneInfo) -> str:
    """Where someone is, in a sentence."""
    if status.state == AWAY and status.back_at is not None:
        text = f":palm_tree: Out of office until {back_on(status.back_at, tz)}"
        cover = mention(status.backup_id) if status.backup_id else "the desk channel"
        return text + f", {cover} covering."
    if status.state == OFF_SITE and status.back_at is not None:
        return f":car: Off-site, back {date_token(status.back_at, tz)}."
    if status.state == OUT_FOR_DAY:
        return ":house: Out for the day."
    return ":office: In the office."


def home_view(
    desk: MyDesk, tz: ZoneInfo, *, now: datetime, call_for_help: bool = False
) -> dict[str, Any]:
    """The whole Home tab; `call_for_help` (reception's): the call-for-help button on top."""
    blocks: list[Block] = home_assist_blocks() if call_for_help else []
    blocks += [
        {"type": "header", "text": {"type": "plain_text", "text": "My desk", "emoji": True}},
        section(f"*Your status*\n{status_line(desk.status, tz)}"),
        context(HOW_TO_CHANGE),
        {"type": "divider"},
    ]
    total = len(desk.items) + desk.more_items
    blocks.append(section(f"*Your open items ({total})*"))
    if not desk.items:
        blocks.append(context("Nothing open for you. :tada:"))
    for line in desk.items[:ITEM_LIMIT]:
        blocks.append(section(_item_text(line, tz, now)))
        buttons = ITEM_BUTTONS.get(line.kind, lambda _line: [])(line)
        if buttons:
            blocks.append(actions(f"home_item_{line.item_id}", *buttons[:5]))
    hidden = total - min(len(desk.items), ITEM_LIMIT)
    if hidden > 0:
        lists = "them all" if total <= MINE_LIMIT else f"the first {MINE_LIMIT}, soonest due first"
        blocks.append(context(f"…and {hidden} more — `/desk mine` lists {lists}."))
    blocks.append({"type": "divider"})
    blocks.append(section("*Expected today*"))
    if desk.expected:
        lines = [
            f"• {date_token(v.expected_at, tz, '{time}')} *{esc(v.name)}*"
            + (f" ({esc(v.organisation)})" if v.organisation else "")
            for v in desk.expected
        ]
        blocks += line_sections(lines, max_blocks=4)
    else:
        blocks.append(context("No visitors expected for you today."))
    if desk.counts_by_owner is not None:
        blocks.append({"type": "divider"})
        blocks.append(section("*The team: open and breached by owner*"))
        if desk.counts_by_owner:
            ordered = sorted(desk.counts_by_owner.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))
            lines = [
                f"• {_owner(owner)}: {n_open} open, {n_breached} breached"
                + (" :rotating_light:" if n_breached else "")
                for owner, (n_open, n_breached) in ordered
            ]
            blocks += line_sections(lines, max_blocks=6)
        else:
            blocks.append(context("Nothing open across the team."))
    return {"type": "home", "blocks": blocks}


def _item_text(line: ItemLine, tz: ZoneInfo, now: datetime) -> str:
    kind = STAGE_NAMES.get(line.kind) or KIND_NAMES.get(
        line.kind, line.kind.replace("_", " ").capitalize()
    )
    text = f"*{kind}*"
    if line.subject:
        text += f" — {esc(line.subject)}"
    if line.topic:
        text += f"\n_{esc(line.topic)}_"
    due = date_token(line.due_at, tz)
    if line.state == "breached" or line.due_at < now:  # at the due instant: still on time
        text += f"\n:rotating_light: Was due {due}"
    elif line.promised:
        text += f"\nCalled back; full answer promised by {due}"
    else:
        text += f"\nDue {due}"
    return text


def _owner(owner: str) -> str:
    return mention(owner) if owner[:1] in ("U", "W") else f"<#{owner}>"


def visitor_item_buttons(line: ItemLine) -> list[dict[str, Any]]:
    """The host's three answers, for a visitor arrival on the Home tab."""
    if line.visit_id is None:
        return []
    value = str(line.visit_id)
    return [
        button("On my way", f"home_visitor_on_my_way_{line.item_id}", value, style="primary"),
        button("Please ask them to wait", f"home_visitor_please_wait_{line.item_id}", value),
        button(
            "I can't — send someone",
            f"home_visitor_send_someone_{line.item_id}",
            value,
            style="danger",
        ),
    ]


# Each kind of item's buttons on the Home tab, listed here (nothing registers itself). Action
# ids must be unique within the view, so each ends with `_<item id>`; the feature's action
# listeners match the DM's action id with an optional suffix.
ITEM_BUTTONS: dict[str, ItemButtons] = {
    "phone_message": home_message_buttons,
    "visitor_arrival": visitor_item_buttons,
    "enquiry_ack": home_stage_buttons,
    "enquiry_resolve": home_stage_buttons,
}
