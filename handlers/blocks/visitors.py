"""Block Kit for the visitor log: the host's DM, the desk's sign-in, lists and usage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.services.cover import Cover
from handlers.blocks.common import Block, actions, button, context, section
from handlers.blocks.visitor_record import escort_blocks
from handlers.text import channel_text, date_token, esc, free_text, mention

VISITOR_USAGE = (
    "*Visitors*\n"
    "• `/visitor arrived <name> [from <organisation>] for @host [— <note>]`"
    " (add `[needs wheelchair]` for access needs)\n"
    "• `/visitor expect <name> [from <organisation>] for @host <when>` (e.g. `tomorrow 10am`)\n"
    "• `/visitor left <name or pass number>`\n"
    "• `/visitor cancel <name>` (an expected visitor who will not come)\n"
    "• `/visitor list` (who is on site now)\n"
    "• `/visitor log [<day> | <from> to <to>] [<name>]` (past visits; reception and managers)\n"
    "• `/visitor correct <pass or name> name <right name>` or "
    "`/visitor correct <pass or name> host @right-host` (a wrong entry)\n"
    "• `/visitor` on its own opens a form"
)

HOST_BUTTONS = (
    ("On my way", "visitor_on_my_way", "primary"),
    ("Please ask them to wait", "visitor_please_wait", None),
    ("I can't — send someone", "visitor_send_someone", "danger"),
)

RESPONSE_WORDS = {aid.removeprefix("visitor_"): label for label, aid, _ in HOST_BUTTONS}

RESPONSE_LINES = {
    "on_my_way": "is on their way",
    "please_wait": "asks them to wait",
    "send_someone": "can't come: please send someone",
}


# "today at 09:00", "yesterday at 16:10", "Nov 23 at 09:00": a visitor here since another day
# shows which day.
SINCE_FORMAT = "{date_short_pretty} at {time}"


def who(name: str, organisation: str | None) -> str:
    """`*Jane Doe* (Acme)`, escaped (for a person, not a channel: see `shown_for`)."""
    text = f"*{free_text(name)}*"
    if organisation:
        text += f" ({free_text(organisation)})"
    return text


def shown_for(channel: bool, tz: ZoneInfo | None) -> Callable[[str], str]:
    """How typed text is shown: masked for a channel, as typed for a person."""
    return (lambda text: channel_text(text, tz)) if channel else free_text


def arrival_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The host's DM: who is here, and three buttons."""
    visit_id = str(params["visit_id"])
    # Someone covering may be the desk channel (no `owner_id`): then nothing private may show;
    # a backup's DM keeps what was typed.
    channel = _to_channel(params)
    shown = shown_for(channel, tz)
    named = f"*{shown(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({shown(str(params['organisation']))})"
    lines = [f":wave: {named} is at reception for you"]
    if params.get("covering_for"):
        lines[0] = f":wave: {named} is at reception"
        lines.append(_covering_line(params, tz))
    if params.get("pass_number"):
        lines.append(f"Pass {params['pass_number']}")
    if params.get("note"):
        lines.append(f"_{shown(str(params['note']))}_")
    if params.get("needs") and not channel:  # access needs go to a person, never a channel
        lines.append(f":information_source: Access needs: {free_text(str(params['needs']))}")
    blocks: list[Block] = [
        section("\n".join(lines)),
        actions(
            f"visit_{visit_id}",
            *(
                button(label, action_id, visit_id, style=style)
                for label, action_id, style in HOST_BUTTONS
            ),
        ),
    ]
    if params.get("escort"):
        blocks.append(context("*On my way* makes you their escort until you hand them over."))
    return f"{shown(str(params['name']))} is at reception for you", blocks


def _to_channel(params: dict[str, Any]) -> bool:
    """Whether a host's post went to a channel covering for them (rows from before `owner_id`
    was written count as a channel: the safe reading)."""
    return bool(params.get("covering_for")) and not params.get("owner_id")


def _covering_line(params: dict[str, Any], tz: ZoneInfo) -> str:
    away = params.get("away_until")
    until = f" until {date_token(datetime.fromisoformat(away), tz)}" if away else ""
    return (
        f"They are here for {mention(str(params['covering_for']))}, who is out of office{until}: "
        "you are covering."
    )


