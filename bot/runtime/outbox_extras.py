"""What an outbox row may ask of the sender beyond a plain post.

- `params["update_ts"]`: rewrite that earlier post (in the row's target channel) with
  `chat.update` instead of posting anew; used to redact posts that named someone.
- `params["files"]`: upload these files (`filename`, `title`, `content_b64`) to the same
  conversation with `files_upload_v2` after the post; used by the managers' report. The
  bytes travel in the row, so any replica can send it and a retry sends the same files.
- After a post, a row about a visit, phone message, enquiry or window (`visit_id`,
  `message_id`, `enquiry_id`, `item_id`) is remembered in SlackPost, so it can be redacted
  later.

Every `chat.postMessage` made for a row carries message metadata naming it
(`outbox_recall.metadata`), so a later attempt can find it. A failed upload after a
successful post retries the row; the retry finds the post, uploads the files and posts
nothing again (`upload_files`).
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection

from bot.runtime.outbox_recall import metadata
from bot.runtime.slack_http import PooledWebhookClient
from storage import privacy
from storage.outbox import Pending

NAMED = ("visit_id", "message_id", "enquiry_id")
log = logging.getLogger(__name__)


def post(
    client: WebClient,
    row: Pending,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    thread_ts: str | None,
) -> Any:
    """Post the row (or rewrite the post it names), then upload any files it carries."""
    if row.params.get("response_url"):
        return answer_button(client, row, text=text, blocks=blocks)
    if row.params.get("ephemeral_user"):
        return _ephemeral(client, row, channel=channel, text=text, blocks=blocks)
    update_ts = row.params.get("update_ts")
    if update_ts:
        return client.chat_update(channel=channel, ts=str(update_ts), text=text, blocks=blocks)
    response = client.chat_postMessage(
        channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, metadata=metadata(row)
    )
    upload_files(client, row, channel=str(response["channel"]))
    return response


def upload_files(client: WebClient, row: Pending, *, channel: str) -> None:
    """Upload the files the row carries (if any) to `channel`."""
    files = row.params.get("files") or []
    if not files:
        return
    client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {
                "content": base64.b64decode(f["content_b64"]),
                "filename": f["filename"],
                "title": f.get("title") or f["filename"],
            }
            for f in files
        ],
    )


def answer_button(client: WebClient, row: Pending, *, text: str, blocks: list[Any]) -> Any:
    """A button's answer through its `response_url`. Slack keeps one for 30 minutes and five
    posts; past that, the message it would have replaced is rewritten with `chat.update`, or
    the answer comes by DM."""
    params = row.params
    replace = bool(params.get("replace_original"))
    webhook = PooledWebhookClient(url=str(params["response_url"]), timeout=10)
    message = {"text": text, "blocks": blocks, "replace_original": replace}
    if not replace:
        message["response_type"] = "ephemeral"
    response = webhook.send_dict(message)  # a connection error propagates: the row is retried
    if response.status_code == 200:
        return {
            "channel": str(params.get("channel") or ""),
            "ts": str(params.get("message_ts") or ""),
        }
    if response.status_code == 429 or response.status_code >= 500:
        raise OSError(f"response_url answered {response.status_code}")
    log.info(
        "response_url refused (%s %s); answering another way", response.status_code, response.body
    )
    channel, ts = params.get("channel"), params.get("message_ts")
    if replace and channel and ts:
        return client.chat_update(channel=str(channel), ts=str(ts), text=text, blocks=blocks)
    dm = client.conversations_open(users=row.target)["channel"]["id"]
    return client.chat_postMessage(channel=dm, text=text, blocks=blocks, metadata=metadata(row))


def _ephemeral(
    client: WebClient, row: Pending, *, channel: str, text: str, blocks: list[Any]
) -> Any:
    """An ephemeral message (it leaves no `ts` to remember); by DM if the channel refuses it."""
    user_id = str(row.params["ephemeral_user"])
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
        return {"channel": channel, "ts": ""}
    except SlackApiError as error:
        if error.response.get("error") in ("ratelimited", "internal_error", "fatal_error"):
            raise
        log.info("ephemeral message refused (%s); sending a DM", error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    return client.chat_postMessage(channel=dm, text=text, blocks=blocks, metadata=metadata(row))


def remember(connection: Connection, row: Pending, *, channel: str, ts: str, now: datetime) -> None:
    """Keep the post's channel and ts against the person-bearing record it is about."""
    if row.params.get("update_ts") or row.template == "reply" or not ts:
        return
    named = {key: row.params.get(key) for key in NAMED}
    item_id = row.item_id if row.item_id is not None else _int(row.params.get("item_id"))
    if item_id is None and not any(isinstance(value, int) for value in named.values()):
        return
    privacy.remember_post(
        connection,
        channel=channel,
        ts=ts,
        now=now,
        visit_id=_int(named["visit_id"]),
        message_id=_int(named["message_id"]),
        enquiry_id=_int(named["enquiry_id"]),
        item_id=item_id,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
