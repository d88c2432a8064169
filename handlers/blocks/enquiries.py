"""Block Kit for enquiries: the owner's DM, the logger's reply, late notices, the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.my_desk import ItemLine
from handlers.blocks.common import Block, actions, button, context, section
from handlers.text import channel_text, date_token, esc, free_text, mention

ENQUIRY_FORM = (
    "`/enquiry <kind> via <channel> from <name> [for @owner] [contact <e-mail, phone or address>]"
    " [prefers <medium>] [expect <when>]: <summary>`"
)
ENQUIRY_USAGE = (
    "*Enquiries* (complaints, questions, requests, compliments…)\n"
    f"• {ENQUIRY_FORM}\n"
    "  e.g. `/enquiry complaint via letter from Jane Doe for @alice [contact 12 High St, Toronto]"
    " [prefers letter]: parking refund refused`\n"
    "• Without `for @owner` the enquiry is yours.\n"
    "• `[contact …]`: how to reach them (an e-mail, a phone number or an address; a number or"
    " e-mail typed into the name counts too). Only the owner sees it.\n"
    "• `[prefers …]`: the medium they want the answer by (one of the channels).\n"
    "• `[expect …]`: when you told them to expect a full answer, if it could not be settled"
    " there and then (an interim call back), e.g. `[expect friday]`.\n"
    "• Every enquiry gets a reference (`E-0042`) to quote.\n"
    "• `/enquiry` on its own opens a form"
)


def enquiry_usage(kinds: Sequence[str], channels: Sequence[str]) -> str:
    """The help, with the policy's kinds and channels."""
    return (
        ENQUIRY_USAGE
        + "\n• Kinds: "
        + ", ".join(f"`{k}`" for k in kinds)
        + "\n• Channels: "
        + ", ".join(f"`{c.replace('_', ' ')}`" for c in channels)
    )


ICONS = {
    "complaint": ":warning:",
    "question": ":grey_question:",
    "request": ":inbox_tray:",
    "compliment": ":star:",
    "suggestion": ":bulb:",
    "referral": ":arrow_right:",
}
OUTCOMES = {"acknowledged": "acknowledged", "resolved": "resolved"}
# How the customer is answered: the way the enquiry came in (no telephone for an e-mail).
REPLY_ICONS = {
    "phone": ":telephone_receiver:",
    "email": ":email:",
    "letter": ":envelope:",
    "in_person": ":wave:",
    "social": ":speech_balloon:",
    "survey": ":clipboard:",
    "teams": ":busts_in_silhouette:",
}
ACTIONS = {
    "created": "logged it",
    "reassigned": "reassigned it",
    "acknowledged": "acknowledged it",
    "resolved": "resolved it",
    "revised": "moved the deadline",
    "late_notice": "gave a late notice",
    "erased": "erased the personal data",
}
TOLD = {"acknowledge": "told", "resolve": "told", "late": "told of the new date", "interim": "told"}
REPLY_ACTIONS = {
    "acknowledge": "acknowledged",
    "resolve": "resolved",
    "late": "late_notice",
    "interim": "created",
}


def owner_text(params: dict[str, Any]) -> str:
    """Who has it: a mention, or the channel."""
    if params.get("owner_id"):
        return mention(str(params["owner_id"]))
    return f"<#{params.get('owner_channel')}>"


def ref_of(params: dict[str, Any]) -> str:
    """The enquiry's reference (`E-0042`; rows from before references: from its id)."""
    if params.get("ref"):
        return str(params["ref"])
    return f"E-{int(params['enquiry_id']):04d}" if params.get("enquiry_id") else ""


def headline(params: dict[str, Any], tz: ZoneInfo | None = None) -> str:
    """`:warning: *E-0042 Complaint* via letter from *Jane Doe*`, escaped; with `tz`, fit for
    a channel."""
    kind = str(params["kind"])
    name = str(params["from_name"])
    shown = free_text(name) if tz is None else channel_text(name, tz)
    via = esc(str(params["channel"]).replace("_", " "))
    what = esc(kind.replace("_", " ").capitalize())
    return (
        f"{ICONS.get(kind, ':speech_balloon:')} *{ref_of(params)} {what}* via {via} from *{shown}*"
    )


def deadlines(params: dict[str, Any], tz: ZoneInfo) -> str:
    """The two deadlines, each with its window, or how it ended."""
    lines = []
    for stage, label in (("ack", "Acknowledge"), ("resolve", "Resolve")):
        if not params.get(f"{stage}_state"):
            continue  # a one-stage enquiry
        outcome = params.get(f"{stage}_outcome")
        if params.get(f"{stage}_state") == "done":
            lines.append(f":white_check_mark: {label}: {esc(str(outcome or 'done'))}")
            continue
        due = date_token(datetime.fromisoformat(params[f"{stage}_due"]), tz)
        late = " :red_circle: overdue" if params.get(f"{stage}_state") == "breached" else ""
        window = esc(str(params[f"{stage}_window"]))
        if stage == _last(params) and params.get("revised_reason"):
            window = f"revised; the policy gives {window}"
        lines.append(f"*{label} by* {due} ({window}){late}")
    if params.get("revised_reason") and params.get(f"{_last(params)}_state") != "done":
        lines.append(f"_Deadline moved: {esc(str(params['revised_reason']))}_")
    return "\n".join(lines)


