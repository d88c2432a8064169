"""Before a row is posted again, ask Slack whether an earlier attempt already posted it.

Every `chat.postMessage` the sender makes for a row carries message metadata naming the row
(`metadata`). Before each post the sender notes on the row when it set out (`posting_at`,
with the lease); a sender killed, or cut off, between Slack accepting the post and the row
being marked sent leaves that mark behind. The next sender to take such a row reads the
conversation since that moment (`conversations.history`, or `conversations.replies` under a
thread) with its metadata, and a message naming the row is the earlier post: the row is
marked sent with it, not posted again.

Only new posts are looked for. `chat.update` rewrites the same message, so doing it twice
changes nothing; a `response_url` answer or an ephemeral message leaves nothing to find.
A look that fails (an error, a scope the installation lacks, no connection) is logged as a
warning naming the row, and the row posted: a repeat is better than a loss.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.outbox import Pending

log = logging.getLogger(__name__)

EVENT_TYPE = "frontdesk_outbox"
# Slack stamps a message by its own clock, the row by ours: look this much further back.
MARGIN = timedelta(seconds=60)
PAGE = 200  # messages a page (Slack recommends no more than 200)
PAGES = 5  # a conversation busier than this since the attempt is not searched to the end


@dataclass(frozen=True)
class Landed:
    """The message an earlier attempt posted."""

    channel: str
    ts: str


class LookFailed(Exception):
    """Slack could not say whether the earlier post landed."""


def metadata(row: Pending) -> dict[str, Any]:
    """The message metadata that names the row a post was made for."""
    return {"event_type": EVENT_TYPE, "event_payload": {"row": row.key}}


def looked_for(row: Pending) -> bool:
    """Whether the row posts anew (a post that can be found), as opposed to an update, a
    `response_url` answer or an ephemeral message."""
    params = row.params
    return not (
        params.get("response_url") or params.get("ephemeral_user") or params.get("update_ts")
    )


POSTING = "posting it, so it may appear twice"


def look(
    client: WebClient,
    row: Pending,
    *,
    channel: str,
    thread_ts: str | None,
    otherwise: str = POSTING,
) -> tuple[bool, Landed | None]:
    """Whether Slack could be asked, and the post an earlier attempt made for `row` (which
    has `posting_at`); a failure to ask is a warning saying what is done `otherwise`."""
    assert row.posting_at is not None
    try:
        return True, find(client, row, channel=channel, thread_ts=thread_ts, since=row.posting_at)
    except Exception as error:  # whatever went wrong, posting again beats losing the post
        log.warning(
            "outbox row %s (%s → %s): could not ask Slack whether an earlier attempt posted "
            "it (%s); %s",
            row.key,
            row.template,
            row.target,
            _why(error),
            otherwise,
        )
        return False, None


def find(
    client: WebClient, row: Pending, *, channel: str, thread_ts: str | None, since: datetime
) -> Landed | None:
    """The message posted for `row` in `channel` (under `thread_ts`) since `since`, or None.

    Raises (a Slack error, a connection error, `LookFailed`) when it cannot tell.
    """
    oldest = f"{(since - MARGIN).timestamp():.6f}"
    cursor: str | None = None
    for _ in range(PAGES):
        if thread_ts:
            page = client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                oldest=oldest,
                limit=PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
        else:
            page = client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
        for message in page.get("messages") or []:
            if _names(message, row.key):
                return Landed(channel=channel, ts=str(message["ts"]))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return None
    raise LookFailed(f"more than {PAGES * PAGE} messages in {channel} since {oldest}")


def _names(message: dict[str, Any], key: str) -> bool:
    found = message.get("metadata") or {}
    payload = found.get("event_payload") or {}
    return bool(
        found.get("event_type") == EVENT_TYPE and payload.get("row") == key and message.get("ts")
    )


def _why(error: Exception) -> str:
    """A Slack error's name, or the exception's."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error") or error.response.status_code)
    return f"{type(error).__name__}: {error}"
