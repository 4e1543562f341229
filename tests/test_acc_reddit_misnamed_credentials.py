"""A Reddit credential set under a near name (REDDIT_SECRET, praw's own praw_client_secret) is named in the error.

With REDDIT_SECRET exported instead of REDDIT_CLIENT_SECRET the source failed with 'environment variable
REDDIT_CLIENT_SECRET is not set': true, but the user, sure they had set it, looked for a shell or cron problem.
The message now names the variable that is set, never its value.
"""

from __future__ import annotations

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import credentials

GOOD = {"REDDIT_CLIENT_ID": "id-1", "REDDIT_CLIENT_SECRET": "s3cret-value", "REDDIT_USER_AGENT": "acc/1 by me"}


def _message(env: dict[str, str]) -> str:
    with pytest.raises(SourceError) as caught:
        credentials("reddit-home", env)
    return str(caught.value)


@pytest.mark.parametrize(("wrong", "right"), [
    ("REDDIT_SECRET", "REDDIT_CLIENT_SECRET"),
    ("praw_client_secret", "REDDIT_CLIENT_SECRET"),  # praw's own environment names
    ("REDDIT_USERAGENT", "REDDIT_USER_AGENT"),
    ("REDDIT_ID", "REDDIT_CLIENT_ID"),
])
def test_a_credential_under_a_near_name_is_named(wrong: str, right: str) -> None:
    env = {name: value for name, value in GOOD.items() if name != right} | {wrong: "s3cret-value"}
    message = _message(env)
    assert f"environment variable {right} is not set" in message
    assert f"{wrong} is set: rename it {right}" in message, message
    assert "s3cret-value" not in message


def test_nothing_near_adds_nothing() -> None:
    env = {name: value for name, value in GOOD.items() if name != "REDDIT_CLIENT_SECRET"} | {"HOME": "/root"}
    assert "rename" not in _message(env)


def test_an_empty_near_name_is_not_named() -> None:
    env = {name: value for name, value in GOOD.items() if name != "REDDIT_CLIENT_SECRET"} | {"REDDIT_SECRET": " "}
    assert "rename" not in _message(env)