def _last(params: dict[str, Any]) -> str:
    """ "resolve", or "ack" on an enquiry whose only stage is the acknowledgement."""
    return "resolve" if params.get("resolve_state") else "ack"


def customer_line(params: dict[str, Any]) -> str:
    """How to reach the customer and the medium they prefer (private: a person's DM only)."""
    parts = []
    if params.get("contact"):
        parts.append(f"Contact: {free_text(str(params['contact']))}")
    if params.get("prefers"):
        parts.append(f"prefers {esc(str(params['prefers']))}")
    return ":bust_in_silhouette: " + "; ".join(parts) if parts else ""


def enquiry_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The owner's DM: the enquiry, its deadlines and the buttons that are still useful."""
    enquiry_id = str(params["enquiry_id"])
    # Owned by a channel (no owner): nothing private may show.
    in_channel = None if params.get("owner_id") else tz
    text = headline(params, in_channel)
    if params.get("summary"):
        summary = str(params["summary"])
        shown = free_text(summary) if in_channel is None else channel_text(summary, in_channel)
        text += f"\n>{shown.replace(chr(10), chr(10) + '>')}"
    if params.get("needs") and in_channel is None:  # to the owner, never a channel
        text += f"\n:information_source: Access needs: {free_text(str(params['needs']))}"
    if in_channel is None and customer_line(params):
        text += "\n" + customer_line(params)
    if params.get("expect_by"):
        promised = date.fromisoformat(str(params["expect_by"]))
        text += f"\n:telephone_receiver: Told to expect a full answer by {promised:%a %d %b %Y}"
    blocks: list[Block] = [section(text), section(deadlines(params, tz))]
    if params.get("reassigned_by"):
        passed = f"Passed to you by {mention(str(params['reassigned_by']))}"
        if params.get("covering_for"):
            away = params.get("away_until")
            until = f" until {date_token(datetime.fromisoformat(away), tz)}" if away else ""
            passed += (
                f" for {mention(str(params['covering_for']))}, who is out of office{until}: "
                "you are covering"
            )
        blocks.append(context(passed))
    elif params.get("logged_by"):
        blocks.append(context(f"Logged by {mention(str(params['logged_by']))}"))
    buttons = []
    ending = params.get(f"{_last(params)}_state")
    if params.get("ack_state") not in (None, "done") and ending != "done":
        buttons.append(button("Acknowledged", "enquiry_ack", enquiry_id, style="primary"))
    if ending != "done":
        if params.get("resolve_state"):
            buttons.append(button("Resolved", "enquiry_resolve", enquiry_id))
        buttons += [
            button("Reassign…", "enquiry_reassign", enquiry_id),
            button("Running late…", "enquiry_late", enquiry_id),
        ]
    buttons.append(button("History", "enquiry_history", enquiry_id))
    if in_channel is not None and params.get("has_contact"):
        buttons.append(button("Show contact", "enquiry_show_contact", enquiry_id))
    blocks.append(actions(f"enquiry_{enquiry_id}", *buttons))
    name = str(params["from_name"])
    shown_name = free_text(name) if in_channel is None else channel_text(name, in_channel)
    fallback = f"{ref_of(params)} {str(params['kind']).capitalize()} from {shown_name}"
    return fallback, blocks


def stage_buttons(kind: str, enquiry_id: int, suffix: str = "") -> list[dict[str, Any]]:
    """What the owner can do at one stage: Acknowledged, or Resolved / Reassign… / Running late…"""
    value = str(enquiry_id)
    if kind == "enquiry_ack":
        return [button("Acknowledged", f"enquiry_ack{suffix}", value, style="primary")]
    return [
        button("Resolved", f"enquiry_resolve{suffix}", value),
        button("Reassign…", f"enquiry_reassign{suffix}", value),
        button("Running late…", f"enquiry_late{suffix}", value),
    ]


def home_stage_buttons(line: ItemLine) -> list[dict[str, Any]]:
    """A stage's buttons on the Home tab (action ids end with the item id: unique in the view)."""
    if line.enquiry_id is None:
        return []
    return stage_buttons(line.kind, line.enquiry_id, f"_{line.item_id}")


def logged_reply(params: dict[str, Any], tz: ZoneInfo, *, redirected: bool = False) -> str:
    """The logger's confirmation: who has it and both deadlines."""
    who = owner_text(params)
    line = f":white_check_mark: Logged. {headline(params)}, with {who}."
    if redirected:
        line += " (They are away, so it went to their cover.)"
    return line + "\n" + deadlines(params, tz)