def arrival_left_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The arrival DM once the visitor has signed out: when they left, and no buttons."""
    shown = shown_for(not params.get("told_id"), tz)
    named = f"*{shown(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({shown(str(params['organisation']))})"
    host = params.get("covering_for")
    whom = f"for {mention(str(host))}" if host else "for you"
    left = date_token(datetime.fromisoformat(str(params["left_at"])), tz, "{time}")
    lines = [f":wave: {named} was at reception {whom}"]
    if params.get("pass_number"):
        lines.append(f"Pass {esc(str(params['pass_number']))}")
    blocks: list[Block] = [section("\n".join(lines))]
    answer = RESPONSE_WORDS.get(str(params.get("response") or ""))
    said = f"Answered: *{esc(answer)}* · " if answer else ""
    blocks.append(context(f"{said}Signed out at {left}"))
    return f"{shown(str(params['name']))} signed out at {left}", blocks


def answered_dm(
    params: dict[str, Any], response: str, *, escort_of: int | None = None
) -> tuple[str, list[Block]]:
    """The host's DM once answered: the buttons give way to the answer (and, when the one who
    answered now escorts visit `escort_of`, a "Hand over to…" button)."""
    label = next(lbl for lbl, aid, _ in HOST_BUTTONS if aid == f"visitor_{response}")
    text = f"{who(params['name'], params.get('organisation'))} is at reception for you"
    blocks = [section(text), context(f"You answered: *{esc(label)}*")]
    if escort_of is not None:
        blocks += escort_blocks(escort_of)
    return text, blocks


def expected_dm(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The host's heads-up about a pre-registered visitor (or their cover's, while away)."""
    when = date_token(datetime.fromisoformat(params["expected_at"]), tz)
    shown = shown_for(_to_channel(params), tz)
    named = f"*{shown(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({shown(str(params['organisation']))})"
    needs = ""
    if params.get("needs") and not _to_channel(params):
        needs = f"\n:information_source: Access needs: {free_text(str(params['needs']))}"
    if not params.get("covering_for"):
        text = f":calendar: {named} is expected for you {when}{needs}"
        return "A visitor is expected for you", [section(text)]
    host = mention(str(params["covering_for"]))
    text = f":calendar: {named} is expected for {host} {when}{needs}\n{_covering_line(params, tz)}"
    return f"A visitor is expected for {host}", [section(text)]


