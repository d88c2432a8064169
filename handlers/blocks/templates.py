"""What each outbox template looks like: template name → Block Kit builder.

Every template the bot posts is listed here, in one table: nothing registers itself at import.
A row whose template is not in the table fails alone, loudly (bot/runtime/outbox_sender.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from handlers.blocks import (
    alerts,
    assist,
    closing,
    enquiries,
    incidents,
    messages,
    ooo,
    privacy,
    reports,
    visitor_record,
    visitors,
)
from handlers.blocks.common import Block, section
from handlers.commands import desk_close
from handlers.replies import stored_reply
from handlers.text import esc

Builder = Callable[[dict[str, Any], ZoneInfo], tuple[str, list[Block]]]


def delivery_failed(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk is told once when a post could not be delivered at all."""
    text = (
        f":warning: I could not deliver a *{esc(str(params['template']))}* post to "
        f"`{esc(str(params['target']))}`: Slack said `{esc(str(params['error']))}`."
    )
    return text, [section(text)]


def task_failed(params: dict[str, Any], _tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The desk is told once when a task failed for good (it is not tried again)."""
    target = str(params.get("target") or "")
    text = (
        f":warning: I could not finish *{esc(str(params['kind']))}*"
        + (f" for `{esc(target)}`" if target else "")
        + f" after several tries (`{esc(str(params['error']))}`), and will not try again."
    )
    return text, [section(text)]


def corrected_post(params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """An earlier post drawn again after a correction (bot.domain.notices.CorrectedPost)."""
    was = str(params["was"])
    if was == "corrected_post":  # never nested (corrections unwrap); refuse rather than loop
        raise KeyError("a corrected post cannot wrap another")
    return render(was, dict(params["shown"]), tz)


TEMPLATES: dict[str, Builder] = {
    # visitors
    "visitor_arrived_dm": visitors.arrival_dm,
    "visitor_expected_dm": visitors.expected_dm,
    "visitor_signin": visitors.signin_post,
    "visitor_arrival_left": visitors.arrival_left_dm,
    "visitor_host_response": visitors.host_response_reply,
    "closing_on_site": closing.closing_post,
    "visitor_late_dm": visitor_record.late_dm,
    "escort_handed_over": visitor_record.escort_dm,
    "watch_alert": visitor_record.watch_alert,
    # phone messages
    "message_dm": messages.message_dm,
    # windows: reminders and alerts (bot/domain/sweep.py)
    "item_due_soon": alerts.due_soon,
    "item_overdue": alerts.overdue,
    "item_remind": alerts.remind,
    "item_alert": alerts.alert,
    "alert_digest": alerts.digest,
    "visitor_unanswered": alerts.visitor_unanswered,
    "visitor_backup_dm": alerts.visitor_backup,
    "item_assigned": alerts.assigned,
    "item_moved": alerts.moved,
    # enquiries
    "enquiry_dm": enquiries.enquiry_dm,
    "enquiry_late_managers": enquiries.late_managers,
    "enquiry_late_owner": enquiries.late_owner,
    # out of office, closures, incidents, reports, privacy
    "ooo_while_you_were_out": ooo.while_you_were_out,
    "closure_notice": desk_close.closure_notice,
    "incident_notice": incidents.notice,
    "incident_confirmation": incidents.confirmation,
    "assist_alert": assist.assist_alert,
    "report": reports.report_post,
    "redacted_post": privacy.redacted_post,
    "corrected_post": corrected_post,
    # a listener's answer written for after its ack (handlers.replies)
    "reply": stored_reply,
    # the sender's own
    "delivery_failed": delivery_failed,
    "task_failed": task_failed,
}


def render(template: str, params: dict[str, Any], tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Build (fallback text, blocks) for an outbox row."""
    try:
        builder = TEMPLATES[template]
    except KeyError:
        raise KeyError(f"no builder for outbox template {template!r}") from None
    return builder(params, tz)
