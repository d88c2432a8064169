"""Block Kit for out of office: replies, the status, the summary, and mention notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks.common import Block, actions, button, context, section
from handlers.blocks.lists import line_sections
from handlers.text import date_token, esc, mention, plural

OOO_USAGE = (
    "*Out of office*\n"
    "• `/ooo until <when> [backup @someone] [: <note>]` (e.g. `/ooo until next Friday backup @bob`)\n"
    "   back at the opening of that day, unless you give a time (`Dec 10 1pm`)\n"
    "• `/ooo back` (you are back early), `/ooo back <when>` (your return moves)\n"
    "• `/ooo from <when> until <when> [backup @someone] [keep my items] [: <note>]` plans an "
    "absence ahead (e.g. `/ooo from Dec 21 until Jan 4 backup @bob`): it starts at 00:00 that "
    "day and your open items go to your cover then, unless you add `keep my items`\n"
    "• `/ooo list` shows your absences, now and planned; `/ooo cancel` withdraws the next "
    "planned one\n"
    "• `/ooo` on its own shows your status"
)
RETURN_FORMAT = "{date_long_pretty} at {time}"
# On the reply to `/ooo from … until …`: change the hand-over chosen, before the absence starts.
KEEP_ITEMS = "ooo_keep_items"
HAND_OVER = "ooo_hand_over"
KIND_NAMES = {
    "phone_message": "Phone message",
    "visitor_arrival": "Visitor",
    "enquiry_ack": "Enquiry",
    "enquiry_resolve": "Enquiry",
}

OUTCOMES = {
    "host_on_my_way": "answered _On my way_",
    "host_please_wait": "answered _Please ask them to wait_",
    "host_send_someone": "answered _I can't — send someone_",
    "visitor_left": "signed out",
    "called_back": "called back",
}


def back_on(until: datetime, tz: ZoneInfo) -> str:
    """ "Friday, December 4th at 9:00 AM", as a date token."""
    return date_token(until, tz, RETURN_FORMAT)


def set_reply(
    *,
    until: datetime,
    tz: ZoneInfo,
    backup_id: str | None,
    note: str | None,
    replaced: bool,
    backup_reminder: bool,
    backup_away_until: datetime | None,
    moved_to_working_day: bool,
    handed_over: int = 0,
    handed_to: str | None = None,
    has_team: bool = False,
) -> str:
    """The confirmation of `/ooo until`; `handed_over` open items went to whoever covers
    (`handed_to`, else the desk channel); `has_team`: a teammate who is in covers first."""
    verb = "You are now" if not replaced else "Changed: you are"
    lines = [f":palm_tree: {verb} out of office until {back_on(until, tz)}."]
    if moved_to_working_day:
        lines.append("(That day the office is closed, so you are back on the next working day.)")
    if backup_id:
        lines.append(f"{mention(backup_id)} covers your visitors and messages.")
        if backup_away_until is not None:
            lines.append(
                f"{mention(backup_id)} is out too, until {back_on(backup_away_until, tz)}: "
                "until then their own backup (or the desk channel) covers."
            )
    elif has_team:
        lines.append(
            "A teammate who is in covers your visitors and messages (the desk channel if none is)."
        )
    else:
        lines.append("The desk channel covers your visitors and messages.")
    if handed_over:
        to = mention(handed_to) if handed_to else "the desk channel"
        lines.append(f"Your {plural(handed_over, 'open item')} went to {to}, deadlines unchanged.")
    if backup_reminder:
        lines.append(
            ":bulb: You are away for more than one working day: the policy asks you to name "
            "a contact. Add one with `/ooo until &lt;when&gt; backup @someone`."
        )
    if note:
        lines.append(f"Note: _{esc(note)}_")
    return "\n".join(lines)


def status_text(
    *, until: datetime | None, backup_id: str | None, note: str | None, tz: ZoneInfo
) -> str:
    """`/ooo` on its own: where you stand, and the form."""
    if until is None:
        head = ":office: You are not out of office."
    else:
        head = f":palm_tree: You are out of office until {back_on(until, tz)}"
        head += f", {mention(backup_id)} covering." if backup_id else ", the desk channel covering."
        if note:
            head += f"\nNote: _{esc(note)}_"
    return f"{head}\n\n{esc(OOO_USAGE)}"


def planned_reply(
    *,
    starts_at: datetime,
    until: datetime,
    tz: ZoneInfo,
    backup_id: str | None,
    note: str | None,
    hand_over: bool,
    backup_away_until: datetime | None,
    moved_to_working_day: bool,
    has_team: bool = False,
) -> str:
    """The confirmation of `/ooo from … until …`: both instants, and the hand-over chosen."""
    lines = [
        f":calendar: Planned: out of office from {back_on(starts_at, tz)} "
        f"until {back_on(until, tz)}. It starts on its own."
    ]
    if moved_to_working_day:
        lines.append("(That day the office is closed, so you are back on the next working day.)")
    cover = cover_words(backup_id, has_team)
    lines.append(f"{cover[0].upper()}{cover[1:]} will cover your visitors and messages.")
    if backup_id and backup_away_until is not None:
        lines.append(
            f"{mention(backup_id)} is away then too, until {back_on(backup_away_until, tz)}."
        )
    lines.append(hand_over_line(hand_over, cover))
    if note:
        lines.append(f"Note: _{esc(note)}_")
    return "\n".join(lines)


def cover_words(backup_id: str | None, has_team: bool) -> str:
    """Who covers: the backup, else a teammate who is in, else the desk channel."""
    if backup_id:
        return mention(backup_id)
    if has_team:
        return "a teammate who is in (else the desk channel)"
    return "the desk channel"


def hand_over_line(hand_over: bool, cover: str) -> str:
    """What happens to the open items when a planned absence starts."""
    if hand_over:
        return (
            f"When it starts, your open items go to {cover}, deadlines unchanged. "
            "*Keep my items* below keeps them with you (as `keep my items` does when you plan one)."
        )
    return (
        "Your open items stay with you while you are away (`keep my items`); "
        "*Hand them over* below changes that."
    )


def planned_blocks(text: str, absence_id: int, hand_over: bool) -> list[Block]:
    """The reply to `/ooo from … until …`, with the button that changes the hand-over."""
    return [
        section(text),
        actions(f"ooo_hand_over_{absence_id}", hand_over_button(absence_id, hand_over)),
    ]


def hand_over_button(absence_id: int, hand_over: bool) -> dict[str, Any]:
    """ "Keep my items" while they are to be handed over; "Hand them over" while kept."""
    if hand_over:
        return button("Keep my items", KEEP_ITEMS, str(absence_id))
    return button("Hand them over", HAND_OVER, str(absence_id))


def hand_over_chosen(
    *, starts_at: datetime, until: datetime, hand_over: bool, cover: str, tz: ZoneInfo
) -> str:
    """The answer to "Keep my items" / "Hand them over"."""
    return (
        f":white_check_mark: Planned: out of office from {back_on(starts_at, tz)} "
        f"until {back_on(until, tz)}.\n{hand_over_line(hand_over, cover)}"
    )


def absences_list(
    entries: list[tuple[datetime, datetime, str | None, bool, bool]], now: datetime, tz: ZoneInfo
) -> str:
    """`/ooo list`: (starts, until, backup, hands over, planned) for each absence ahead."""
    if not entries:
        return ":office: You have no absence now or planned. `/ooo from … until …` plans one."
    lines = [":calendar: Your absences:"]
    for starts_at, until, backup_id, hands_over, planned in entries:
        cover = f", {mention(backup_id)} covering" if backup_id else ""
        if planned:
            items = "your items go to your cover" if hands_over else "you keep your items"
            lines.append(
                f"• Planned: from {back_on(starts_at, tz)} until {back_on(until, tz)}"
                f"{cover} ({items})"
            )
        else:
            lines.append(f"• Now: out of office until {back_on(until, tz)}{cover}")
    return "\n".join(lines)


def cancelled_reply(starts_at: datetime | None, until: datetime | None, tz: ZoneInfo) -> str:
    """`/ooo cancel`: what was withdrawn, or that nothing was planned."""
    if starts_at is None or until is None:
        return (
            ":office: You have no planned absence to cancel. (`/ooo back` ends the one you are on.)"
        )
    return (
        f":wastebasket: Cancelled your absence from {back_on(starts_at, tz)} "
        f"until {back_on(until, tz)}."
    )


def moved_return_reply(until: datetime, tz: ZoneInfo) -> str:
    """The confirmation of `/ooo back <when>` while away: the return moved, not ended."""
    return (
        f":palm_tree: Changed: you are out of office until {back_on(until, tz)}. "
        "`/ooo back` on its own ends it now."
    )


def back_reply(was_away: bool) -> str:
    """The confirmation of `/ooo back`."""
    if not was_away:
        return ":office: You were not out of office: nothing to change."
    return (
        ":wave: Welcome back! Your visitors and messages come to you again; "
        "a summary of what was handled is on its way."
    )


def while_you_were_out(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The "while you were out" DM: what was handled for you, and by whom."""
    since = datetime.fromisoformat(str(params["since"]))
    lines: list[str] = []
    for item in params.get("items", []):
        lines.append(_item_line(item, tz))
    for visit in params.get("visits", []):
        lines.append(_visit_line(visit, tz))
    more = int(params.get("more_items", 0)) + int(params.get("more_visits", 0))
    header = f":wave: *Welcome back.* While you were out (since {date_token(since, tz)}):"
    blocks: list[Block] = [section(header)]
    if lines:
        blocks += line_sections([f"• {line}" for line in lines], max_blocks=40)
    else:
        blocks.append(section("Nothing came in for you."))
    if more:
        blocks.append(context(f"…and {more} more: `/desk mine` shows what is still open."))
    return "While you were out", blocks


