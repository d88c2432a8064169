"""What an outbox row may ask of the sender beyond a plain post.

- `params["update_ts"]`: rewrite that earlier post (in the row's target channel) with
  `chat.update` instead of posting anew; used to redact posts that named someone.
- `params["files"]`: upload these files (`filename`, `title`, `content_b64`) to the same
  conversation with `files_upload_v2` after the post; used by the managers' report. The
  bytes travel in the row, so any replica can send it and a retry sends the same files.
- After a post, a row about a visit, phone message, enquiry or window (`visit_id`,
  `message_id`, `enquiry_id`, `item_id`) is remembered in SlackPost, so it can be redacted
  later.

A failed upload after a successful post retries the whole row, so that post may repeat
once; nothing is lost.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Connection

from storage import privacy
from storage.outbox import Pending

NAMED = ("visit_id", "message_id", "enquiry_id")


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
    update_ts = row.params.get("update_ts")
    if update_ts:
        return client.chat_update(channel=channel, ts=str(update_ts), text=text, blocks=blocks)
    response = client.chat_postMessage(
        channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
    )
    files = row.params.get("files") or []
    if files:
        client.files_upload_v2(
            channel=str(response["channel"]),
            file_uploads=[
                {
                    "content": base64.b64decode(f["content_b64"]),
                    "filename": f["filename"],
                    "title": f.get("title") or f["filename"],
                }
                for f in files
            ],
        )
    return response


def remember(connection: Connection, row: Pending, *, channel: str, ts: str, now: datetime) -> None:
    """Keep the post's channel and ts against the person-bearing record it is about."""
    if row.params.get("update_ts"):
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
