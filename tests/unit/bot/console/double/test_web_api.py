"""The Slack Web API double answers the real slack_sdk client and refuses what Slack refuses."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.console.double import SlackDouble, validate_blocks
from bot.console.double.limits import validate_view
from bot.runtime.slack_http import PooledWebClient, PooledWebhookClient

TOKEN = "xoxb-test"


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    double = SlackDouble(team_id="T0FRONT", bot_user_id="U0BOT", bot_token=TOKEN)
    double.add_user("U0ALICE", "alice", real_name="Alice Adams", tz="America/Toronto")
    double.add_user("U0BOB", "bob", tz=None)
    double.add_channel("C0DESK", "front-desk")
    double.add_channel("C0ELSE", "elsewhere", is_member=False)
    double.start()
    yield double
    double.stop()


@pytest.fixture(params=[WebClient, PooledWebClient], ids=["urllib", "pooled"])
def client(double: SlackDouble, request: pytest.FixtureRequest) -> WebClient:
    # slack-sdk's own client, and Front Desk's on kept-alive connections (bot.runtime.slack_http):
    # both must see Slack the same way. No retries unless a test adds them: failures must show.
    made: WebClient = request.param(token=TOKEN, base_url=double.base_url, retry_handlers=[])
    return made


def refusal(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}} | extra


def button(label: str, action_id: str, value: str = "1") -> dict[str, Any]:
    text = {"type": "plain_text", "text": label}
    return {"type": "button", "text": text, "action_id": action_id, "value": value}


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Take a message"), "blocks": blocks} | extra


def post_form(url: str, fields: dict[str, str], token: str | None = TOKEN) -> dict[str, Any]:
    body = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


# ---- identity, directory, DMs ----------------------------------------------------------------


def test_auth_test_answers_with_the_bot_and_team(client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0FRONT", "U0BOT", "B0BOT")


def test_users_info_gives_the_time_zone_when_the_user_has_one(client: WebClient) -> None:
    alice = client.users_info(user="U0ALICE")["user"]
    assert alice["tz"] == "America/Toronto"
    assert alice["tz_offset"] in {-18000, -14400}
    assert alice["profile"] == {"real_name": "Alice Adams", "display_name": "alice"}
    assert "tz" not in client.users_info(user="U0BOB")["user"]
    assert refusal(lambda: client.users_info(user="U0NOBODY")).response["error"] == "user_not_found"
    names = {m["name"] for m in client.users_list()["members"]}
    assert {"alice", "bob", "frontdesk"} <= names


def test_a_dm_channel_is_the_same_every_time(double: SlackDouble, client: WebClient) -> None:
    first = client.conversations_open(users="U0ALICE")["channel"]["id"]
    assert first.startswith("D")
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == first
    assert double.dm_channel("U0ALICE") == first
    assert double.user_for_dm(first) == "U0ALICE"
    assert double.user_for_dm("C0DESK") is None


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed")])
def test_a_wrong_or_missing_token_is_refused(
    double: SlackDouble, token: str | None, error: str
) -> None:
    answer = post_form(double.base_url + "auth.test", {}, token=token)
    assert answer == {"ok": False, "error": error}
    assert double.calls[-1].error == error


def test_a_token_may_come_as_an_argument(double: SlackDouble) -> None:
    answer = post_form(double.base_url + "auth.test", {"token": TOKEN}, token=None)
    assert answer["ok"] is True
    assert "token" not in double.calls[-1].args


def test_an_unknown_method_is_refused(client: WebClient) -> None:
    assert refusal(lambda: client.api_call("pins.add")).response["error"] == "unknown_method"


# ---- messages ----------------------------------------------------------------------------------


def test_posts_get_increasing_timestamps_and_are_recorded_as_json(
    double: SlackDouble, client: WebClient
) -> None:
    double.set_clock(lambda: 1_795_550_400.0)  # as Slack does: the time it took the post
    first = client.chat_postMessage(channel="C0DESK", text="one")
    second = client.chat_postMessage(channel="C0DESK", text="two", blocks=[section("two")])
    assert first["ts"] == "1795550400.000000"
    assert second["ts"] == "1795550400.000001"  # never two alike, even on a frozen clock
    call = double.calls_to("chat.postMessage")[1]
    assert call.args["blocks"] == [section("two")]
    assert call.response["ts"] == second["ts"]
    assert double.message("C0DESK", second["ts"])["text"] == "two"  # type: ignore[index]


def test_form_fields_holding_json_are_decoded(double: SlackDouble) -> None:
    fields = {"channel": "C0DESK", "text": "hi", "blocks": json.dumps([section("hi")])}
    assert post_form(double.base_url + "chat.postMessage", fields)["ok"] is True
    assert double.calls[-1].args == {
        "channel": "C0DESK",
        "text": "hi",
        "blocks": [section("hi")],
    }


def test_a_post_to_a_user_id_lands_in_their_dm(double: SlackDouble, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U0ALICE", text="Your visitor is here")
    assert posted["channel"] == double.dm_channel("U0ALICE")
    dm = client.conversations_open(users="U0BOB")["channel"]["id"]
    assert client.chat_postMessage(channel=dm, text="hi")["channel"] == dm


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": "C0NOWHERE", "text": "x"}, "channel_not_found"),
        ({"channel": "C0ELSE", "text": "x"}, "not_in_channel"),
        ({"channel": "C0DESK"}, "no_text"),
        ({"channel": "C0DESK", "text": ""}, "no_text"),
        ({"channel": "C0DESK", "text": "x", "link_names": True}, "invalid_arguments"),
        ({"channel": "C0DESK", "text": "x", "link_names": 1}, "invalid_arguments"),
        ({"channel": "C0DESK", "text": "x", "parse": "full"}, "invalid_arguments"),
        ({"channel": "C0DESK", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_a_post_slack_would_refuse_is_refused(
    double: SlackDouble, client: WebClient, arguments: dict[str, Any], error: str
) -> None:
    assert (
        refusal(lambda: client.api_call("chat.postMessage", json=arguments)).response["error"]
        == error
    )
    assert double.calls_to("chat.postMessage") == []
    assert double.calls_to("chat.postMessage", include_failed=True)[0].error == error


def test_chat_update_changes_the_message_and_keeps_blocks_left_out(
    double: SlackDouble, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="C0DESK", text="Ann arrived", blocks=[section("Ann")])
    client.chat_update(channel="C0DESK", ts=posted["ts"], text="[removed]")
    message = double.message("C0DESK", posted["ts"])
    assert message is not None
    assert (message["text"], message["blocks"]) == ("[removed]", [section("Ann")])
    client.chat_update(channel="C0DESK", ts=posted["ts"], text="gone", blocks=[])
    assert double.message("C0DESK", posted["ts"])["blocks"] == []  # type: ignore[index]
    missing = refusal(lambda: client.chat_update(channel="C0DESK", ts="1.000000", text="x"))
    assert missing.response["error"] == "message_not_found"


def test_chat_delete_removes_the_message(double: SlackDouble, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0DESK", text="x")
    client.chat_delete(channel="C0DESK", ts=posted["ts"])
    assert double.message("C0DESK", posted["ts"]) is None


def test_an_ephemeral_needs_a_known_user(client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C0DESK", user="U0ALICE", text="Signed in")
    assert answer["message_ts"]
    unknown = refusal(lambda: client.chat_postEphemeral(channel="C0DESK", user="U0X", text="x"))
    assert unknown.response["error"] == "user_not_found"


# ---- Block Kit limits --------------------------------------------------------------------------

LIMIT_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("51 blocks", [{"type": "divider"}] * 51, "51 blocks"),
    ("section text", [section("x" * 3001)], "3001 characters"),
    ("header", [{"type": "header", "text": plain("x" * 151)}], "151 characters"),
    ("mrkdwn header", [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "plain_text"),
    ("11 fields", [{"type": "section", "fields": [plain("f")] * 11}], "11 fields"),
    ("long field", [{"type": "section", "fields": [plain("x" * 2001)]}], "2001 characters"),
    ("button text", [{"type": "actions", "elements": [button("x" * 76, "a")]}], "76 characters"),
    ("action_id", [{"type": "actions", "elements": [button("Go", "a" * 256)]}], "action_id"),
    (
        "button value",
        [{"type": "actions", "elements": [button("Go", "a", "v" * 2001)]}],
        "button.value",
    ),
    (
        "repeated action_id",
        [section("x", accessory=button("A", "same")), section("y", accessory=button("B", "same"))],
        "action_id 'same' is used twice",
    ),
    ("repeated block_id", [section("x", block_id="b"), section("y", block_id="b")], "block_id"),
    (
        "26 elements",
        [{"type": "actions", "elements": [button("B", f"a{i}") for i in range(26)]}],
        "26 elements",
    ),
    ("unknown block", [{"type": "carousel"}], "unknown block type 'carousel'"),
    (
        "unknown element",
        [{"type": "actions", "elements": [{"type": "slider", "action_id": "s"}]}],
        "'slider'",
    ),
    ("text type", [{"type": "section", "text": {"type": "markdown", "text": "x"}}], "type"),
    ("empty text", [section("")], "non-empty"),
    (
        "input in a message",
        [
            {
                "type": "input",
                "label": plain("Name"),
                "element": {"type": "plain_text_input", "action_id": "n"},
            }
        ],
        "not allowed in messages",
    ),
]


@pytest.mark.parametrize(
    ("blocks", "detail"), [c[1:] for c in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES]
)
def test_blocks_over_a_documented_limit_are_refused(
    double: SlackDouble, client: WebClient, blocks: list[dict[str, Any]], detail: str
) -> None:
    refused = refusal(lambda: client.chat_postMessage(channel="C0DESK", text="t", blocks=blocks))
    assert refused.response["error"] == "invalid_blocks"
    assert detail in refused.response["errors"][0]
    call = double.calls[-1]
    assert (call.ok, call.error) == (False, "invalid_blocks")


def test_a_message_at_the_limits_is_accepted(client: WebClient) -> None:
    blocks = [{"type": "header", "text": plain("x" * 150)}, section("x" * 3000)]
    blocks += [{"type": "actions", "elements": [button("x" * 75, f"a{i}") for i in range(25)]}]
    blocks += [{"type": "section", "fields": [plain("x" * 2000)] * 10}]
    blocks += [{"type": "divider"}] * (50 - len(blocks))
    assert client.chat_postMessage(channel="C0DESK", text="t", blocks=blocks)["ok"] is True


def test_a_view_holds_up_to_100_blocks() -> None:
    assert validate_blocks([{"type": "divider"}] * 100, "modal") is None
    assert validate_blocks([{"type": "divider"}] * 100, "home") is None
    assert "101 blocks" in (validate_blocks([{"type": "divider"}] * 101, "home") or "")
    assert "50 blocks" not in (validate_blocks([{"type": "divider"}] * 50, "message") or "")


# ---- views -------------------------------------------------------------------------------------

NAME_INPUT = {
    "type": "input",
    "block_id": "caller",
    "label": plain("Caller"),
    "element": {"type": "plain_text_input", "action_id": "caller"},
}


def test_a_modal_opens_and_updates(double: SlackDouble, client: WebClient) -> None:
    view = modal([NAME_INPUT], submit=plain("Send"), external_id="msg-1")
    opened = client.views_open(trigger_id="123.456", view=view)["view"]
    assert opened["id"].startswith("V")
    assert opened["blocks"] == [NAME_INPUT]
    updated = client.views_update(external_id="msg-1", view=view | {"title": plain("Sent")})
    assert updated["view"]["id"] == opened["id"]
    assert double.view(opened["id"])["title"] == plain("Sent")  # type: ignore[index]
    pushed = client.views_push(trigger_id="123.457", view=modal([section("Done")]))
    assert pushed["view"]["id"] != opened["id"]


def test_a_home_tab_is_published_per_user(double: SlackDouble, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("My desk")]}
    first = client.views_publish(user_id="U0ALICE", view=home)["view"]
    again = client.views_publish(user_id="U0ALICE", view=home)["view"]
    assert first["id"] == again["id"]
    assert double.home_view("U0ALICE")["blocks"] == [section("My desk")]  # type: ignore[index]
    assert double.home_view("U0BOB") is None


@pytest.mark.parametrize("trigger_id", ["", None])
def test_a_modal_needs_a_trigger_id(client: WebClient, trigger_id: str | None) -> None:
    arguments: dict[str, Any] = {"view": modal([section("x")])}
    if trigger_id is not None:
        arguments["trigger_id"] = trigger_id
    refused = refusal(lambda: client.api_call("views.open", json=arguments))
    assert refused.response["error"] == "invalid_trigger_id"


VIEW_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("no title", {"type": "modal", "blocks": []}, "invalid_arguments", "title"),
    ("long title", modal([], title=plain("x" * 25)), "invalid_arguments", "25 characters"),
    ("long submit", modal([], submit=plain("x" * 25)), "invalid_arguments", "submit"),
    ("long close", modal([], close=plain("x" * 25)), "invalid_arguments", "close"),
    ("home as modal", {"type": "home", "blocks": []}, "invalid_arguments", "'modal'"),
    ("metadata", modal([], private_metadata="x" * 3001), "invalid_arguments", "3001"),
    ("inputs, no submit", modal([NAME_INPUT]), "invalid_arguments", "submit"),
    ("101 blocks", modal([{"type": "divider"}] * 101), "invalid_blocks", "101 blocks"),
]


@pytest.mark.parametrize(
    ("view", "error", "detail"), [c[1:] for c in VIEW_CASES], ids=[c[0] for c in VIEW_CASES]
)
def test_a_modal_slack_would_refuse_is_refused(
    client: WebClient, view: dict[str, Any], error: str, detail: str
) -> None:
    refused = refusal(lambda: client.views_open(trigger_id="1.2", view=view))
    assert refused.response["error"] == error
    assert detail in refused.response["errors"][0]


def test_a_home_view_must_say_it_is_one(client: WebClient) -> None:
    refused = refusal(lambda: client.views_publish(user_id="U0ALICE", view=modal([])))
    assert refused.response["error"] == "invalid_arguments"
    assert validate_view({"type": "home", "blocks": [NAME_INPUT]}, "home") is None


# ---- failures on demand ------------------------------------------------------------------------


def test_a_429_carries_retry_after_and_the_retry_handler_gets_through(
    double: SlackDouble, client: WebClient
) -> None:
    double.fail("chat.postMessage", status=429, retry_after=3)
    refused = refusal(lambda: client.chat_postMessage(channel="C0DESK", text="x"))
    assert refused.response.status_code == 429
    assert refused.response.headers["Retry-After"] == "3"
    assert refused.response["error"] == "ratelimited"

    double.fail("chat.postMessage", status=429, retry_after=0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    assert client.chat_postMessage(channel="C0DESK", text="x")["ok"] is True
    outcomes = [(c.ok, c.error) for c in double.calls_to("chat.postMessage", include_failed=True)]
    assert outcomes == [(False, "ratelimited"), (False, "ratelimited"), (True, None)]


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_has_an_error_body(
    double: SlackDouble, client: WebClient, status: int
) -> None:
    double.fail("users.info", status=status, error="internal_error")
    refused = refusal(lambda: client.users_info(user="U0ALICE"))
    assert refused.response.status_code == status
    assert refused.response["error"] == "internal_error"
    assert client.users_info(user="U0ALICE")["ok"] is True


def test_an_ok_false_failure_lasts_the_given_times_or_until_cleared(
    double: SlackDouble, client: WebClient
) -> None:
    double.fail("chat.postMessage", error="fatal_error", times=2)
    for _ in range(2):
        refused = refusal(lambda: client.chat_postMessage(channel="C0DESK", text="x"))
        assert refused.response["error"] == "fatal_error"
    assert client.chat_postMessage(channel="C0DESK", text="x")["ok"] is True

    double.fail("chat.postMessage", error="channel_not_found", times=None)
    for _ in range(3):
        refusal(lambda: client.chat_postMessage(channel="C0DESK", text="x"))
    double.clear_failures()
    assert client.chat_postMessage(channel="C0DESK", text="x")["ok"] is True


def test_refused_connections_then_the_same_port_again(
    double: SlackDouble, client: WebClient
) -> None:
    base_url = double.base_url
    assert client.auth_test()["ok"] is True  # a pooled client now holds a connection open
    double.refuse_connections()
    with pytest.raises(URLError) as raised:
        client.auth_test()
    assert isinstance(raised.value.reason, ConnectionRefusedError)
    double.accept_connections()
    assert double.base_url == base_url
    assert client.auth_test()["ok"] is True


def test_the_pooled_client_keeps_its_connection_alive(double: SlackDouble) -> None:
    pooled = PooledWebClient(token=TOKEN, base_url=double.base_url)
    before = double.connections_accepted
    for n in range(5):
        pooled.chat_postMessage(channel="C0DESK", text=f"post {n}")
    assert double.connections_accepted - before == 1
    assert [c.args["text"] for c in double.calls_to("chat.postMessage")][-5:] == [
        f"post {n}" for n in range(5)
    ]


# ---- files and response_url --------------------------------------------------------------------


def test_files_upload_v2_works_end_to_end(
    double: SlackDouble, client: WebClient, tmp_path: Path
) -> None:
    answer = client.files_upload_v2(
        channel="C0DESK",
        file=b"week,items\n48,12\n",
        filename="report.csv",
        title="Weekly report",
        initial_comment="This week's figures",
    )
    assert answer["file"]["title"] == "Weekly report"
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG fake")
    dm = client.conversations_open(users="U0ALICE")["channel"]["id"]
    client.files_upload_v2(channel=dm, file=str(chart), title="Chart")
    first, second = double.uploaded_files
    assert first["filename"] == "report.csv"
    assert first["bytes"] == b"week,items\n48,12\n"
    assert (first["channels"], first["initial_comment"]) == (["C0DESK"], "This week's figures")
    assert (second["filename"], second["bytes"], second["channels"]) == (
        "chart.png",
        b"\x89PNG fake",
        [dm],
    )
    methods = [c.method for c in double.calls]
    assert methods.count("files.completeUploadExternal") == 2


def test_completing_an_upload_that_never_happened_is_refused(client: WebClient) -> None:
    refused = refusal(lambda: client.files_completeUploadExternal(files=[{"id": "F0NOPE"}]))
    assert refused.response["error"] == "file_not_found"


@pytest.mark.parametrize("webhooks", [WebhookClient, PooledWebhookClient])
def test_a_response_url_post_is_recorded_with_who_and_where(
    double: SlackDouble, client: WebClient, webhooks: type[WebhookClient]
) -> None:
    posted = client.chat_postMessage(channel="C0DESK", text="Ann is here", blocks=[section("Ann")])
    url = double.response_url("U0ALICE", "C0DESK", message_ts=posted["ts"])
    webhook = webhooks(url)
    answer = webhook.send(text="On my way", replace_original=True)
    assert answer.status_code == 200
    call = double.wait_for("response_url")[0]
    assert call.args == {
        "text": "On my way",
        "replace_original": True,
        "user": "U0ALICE",
        "channel": "C0DESK",
    }
    assert double.message("C0DESK", posted["ts"])["text"] == "On my way"  # type: ignore[index]
    for _ in range(4):
        assert webhook.send(text="again").status_code == 200
    assert webhook.send(text="sixth").status_code == 404
    bad = double.response_url("U0ALICE", "C0DESK")
    assert webhooks(bad).send(text="x", blocks=[{"type": "carousel"}]).status_code == 400


# ---- recording ---------------------------------------------------------------------------------


def test_wait_for_blocks_until_the_calls_arrive(double: SlackDouble, client: WebClient) -> None:
    def post_later() -> None:
        for text in ("one", "two"):
            client.chat_postMessage(channel="C0DESK", text=text)

    threading.Timer(0.05, post_later).start()
    calls = double.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "C0DESK", count=2, timeout=5
    )
    assert [c.args["text"] for c in calls] == ["one", "two"]
    assert calls[0].at <= calls[1].at


def test_wait_for_says_what_it_saw_when_it_times_out(
    double: SlackDouble, client: WebClient
) -> None:
    client.chat_postMessage(channel="C0DESK", text="to the desk")
    with pytest.raises(AssertionError, match="to the desk"):
        double.wait_for("chat.postMessage", lambda c: c.args["channel"] == "D0X", timeout=0.1)


def test_clear_forgets_calls_but_not_messages(double: SlackDouble, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0DESK", text="x")
    double.clear()
    assert double.calls == []
    assert double.message("C0DESK", posted["ts"]) is not None


def test_the_directory_can_be_read_without_a_call(double: SlackDouble) -> None:
    assert double.user("U0ALICE")["real_name"] == "Alice Adams"  # type: ignore[index]
    assert double.user("U0NOBODY") is None
    assert double.calls == []


# ---- pace: latency and Slack's rate limits (off unless turned on) ---------------------------


def test_without_pacing_a_quiet_channel_takes_any_number_of_posts(
    double: SlackDouble, client: WebClient
) -> None:
    for n in range(10):
        client.chat_postMessage(channel="C0DESK", text=f"post {n}")
    assert len(double.calls_to("chat.postMessage")) == 10


def test_a_channel_takes_a_short_burst_then_answers_429_with_retry_after(
    double: SlackDouble, client: WebClient
) -> None:
    double.rate_limit_posts(per_second=1.0, burst=3)
    for n in range(3):
        client.chat_postMessage(channel="C0DESK", text=f"post {n}")
    refused = refusal(lambda: client.chat_postMessage(channel="C0DESK", text="one too many"))
    assert refused.response.status_code == 429
    assert refused.response["error"] == "ratelimited"
    assert int(refused.response.headers["Retry-After"]) >= 1
    # The pace is per channel: a DM (by user id or by its D… channel) has a burst of its own.
    client.chat_postMessage(channel="U0ALICE", text="to alice")
    dm = str(client.conversations_open(users="U0ALICE")["channel"]["id"])
    client.chat_postMessage(channel=dm, text="to alice again")
    client.chat_postMessage(channel=dm, text="and again")
    assert (
        refusal(lambda: client.chat_postMessage(channel=dm, text="no")).response.status_code == 429
    )


def test_the_bucket_refills_at_the_pace() -> None:
    from bot.console.double.pacing import ChannelRateLimit

    now = [100.0]
    limit = ChannelRateLimit(per_second=1.0, burst=2, monotonic=lambda: now[0])
    assert [limit.take("C1") for _ in range(3)] == [None, None, 1]
    now[0] += 0.5
    assert limit.take("C1") == 1  # half a post saved up: not yet
    now[0] += 0.5
    assert limit.take("C1") is None and limit.take("C2") is None  # one a second; C2 its own


def test_latency_delays_each_answer_and_calls_in_flight_overlap(
    double: SlackDouble, client: WebClient
) -> None:
    import time

    double.set_latency(0.05)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.05
    threads = [
        threading.Thread(target=lambda: client.chat_postMessage(channel="C0DESK", text="x"))
        for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 4 * 0.05  # side by side, not one after another