def _item_line(item: dict[str, Any], tz: ZoneInfo) -> str:
    kind = KIND_NAMES.get(str(item.get("kind")), str(item.get("kind")).replace("_", " "))
    when = date_token(datetime.fromisoformat(str(item["created_at"])), tz)
    subject = f" from *{esc(str(item['subject']))}*" if item.get("subject") else ""
    owner_id, channel = item.get("owner_id"), item.get("owner_channel")
    holder = mention(str(owner_id)) if owner_id else f"<#{channel}>"
    if item.get("state") == "done":
        by = mention(str(item["done_by"])) if item.get("done_by") else holder
        outcome = str(item.get("outcome") or "done")
        said = OUTCOMES.get(outcome, outcome.replace("_", " "))
        return f"{kind}{subject}, {when}: {said} by {by}"
    return f"{kind}{subject}, {when}: still open with {holder}"


def _visit_line(visit: dict[str, Any], tz: ZoneInfo) -> str:
    who = f"*{esc(str(visit['name']))}*"
    if visit.get("organisation"):
        who += f" ({esc(str(visit['organisation']))})"
    when = (
        date_token(datetime.fromisoformat(str(visit["arrived_at"])), tz)
        if visit.get("arrived_at")
        else "?"
    )
    answered = ""
    if visit.get("responded_by"):
        answer = str(visit.get("response") or "").replace("_", " ")
        answered = f": {mention(str(visit['responded_by']))} answered _{esc(answer)}_"
    return f"Visitor {who} arrived {when}{answered}"


def mention_notice(
    absentee_id: str, until: datetime, backup_id: str | None, tz: ZoneInfo
) -> tuple[str, list[Block]]:
    """Told to someone who mentioned a person who is out (only they see it)."""
    text = f":palm_tree: {mention(absentee_id)} is out of office until {back_on(until, tz)}."
    if backup_id:
        text += f" {mention(backup_id)} is covering."
    else:
        text += " The front desk is covering."
    return text, [section(text)]
