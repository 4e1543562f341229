"""Delivery through apprise to real receivers on 127.0.0.1: SMTP, a JSON webhook, a local file."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.alerts import Alert, EvidenceItem, deliver, redact
from journeywatch.alerts.message import alert_html, alert_title
from tests.servers.smtp import SMTPServer, smtp_server  # noqa: F401
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401

PASSWORD = "Hunter2-smtp-Secret"
TOKEN = "tok-9f8e7d6c5b4a"


def _alert() -> Alert:
    at = datetime(2026, 11, 18, 14, tzinfo=timezone.utc)
    items = [
        EvidenceItem("never flying again, they lost 3 bags", "https://social.example/@a/status/1", "social",
                     "social", "2026-11-18T14:02:00Z"),
        EvidenceItem("<script>alert('x')</script> 1 star, avoid", "https://reviews.example.com/r/40717", "reviews",
                     "review", "2026-11-18T14:09:00Z"),
        EvidenceItem("PSA: avoid", "javascript:alert(1)", "forum", "forum", "2026-11-18T14:11:00Z"),
    ]
    return Alert(1, "Northwind Air", at, at.replace(hour=15), at.replace(hour=15), "active", 16, 0.2, 80.0,
                 1e-20, "poisson", 1, 1.0, 16, items, {"social": 9, "reviews": 4, "forum": 3}, at)


def test_email_arrives_with_the_evidence_links_and_no_password_anywhere(
    smtp_server: SMTPServer, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    alert = _alert()
    url = (f"mailto://brand:{PASSWORD}@{smtp_server.host}:{smtp_server.port}"
           f"?from=alerts@journeywatch.example&to=manager@brand.example&mode=insecure")
    [result] = deliver([url], alert_title(alert), alert_html(alert), retries=0)
    assert result.ok and result.attempts == 1, result.error
    [message] = smtp_server.wait_for(1)
    assert "Northwind Air" in message["Subject"]
    assert smtp_server.envelopes[0][1] == ["manager@brand.example"]
    assert smtp_server.logins == [("brand", PASSWORD)]  # it really logged in with the secret...
    html = message.get_body(("html",)).get_content()
    for link in ("https://social.example/@a/status/1", "https://reviews.example.com/r/40717"):
        assert f'href="{link}"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # internet text is escaped
    assert 'href="javascript:' not in html
    assert "social: 9" in html
    # ...and the secret is nowhere else: not in the result, not in any log line.
    assert "Applying user credentials" in caplog.text  # apprise's own debug lines were captured too
    assert PASSWORD not in repr(result) and PASSWORD not in caplog.text
    assert "brand:****@" in result.target


def test_webhook_failures_are_retried_and_recorded(
    webhook_server: WebhookServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("JW_TEST_HOOK_TOKEN", TOKEN)
    webhook_server.fail_next(2)
    alert = _alert()
    url = f"json://hook:${{JW_TEST_HOOK_TOKEN}}@{webhook_server.host}:{webhook_server.port}/alerts"
    [result] = deliver([url], alert_title(alert), alert_html(alert), retries=3, backoff=0.05)
    assert result.ok and result.attempts == 3
    assert webhook_server.attempts == 3
    [received] = webhook_server.wait_for(1)
    assert received.path == "/alerts"
    assert received.headers.get("Authorization", "").startswith("Basic ")  # the expanded token was used
    body = received.json
    assert "Northwind Air" in body["title"]
    assert "https://social.example/@a/status/1" in body["message"]
    assert "https://reviews.example.com/r/40717" in body["message"]
    assert "failed (attempt 1 of 4)" in caplog.text
    assert "JSON POST URL" in caplog.text  # apprise's own debug lines were captured too
    assert TOKEN not in caplog.text and TOKEN not in repr(result)
    assert result.target == redact(url)


def test_a_target_that_keeps_failing_reports_why_and_the_others_still_get_theirs(
    webhook_server: WebhookServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.chdir(tmp_path)
    webhook_server.fail_next(10)
    urls = [f"json://{webhook_server.host}:{webhook_server.port}/down", "file://logs/alerts.log",
            "json://127.0.0.1:9/hook?token=${JW_TEST_UNSET_VARIABLE}"]
    down, local, unset = deliver(urls, "title", "<p>body <b>bold</b></p>", retries=1, backoff=0.01)
    assert (down.ok, down.attempts) == (False, 2) and down.error
    assert webhook_server.attempts == 2
    assert local.ok and "body bold" in (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8")
    assert (unset.ok, unset.attempts) == (False, 0)
    assert unset.error == "environment variable JW_TEST_UNSET_VARIABLE is not set"


def test_file_target_appends_relative_to_the_working_directory(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for n in (1, 2):
        [result] = deliver(["file://out/demo-alerts.log"], f"alert {n}", f"<p>spike {n}</p>")
        assert result.ok and result.target == "file://out/demo-alerts.log"
    text = (tmp_path / "out" / "demo-alerts.log").read_text(encoding="utf-8")
    assert text.index("alert 1") < text.index("spike 1") < text.index("alert 2") < text.index("spike 2")


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("mailto://user:pa55word@mail.example.org?to=a@example.org", "pa55word"),
        ("json://hook:s3cretT0ken@example.org/hook", "s3cretT0ken"),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "TIiajkdnlazkcOXrIdevi7FQ"),
        ("json://example.org/hook?token=abcdef123456", "abcdef123456"),
        ("unknownservice://AAAA1111BBBB/CCCC2222DDDD", "CCCC2222DDDD"),
    ],
)
def test_redacted_targets_hide_their_secrets(url: str, secret: str) -> None:
    shown = redact(url)
    assert secret not in shown
    assert shown.split("://")[0] == url.split("://")[0]
