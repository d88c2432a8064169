"""The double reads a conversation back as Slack does: conversations.history (newest first,
no thread replies) and conversations.replies (a thread, oldest first), with `oldest`, `limit`,
`has_more` and cursors, and message metadata only when asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.console.double import SlackDouble
from bot.runtime.slack_http import PooledWebClient

TOKEN = "xoxb-test"
AT = 1_795_550_400.0  # Slack's clock for these tests: 2026-11-24 15:00 Toronto
ROW = {"event_type": "frontdesk_outbox", "event_payload": {"row": "item:1:dm"}}


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    double = SlackDouble(bot_token=TOKEN)
    double.add_user("U0ALICE", "alice")
    double.add_channel("C0DESK", "front-desk")
    double.add_channel("C0ELSE", "elsewhere", is_member=False)
    double.set_clock(lambda: AT)  # frozen: posts still get a ts each, a microsecond apart
    double.start()
    yield double
    double.stop()


@pytest.fixture(params=[WebClient, PooledWebClient], ids=["urllib", "pooled"])
def client(double: SlackDouble, request: pytest.FixtureRequest) -> WebClient:
    made: WebClient = request.param(token=TOKEN, base_url=double.base_url, retry_handlers=[])
    return made


def texts(page: Any) -> list[str]:
    return [m["text"] for m in page["messages"]]


def post(client: WebClient, text: str, channel: str = "C0DESK", **extra: Any) -> str:
    return str(client.chat_postMessage(channel=channel, text=text, **extra)["ts"])


def test_history_is_newest_first_and_leaves_thread_replies_out(client: WebClient) -> None:
    parent = post(client, "one")
    post(client, "two")
    post(client, "a reply", thread_ts=parent)
    post(client, "a reply also sent to the channel", thread_ts=parent, reply_broadcast=True)
    page = client.conversations_history(channel="C0DESK")
    assert texts(page) == ["a reply also sent to the channel", "two", "one"]
    assert page["has_more"] is False


def test_history_takes_oldest_and_latest_each_left_out_unless_inclusive(
    client: WebClient,
) -> None:
    first, second, third = (post(client, t) for t in ("one", "two", "three"))
    assert texts(client.conversations_history(channel="C0DESK", oldest=first)) == [
        "three",
        "two",
    ]
    between = client.conversations_history(channel="C0DESK", oldest=first, latest=third)
    assert texts(between) == ["two"]
    both = client.conversations_history(
        channel="C0DESK", oldest=first, latest=third, inclusive=True
    )
    assert texts(both) == ["three", "two", "one"]
    assert second in {m["ts"] for m in both["messages"]}


def test_history_comes_a_page_at_a_time_with_a_cursor(client: WebClient) -> None:
    for n in range(5):
        post(client, f"post {n}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.conversations_history(channel="C0DESK", limit=2, cursor=cursor)
        pages += 1
        seen += texts(page)
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert (pages, seen) == (3, [f"post {n}" for n in (4, 3, 2, 1, 0)])


def test_metadata_comes_back_only_when_asked_for(client: WebClient) -> None:
    post(client, "with metadata", metadata=ROW)
    plain = client.conversations_history(channel="C0DESK")
    assert "metadata" not in plain["messages"][0]
    full = client.conversations_history(channel="C0DESK", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == ROW


def test_a_dm_posted_to_by_user_id_or_by_its_channel_reads_back_on_the_channel(
    double: SlackDouble, client: WebClient
) -> None:
    post(client, "to the user", channel="U0ALICE")
    dm = client.conversations_open(users="U0ALICE")["channel"]["id"]
    post(client, "to the DM", channel=dm)
    assert texts(client.conversations_history(channel=dm)) == ["to the DM", "to the user"]
    assert dm == double.dm_channel("U0ALICE")


def test_replies_give_the_thread_oldest_first_from_the_parent_or_any_reply(
    client: WebClient,
) -> None:
    parent = post(client, "parent")
    reply = post(client, "first reply", thread_ts=parent, metadata=ROW)
    post(client, "elsewhere")
    post(client, "second reply", thread_ts=parent)
    for ts in (parent, reply):
        thread = client.conversations_replies(channel="C0DESK", ts=ts, include_all_metadata=True)
        assert texts(thread) == ["parent", "first reply", "second reply"]
        assert thread["messages"][1]["metadata"] == ROW
    later = client.conversations_replies(channel="C0DESK", ts=parent, oldest=parent)
    assert texts(later) == ["first reply", "second reply"]


@pytest.mark.parametrize(
    ("method", "args", "error"),
    [
        ("conversations.history", {"channel": "C0NONE"}, "channel_not_found"),
        ("conversations.history", {"channel": "U0ALICE"}, "channel_not_found"),  # a user ID
        ("conversations.history", {"channel": "C0ELSE"}, "not_in_channel"),
        ("conversations.history", {"channel": "C0DESK", "cursor": "nonsense!"}, "invalid_cursor"),
        (
            "conversations.history",
            {"channel": "C0DESK", "oldest": "yesterday"},
            "invalid_ts_oldest",
        ),
        ("conversations.replies", {"channel": "C0DESK", "ts": "1.000001"}, "thread_not_found"),
    ],
)
def test_reading_what_slack_would_not_let_the_bot_read_is_refused(
    client: WebClient, method: str, args: dict[str, str], error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.api_call(method, http_verb="GET", params=args)
    assert refused.value.response["error"] == error


@pytest.mark.parametrize(
    "metadata",
    [{"event_type": "x"}, {"event_payload": {}}, {"event_type": "", "event_payload": {}}, "x"],
)
def test_metadata_without_a_type_and_a_payload_is_refused(client: WebClient, metadata: Any) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0DESK", text="x", metadata=metadata)
    assert refused.value.response["error"] == "invalid_metadata_format"
