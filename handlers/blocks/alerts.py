"""Block Kit for reminders and alerts: due soon, overdue, escalated, digests, unanswered visitors.

Params come from `bot.domain.services.item_summary.ItemSummary.params()`. What people typed (a
caller's name, a message's first words) may hold a phone number or an e-mail address, so
every post that may go to a channel shows it through `channel_text`, which masks them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, actions, button, context, section
from handlers.blocks.enquiries import stage_buttons
from handlers.blocks.messages import message_buttons, urgent_mark
from handlers.text import channel_text, date_token, esc, free_text, mention

MAX_DIGEST_LINES = 24  # two blocks an item, under Slack's 50 a message


def what(params: dict[str, Any], *, whose: str | None = None, tz: ZoneInfo | None = None) -> str:
    """`Phone message from *Jane Doe* (Acme) — invoice` (or `<@U…>'s phone message …`), escaped;
    with `tz`, fit for a channel (contact details masked)."""
    shown = free_text if tz is None else (lambda text: channel_text(text, tz))
    label = esc(str(params.get("label") or "Item"))
    if whose:
        label = f"{whose} {label[:1].lower()}{label[1:]}"
    text = f"{label} from *{shown(str(params.get('who') or '?'))}*"
    if params.get("organisation"):
        text += f" ({shown(str(params['organisation']))})"
    if params.get("subject"):
        text += f" — {shown(str(params['subject']))}"
    return urgent_mark(params) + text


def who_for(params: dict[str, Any], tz: ZoneInfo | None) -> str:
    """The caller's, visitor's or enquirer's name; with `tz`, fit for a channel."""
    who = str(params.get("who") or "?")
    return free_text(who) if tz is None else channel_text(who, tz)


def channel_zone(params: dict[str, Any], tz: ZoneInfo) -> ZoneInfo | None:
    """`tz` when the post goes to a channel (no owner: the desk's; or the desk covering for an
    owner away), None for a person's DM."""
    if params.get("covering_for"):
        return None if params.get("covered_by") else tz
    return None if params.get("owner_id") else tz


def _covering(params: dict[str, Any], tz: ZoneInfo) -> str:
    """`You are covering for @alice, …` when the owner is away (else nothing)."""
    if not params.get("covering_for"):
        return ""
    away = params.get("away_until")
    until = f" until {date_token(datetime.fromisoformat(away), tz)}" if away else ""
    you = "you are" if params.get("covered_by") else "the desk is"
    return (
        f"\n:palm_tree: It is still {mention(str(params['covering_for']))}'s, who is out of "
        f"office{until}: {you} covering for them. A manager can pass it on."
    )


def _blocks(text: str, params: dict[str, Any], tz: ZoneInfo) -> list[Block]:
    """The notice, and the owner's buttons (none for a cover, who may not act on it)."""
    if params.get("covering_for"):
        return [section(text + _covering(params, tz))]
    return [section(text), owner_buttons(params)]


def owner_of(params: dict[str, Any]) -> str:
    return mention(params["owner_id"]) if params.get("owner_id") else "the desk"


def owners(params: dict[str, Any]) -> str:
    """`<@U…>'s`, or `the desk's`."""
    return f"{owner_of(params)}'s"


def due(params: dict[str, Any], tz: ZoneInfo) -> str:
    return date_token(datetime.fromisoformat(params["due_at"]), tz)


def owner_buttons(params: dict[str, Any]) -> Block:
    """What the owner can do from a reminder."""
    if params.get("kind") == "phone_message":
        return message_buttons(params | {"desk_owned": not params.get("owner_id")})
    item_id = str(params["item_id"])
    if params.get("kind") in ("enquiry_ack", "enquiry_resolve") and params.get("enquiry_id"):
        return actions(f"item_{item_id}", *stage_buttons(params["kind"], params["enquiry_id"]))
    return actions(f"item_{item_id}", button("Reassign…", "item_reassign", item_id))


def alert_buttons(item_id: str, suffix: str = "") -> Block:
    """Take it / Reassign… on an alert."""
    return actions(
        f"alert_{item_id}",
        button("Take it", f"item_take{suffix}", item_id, style="primary"),
        button("Reassign…", f"item_reassign{suffix}", item_id),
    )


