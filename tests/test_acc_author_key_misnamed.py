"""The missing-author-key warning names a variable set under a near name (JOURNEYWATCH_AUTHORKEY, JW_AUTHOR_KEY).

With the key exported as JOURNEYWATCH_AUTHORKEY every run warned 'JOURNEYWATCH_AUTHOR_KEY is not set' and
hashed authors with the public key; a user sure they had set it kept running, and when they found the typo,
every author became a new one for the repeat-author counts. The warning now names the variable that is set.
"""

from __future__ import annotations

import logging

import pytest

from journeywatch.listeners import authors as authors_module
from journeywatch.listeners.authors import AUTHOR_KEY_ENV, author_key


def _warning(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, **env: str) -> str:
    monkeypatch.delenv(AUTHOR_KEY_ENV, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(authors_module, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="journeywatch.listeners.authors"):
        author_key()
    [message] = [r.getMessage() for r in caplog.records if AUTHOR_KEY_ENV in r.getMessage()]
    return message


@pytest.mark.parametrize("near", ["JOURNEYWATCH_AUTHORKEY", "JW_AUTHOR_KEY", "JOURNEYWATCH_AUTHOR_SECRET",
                                  "journeywatch_author_key"])
def test_a_near_name_is_named(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, near: str) -> None:
    message = _warning(monkeypatch, caplog, **{near: "k3y-value-secret"})
    assert f"{near} is set: rename it {AUTHOR_KEY_ENV}" in message, message
    assert "k3y-value-secret" not in message


def test_no_near_name_warns_as_before(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    message = _warning(monkeypatch, caplog, JOURNEYWATCH_DATABASE_URL="sqlite:///x.db", AUTHOR="me")
    assert "rename" not in message and message.startswith(f"{AUTHOR_KEY_ENV} is not set"), message