def signin_post(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk channel's sign-in line."""
    arrived = date_token(datetime.fromisoformat(params["arrived_at"]), tz, "{time}")
    shown = shown_for(True, tz)
    named = f"*{shown(str(params['name']))}*"
    if params.get("organisation"):
        named += f" ({shown(str(params['organisation']))})"
    pass_number = esc(str(params["pass_number"]))
    text = (
        f":bust_in_silhouette: {named} signed in "
        f"for {mention(params['host_id'])} at {arrived}, pass *{pass_number}*"
    )
    return f"{shown(str(params['name']))} signed in, pass {pass_number}", [section(text)]


def host_response_reply(
    params: dict[str, Any], tz: ZoneInfo | None = None
) -> tuple[str, list[Block]]:
    """The host's answer, in the sign-in's thread (the desk channel)."""
    line = RESPONSE_LINES[params["response"]]
    name = channel_text(str(params["name"]), tz)
    text = f"{mention(params['responded_by'])} {line} ({name}, {esc(str(params['pass_number']))})"
    if params["response"] == "send_someone":
        text = ":rotating_light: " + text
    return text, [section(text)]


def signed_in_reply(
    name: str,
    organisation: str | None,
    host_id: str,
    pass_number: str,
    *,
    matched: bool,
    cover: Cover | None = None,
    tz: ZoneInfo | None = None,
) -> str:
    """The receptionist's confirmation (with where the news went when the host is away)."""
    text = f":white_check_mark: {who(name, organisation)} signed in for {mention(host_id)}: pass *{pass_number}*"
    if matched:
        text += " (they were expected)"
    if cover is None or not cover.redirected:
        return text + f". {mention(host_id)} has been told."
    return text + ".\n" + cover_line(cover, tz or ZoneInfo("UTC"))


def cover_line(cover: Cover, tz: ZoneInfo) -> str:
    """Who is away until when, and who was told instead."""
    until = date_token(cover.away_until, tz) if cover.away_until else "further notice"
    went_to = (
        mention(cover.owner.user_id)
        if cover.owner.user_id
        else f"the desk channel <#{cover.owner.channel}>"
    )
    also = [mention(u) for u in cover.chain[1:]]
    passed = f" ({', '.join(also)} {'is' if len(also) == 1 else 'are'} out too)" if also else ""
    return (
        f":palm_tree: {mention(cover.intended_id)} is out of office until {until}, "
        f"so {went_to} has been told instead{passed}."
    )


def on_site_list(visits: Sequence[Any], tz: ZoneInfo, *, with_organisations: bool) -> list[Block]:
    """Who is on site now (names only for staff)."""
    if not visits:
        return [section("Nobody is signed in right now.")]
    lines = []
    for visit in visits:
        org = visit.organisation if with_organisations else None
        since = date_token(visit.arrived_at, tz, SINCE_FORMAT)
        lines.append(
            f"• {visit.pass_number} {who(visit.name, org)} for {mention(visit.host_id)}, since {since}"
        )
    header = f"*On site now ({len(visits)})*"
    return [section(header + "\n" + "\n".join(lines))]


def visitor_log(query: Any, page: Any, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """`/visitor log`: one line a visit (`query` a visitor_log.LogQuery, `page` a LogPage)."""
    period = query.period
    heading = "*Visitor log"
    if period is not None:
        heading += f", {period.first:%a %d %b %Y}"
        if period.last != period.first:
            heading += f" to {period.last:%a %d %b %Y}"
    if query.name:
        heading += f", names like “{esc(query.name)}”"
    heading += f"* ({page.total} visit{'' if page.total == 1 else 's'})"
    if not page.visits:
        return "No visits", [section(heading + "\nNo visits recorded.")]
    lines = [
        _log_line(visit, tz) + (" · _corrected_" if visit.id in page.corrected else "")
        for visit in page.visits
    ]
    shown: list[Block] = []
    for start in range(0, len(lines), 10):  # a section holds 3000 characters
        shown.append(
            section("\n".join(([heading] if start == 0 else []) + lines[start : start + 10]))
        )
    if page.more:
        report = "`/desk report <from> to <to>`"
        shown.append(
            context(
                f"…and {page.more} more. Narrow the days or the name, or see every visit in the "
                f"report's visits CSV ({report}, managers)."
            )
        )
    return f"Visitor log: {page.total} visits", shown


def _log_line(visit: Any, tz: ZoneInfo) -> str:
    arrived = date_token(visit.arrived_at, tz, "{date_short} {time}")
    if visit.left_at is None:
        gone = "still signed in" if visit.state == "on_site" else "no sign-out"
    else:
        same_day = visit.left_at.astimezone(tz).date() == visit.arrived_at.astimezone(tz).date()
        gone = "left " + date_token(
            visit.left_at, tz, "{time}" if same_day else "{date_short} {time}"
        )
    escort = f" · escorted by {mention(visit.escort_id)}" if visit.escort_id else ""
    return (
        f"• {arrived}, {gone} · {esc(visit.pass_number or '—')} · "
        f"{who(visit.name, visit.organisation)} for {mention(visit.host_id)}{escort}"
    )


SIGN_IN_AGAIN = "visitor_sign_in_again"
SIGN_IN_AGAIN_CANCEL = "visitor_sign_in_again_cancel"


def sign_in_again(
    name: str, value: str, signed_in: Sequence[Any], tz: ZoneInfo
) -> tuple[str, list[Block]]:
    """A name already on site: sign in a second person of that name only when asked to."""
    lines = [
        f"• {v.pass_number} {who(v.name, v.organisation)} for {mention(v.host_id)}, "
        f"since {date_token(v.arrived_at, tz, SINCE_FORMAT)}"
        for v in signed_in[:10]
    ]
    text = f":warning: {who(name, None)} is already signed in:\n" + "\n".join(lines)
    text += "\nIs this someone else of the same name?"
    label = f"Sign in another {name}"
    return f"{name} is already signed in", [
        section(text),
        actions(
            "visitor_sign_in_again",
            button(
                label if len(label) <= 75 else "Sign in another visitor",
                SIGN_IN_AGAIN,
                value,
                style="primary",
            ),
            button("Cancel", SIGN_IN_AGAIN_CANCEL, "cancel"),
        ),
    ]


def pick_visitor(matches: Sequence[Any], action_id: str, verb: str) -> list[Block]:
    """Several visitors match: a button each."""
    buttons = [
        button(f"{v.name} ({v.pass_number or 'expected'})"[:75], f"{action_id}_{i}", str(v.id))
        for i, v in enumerate(matches[:25])
    ]
    return [
        section(f"Several visitors match. Which one {verb}?"),
        actions("pick_visitor", *buttons),
    ]
