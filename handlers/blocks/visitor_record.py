"""Block Kit for the visitor record: ID buttons, escorts, late visitors, the watch list (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.id_check import ID_TYPES
from handlers.blocks.common import Block, actions, button, context, plain, section
from handlers.text import channel_text, date_token, esc, free_text, mention

ID_ACTION = "visitor_id"  # + "_<type>": one button per type on the sign-in reply
HAND_OVER_ACTION = "visitor_hand_over"
HAND_OVER_FORM = "visitor_hand_over_form"
WATCH_FORM = "`/desk watch <name> : <reason>` | `/desk watch list` | `/desk watch remove <name>`"
WATCH_USAGE = f"• {WATCH_FORM} (managers: alert them when a name signs in)"


def needs_line(needs: str | None) -> str | None:
    """ "Access needs: wheelchair", escaped (for a person or the roll call, not the board)."""
    return f":information_source: Access needs: {free_text(needs)}" if needs else None


def id_buttons(visit_id: int) -> Block:
    """The sign-in reply's buttons: which ID was seen, or none."""
    return actions(
        f"visit_id_{visit_id}",
        *(button(label, f"{ID_ACTION}_{kind}", str(visit_id)) for kind, label in ID_TYPES.items()),
    )


def id_recorded(name: str, id_type: str) -> str:
    """The sign-in reply once the ID type is recorded."""
    label = ID_TYPES.get(id_type, id_type)
    if id_type == "not_checked":
        return f":identification_card: ID for *{free_text(name)}*: not checked (recorded)."
    return f":identification_card: ID seen for *{free_text(name)}*: *{esc(label)}* (the type only)."


def escort_blocks(visit_id: int) -> list[Block]:
    """Under the host's answer when escorts are kept: they are with the visitor, and can hand over."""
    return [
        context("You are escorting them (shown on the roll call)."),
        actions(
            f"escort_{visit_id}",
            button("Hand over to…", HAND_OVER_ACTION, str(visit_id)),
        ),
    ]


def hand_over_view(visit_id: int) -> dict[str, Any]:
    """The "Hand over to…" form: who takes over as escort."""
    return {
        "type": "modal",
        "callback_id": HAND_OVER_FORM,
        "title": plain("Hand over"),
        "submit": plain("Hand over"),
        "close": plain("Cancel"),
        "private_metadata": str(visit_id),
        "blocks": [
            section("Who takes over as the visitor's escort? They are told by DM."),
            {
                "type": "input",
                "block_id": "to",
                "label": plain("New escort"),
                "element": {"type": "users_select", "action_id": "to"},
            },
        ],
    }


def escort_dm(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the new escort: they are now with the visitor."""
    named = f"*{free_text(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({free_text(str(params['organisation']))})"
    lines = [
        f":handshake: {mention(str(params['handed_over_by']))} handed {named} over to you: "
        f"you are now their escort (visiting {mention(str(params['host_id']))})."
    ]
    if params.get("pass_number"):
        lines.append(f"Pass {esc(str(params['pass_number']))}")
    needs = needs_line(params.get("needs"))
    if needs:
        lines.append(needs)
    blocks: list[Block] = [
        section("\n".join(lines)),
        actions(
            f"escort_{params['visit_id']}",
            button("Hand over to…", HAND_OVER_ACTION, str(params["visit_id"])),
        ),
    ]
    return f"You are now escorting {free_text(str(params['name']))}", blocks


def late_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """To the host, once: their expected visitor has not signed in."""
    named = f"*{free_text(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({free_text(str(params['organisation']))})"
    when = date_token(datetime.fromisoformat(str(params["expected_at"])), tz, "{time}")
    text = (
        f":hourglass: {named} was expected for you at {when} and has not signed in yet. "
        "If they are not coming, reception can `/visitor cancel` them."
    )
    return f"{free_text(str(params['name']))} has not arrived yet", [section(text)]


def watch_alert(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The managers' channel: a watched name signed in; the reason is shown here alone."""
    name = channel_text(str(params["name"]), tz)
    at = (
        date_token(datetime.fromisoformat(str(params["arrived_at"])), tz, "{time}")
        if params.get("arrived_at")
        else "just now"
    )
    pass_number = esc(str(params.get("pass_number") or "?"))
    lines = [
        f":eyes: *Watch list:* *{name}* signed in at {at} (pass {pass_number}) for "
        f"{mention(str(params['host_id']))}, signed in by {mention(str(params['signed_in_by']))}."
    ]
    lines += [f"Reason: {channel_text(str(r), tz)}" for r in params.get("reasons", [])]
    lines.append("The receptionist was asked to call a manager; the sign-in was not held.")
    return f"Watch list: {name} signed in", [section("\n".join(lines))]


CALL_A_MANAGER = ":telephone_receiver: *Please call a manager now* about this visitor."


def watch_list(entries: Sequence[Any], tz: ZoneInfo) -> list[Block]:
    """The watch list, for a manager."""
    if not entries:
        return [section("The watch list is empty.")]
    lines = [
        f"• *{free_text(e.name)}*: {free_text(e.reason)} "
        f"(added by {mention(e.added_by)}, {date_token(e.added_at, tz, '{date_short}')})"
        for e in entries
    ]
    return [section(f"*Watch list ({len(entries)})*\n" + "\n".join(lines))]


def no_show_lines(no_shows: Sequence[dict[str, Any]], tz: ZoneInfo) -> Block | None:
    """The closing list's "did not come" lines (names masked: it is the desk channel)."""
    if not no_shows:
        return None
    lines = []
    for visitor in no_shows:
        when = (
            date_token(datetime.fromisoformat(str(visitor["expected_at"])), tz, "{time}")
            if visitor.get("expected_at")
            else "?"
        )
        lines.append(
            f"• *{channel_text(str(visitor['name']), tz)}* for "
            f"{mention(str(visitor['host_id']))}, expected at {when}"
        )
    return section(":no_entry_sign: *Did not come (recorded as no-shows):*\n" + "\n".join(lines))


def signed_in_answer(text: str, *, visit_id: int, check_id: bool, watched: bool) -> dict[str, Any]:
    """The receptionist's reply to a sign-in: the confirmation, a "call a manager" line for a
    watched name (never the reason), and the ID buttons when `[visitors] check_id` is on."""
    if watched:
        text = f"{text}\n{CALL_A_MANAGER}"
    blocks: list[Block] = [section(text)]
    if check_id:
        blocks.append(context("Which ID did you see? The type is recorded, never the number."))
        blocks.append(id_buttons(visit_id))
    return {"text": text, "blocks": blocks, "response_type": "ephemeral"}
