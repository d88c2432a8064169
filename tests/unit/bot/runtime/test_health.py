"""`GET /healthz` (bot.runtime.serve.Health): the database, and Slack's word on the bot token, asked at
most once a round; a refused token fails the check, an unreachable Slack does not."""

from __future__ import annotations

import pytest

from bot.runtime.serve import Health


class Answers:
    """auth.test's answers in turn (None: accepted), and how often it was asked."""

    def __init__(self, *answers: str | None | Exception) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self) -> str | None:
        self.asked += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fine() -> None:
    return None


def test_healthy_when_the_database_answers_and_slack_takes_the_token() -> None:
    assert Health(fine, Answers(None)).problem() is None


def test_a_database_that_does_not_answer_fails_the_check() -> None:
    def broken() -> None:
        raise ConnectionError("no route to host")

    assert Health(broken, Answers(None)).problem() == "database unreachable"


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_refused_token_fails_the_check_until_slack_takes_it_again(code: str) -> None:
    clock = Clock()
    slack = Answers(code, None)
    health = Health(fine, slack, slack_every=30, monotonic=clock)
    assert health.problem() == f"Slack refuses the bot token ({code})"
    clock.now += 29
    assert health.problem() is not None  # not asked again within the round
    assert slack.asked == 1
    clock.now += 2
    assert health.problem() is None
    assert slack.asked == 2


def test_slack_is_asked_at_most_once_a_round() -> None:
    clock = Clock()
    slack = Answers(None)
    health = Health(fine, slack, slack_every=30, monotonic=clock)
    for _ in range(100):
        assert health.problem() is None
    assert slack.asked == 1


def test_slack_unreachable_keeps_the_last_answer() -> None:
    clock = Clock()
    slack = Answers(None, OSError("connection refused"))
    health = Health(fine, slack, slack_every=1, monotonic=clock)
    assert health.problem() is None
    clock.now += 2
    assert health.problem() is None
    assert slack.asked == 2


def test_other_slack_errors_do_not_fail_the_check() -> None:
    assert Health(fine, Answers("ratelimited")).problem() is None