def due_soon(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the owner (or the desk channel), before the deadline."""
    shown = channel_zone(params, tz)
    text = f":hourglass_flowing_sand: Due soon: {what(params, tz=shown)}. Due {due(params, tz)}."
    return f"Due soon: {who_for(params, shown)}", _blocks(text, params, tz)


def overdue(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the owner, when the deadline has passed."""
    shown = channel_zone(params, tz)
    text = (
        f":red_circle: Overdue: {what(params, tz=shown)}. It was due {due(params, tz)}; "
        "managers have been told."
    )
    return f"Overdue: {who_for(params, shown)}", _blocks(text, params, tz)


def remind(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """After "Tried — no answer": try again at the next opening."""
    tries = int(params.get("attempts") or 1)
    shown = channel_zone(params, tz)
    text = (
        f":repeat: Try again: {what(params, tz=shown)} "
        f"({tries} attempt{'s' if tries != 1 else ''} so far). Due {due(params, tz)}."
    )
    return f"Try again: {who_for(params, shown)}", _blocks(text, params, tz)


def alert(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the managers' channel: breached, or escalated (louder)."""
    if params.get("stage") == "escalate":
        mentions = " ".join(mention(m) for m in params.get("mention_ids") or [])
        head = (
            f"{mentions} :rotating_light: *Escalated*: "
            if mentions
            else ":rotating_light: *Escalated*: "
        )
        text = (
            f"{head}{what(params, whose=owners(params), tz=tz)} is still not answered; "
            f"it was due {due(params, tz)}."
        )
        fallback = f"Escalated: {who_for(params, tz)}"
    else:
        text = (
            f":red_circle: *Overdue*: {what(params, whose=owners(params), tz=tz)}, "
            f"due {due(params, tz)}."
        )
        fallback = f"Overdue: {who_for(params, tz)}"
    return fallback, [section(text), alert_buttons(str(params["item_id"]))]


def digest(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Many alerts from one sweep, as one post (an item both breached and escalated in the
    round is listed once, escalated: its buttons may appear only once in a message)."""
    listed = _one_line_per_item(list(params.get("items") or []))
    mentions = " ".join(mention(m) for m in params.get("mention_ids") or [])
    head = f"{mentions} " if mentions else ""
    count = f"{len(listed)} item needs" if len(listed) == 1 else f"{len(listed)} items need"
    head += f":rotating_light: *{count} attention*"
    blocks: list[Block] = [section(head)]
    lines = []
    for entry in listed:
        word = "Escalated" if entry.get("stage") == "escalate" else "Overdue"
        line = f"*{word}*: {what(entry, whose=owners(entry), tz=tz)}, due {due(entry, tz)}"
        if entry.get("now_with") is not None:  # taken or passed on since: no buttons
            holder = mention(entry["now_with"]) if entry["now_with"] else "the desk"
            line += f" :arrow_right: now with {holder}"
        lines.append(line)
        if len(blocks) < 2 * MAX_DIGEST_LINES:
            item_id = str(entry["item_id"])
            if entry.get("now_with") is not None:
                blocks += [section(line), context("Taken in hand.")]
            else:
                blocks += [section(line), alert_buttons(item_id, f"_{item_id}")]
    if len(listed) > MAX_DIGEST_LINES:
        blocks.append(context(f"and {len(listed) - MAX_DIGEST_LINES} more"))
    return f"{count} attention: " + "; ".join(lines), blocks


def _one_line_per_item(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries with one per item, where the item first came, the escalation winning."""
    kept: dict[str, dict[str, Any]] = {}
    for entry in entries:
        item_id = str(entry["item_id"])
        if item_id not in kept or entry.get("stage") == "escalate":
            kept[item_id] = entry
    return list(kept.values())


def _who_was_asked(params: dict[str, Any]) -> str:
    """`@bob (covering for @alice)`, or just the host."""
    owner, host = params.get("owner_id"), params.get("intended_id")
    if owner and host and owner != host:
        return f"{mention(owner)} (covering for {mention(host)})"
    asked = owner or host
    return mention(asked) if asked else "their host"


def visitor_unanswered(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the desk channel: the host has not answered the arrival."""
    who = who_for(params, tz)
    text = (
        f":warning: *{who}* is waiting at reception and {_who_was_asked(params)} has not answered."
    )
    return f"{who} is waiting at reception", [section(text)]


def visitor_backup(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the host's backup, by DM."""
    text = (
        f":wave: *{esc(str(params['who']))}* is waiting at reception for "
        f"{_who_was_asked(params)}, who has not answered. You are their backup: "
        "could you see to them?"
    )
    return f"{esc(str(params['who']))} is waiting at reception", [section(text)]


def assigned(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the new owner of an item that is not a phone message."""
    shown = channel_zone(params, tz)
    text = f":inbox_tray: Now yours: {what(params, tz=shown)}. Due {due(params, tz)}."
    return f"Now yours: {who_for(params, shown)}", [section(text), owner_buttons(params)]


def moved(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """A channel's post about an item (the desk's copy, a reminder, the managers' alert) once
    someone took it or it was passed on: who has it now, and no buttons."""
    by = mention(str(params["moved_by"]))
    holder = mention(params["owner_id"]) if params.get("owner_id") else "the desk"
    at = date_token(datetime.fromisoformat(str(params["moved_at"])), tz, "{time}")
    if params.get("taken"):
        now_with = f":raised_hand: Taken by {by} at {at}."
    else:
        now_with = f":arrow_right: Passed to {holder} by {by} at {at}."
    if params.get("was") == "item_alert":
        word = "Escalated" if params.get("stage") == "escalate" else "Overdue"
        head = f"*{word}*: {what(params, tz=tz)}, due {due(params, tz)}."
    else:
        head = f"{what(params, tz=tz)}. Due {due(params, tz)}."
    return f"{now_with} {who_for(params, tz)}", [section(head), context(now_with)]