def late_managers(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The managers' notice of a revised deadline (no contact details)."""
    new_due = date_token(_new_due(params), tz)
    old_due = date_token(datetime.fromisoformat(params["old_due"]), tz)
    text = (
        f":hourglass: *Running late:* {headline(params, tz)}, with {owner_text(params)}.\n"
        f"New date: {new_due} (was {old_due}).\n"
        f"Reason: _{channel_text(str(params['reason']), tz)}_ (by {mention(str(params['by']))})"
    )
    return "Running late: an enquiry's deadline moved", [section(text)]


def late_owner(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The owner's reminder to tell the customer the new date."""
    new_due = date_token(_new_due(params), tz, "{date_long}")
    icon = REPLY_ICONS.get(str(params.get("channel")).replace(" ", "_"), ":speech_balloon:")
    customer = free_text(str(params["from_name"]))
    ref = ref_of(params)
    what = f"their {esc(str(params['kind']))}" + (f" ({ref})" if ref else "")
    if params.get("told"):
        how = f" by {esc(str(params['told_by']))}" if params.get("told_by") else ""
        text = (
            f"{icon} *{customer}* has been told{how} that the answer to {what} will now come "
            f"by {new_due}. The managers have been told."
        )
    else:
        text = (
            f"{icon} Please tell *{customer}* that the answer to {what} will now come by "
            f"{new_due}, and why. The managers have been told."
        )
    blocks = [section(text)]
    if params.get("said"):
        blocks.append(
            section(f"To copy:\n>{free_text(str(params['said'])).replace(chr(10), chr(10) + '>')}")
        )
    return "Tell the customer about the new date", blocks


def _new_due(params: dict[str, Any]) -> datetime:
    """The revised deadline (rows from before `new_due`: the resolve deadline)."""
    found = params.get("new_due") or params.get("resolve_due") or params.get("ack_due")
    return datetime.fromisoformat(str(found or params["old_due"]))


def history(
    params: dict[str, Any],
    events: Sequence[Any],
    tz: ZoneInfo,
    replies: Sequence[Any] = (),
) -> list[Block]:
    """The audit trail of an enquiry and what the customer was told, oldest first."""
    seen: set[tuple[str, str, int]] = set()
    lines: list[tuple[str, str]] = []  # (action, line)
    for event in events:
        # "created"/"reassigned" are recorded on both windows: show them once.
        moment = (event.action, event.actor_id, int(event.at.timestamp()))
        if event.action in ("created", "reassigned", "resolved") and moment in seen:
            continue
        seen.add(moment)
        what = ACTIONS.get(event.action, esc(event.action))
        detail = ""
        if event.action == "reassigned" and event.detail:
            detail = f" → {_owner_detail(event.detail)}"
        elif event.action == "revised" and event.detail:
            new_due, _, reason = event.detail.partition(": ")
            detail = f" to {date_token(datetime.fromisoformat(new_due), tz)}: _{esc(reason)}_"
        line = f"• {date_token(event.at, tz)} {mention(event.actor_id)} {what}{detail}"
        lines.append((event.action, line))
    # What the customer was told goes under the press that recorded it.
    for reply in replies:
        action = REPLY_ACTIONS.get(str(reply.stage), "")
        at = max((n for n, (done, _) in enumerate(lines) if done == action), default=len(lines))
        lines.insert(at + 1, ("told", told_line(reply, tz)))
    body = "\n".join(line for _, line in lines) or "Nothing recorded yet."
    text = f"*History* of {headline(params)}\n{body}"
    if len(text) > 2900:
        text = text[:2899] + "…"
    return [section(text)]


def told_line(reply: Any, tz: ZoneInfo) -> str:
    """What the customer was told, how and by whom, as History shows it."""
    stage = str(reply.stage)
    if stage == "late" and not reply.told:
        head = "the customer has not been told of the new date yet"
    else:
        how = f" by {esc(str(reply.medium).replace('_', ' '))}" if reply.medium else ""
        head = f"customer {TOLD.get(stage, esc(stage))}{how}"
    line = f"  ↳ {head}"
    if reply.outcome:
        line += f"; outcome: *{free_text(str(reply.outcome))}*"
    if reply.expect_by:
        line += f"; told to expect a full answer by {reply.expect_by:%a %d %b %Y}"
    if reply.said:
        said = free_text(" ".join(str(reply.said).split()))
        line += f"\n    _“{said[:600]}”_"
    return line


def _owner_detail(detail: str) -> str:
    kind, _, who = detail.partition(" ")
    return mention(who) if kind == "owner" else f"<#{who}>"


# On the Home tab both stages of an open enquiry are listed, each with its own buttons.
