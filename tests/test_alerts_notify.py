"""Delivery through apprise to real receivers on 127.0.0.1: SMTP, a JSON webhook, a local file."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.alerts import Alert, EvidenceItem, deliver, redact
from journeywatch.alerts.message import alert_html, alert_title
from journeywatch.errors import ConfigError
from journeywatch.settings import load_config
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
    assert "://****@" in result.target and "brand" not in result.target  # the user is a credential too


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


def test_nothing_of_a_targets_credentials_or_token_path_reaches_any_log_line(
    webhook_server: WebhookServer, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, apprise's and urllib3's included
    webhook_server.fail_next(1)
    user, password, token = "alertbot", "S3cr3t-pass-word", "tokA1b2C3d4E5f6"
    url = f"json://{user}:{password}@{webhook_server.host}:{webhook_server.port}/hooks/{token}"
    [result] = deliver([url], "title", "<p>body</p>", retries=1, backoff=0.01)
    assert result.ok and result.attempts == 2
    assert webhook_server.requests[0].path == f"/hooks/{token}"  # the real URL was used...
    assert "JSON POST URL" in caplog.text and "failed (attempt 1 of 2)" in caplog.text
    logged = caplog.text + repr(result)
    # ...and not one piece of it was printed, whole or in apprise's half-masked forms (s...d, ...word).
    for secret in (user, password, token):
        for form in (secret, f"{secret[0]}...{secret[-1]}", f"...{secret[-4:]}"):
            assert form not in logged, form


def test_a_target_apprise_cannot_load_fails_at_once_and_the_others_are_still_retried(
    webhook_server: WebhookServer, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    webhook_server.fail_next(1)
    urls = ["nosuchservice://user:Pa55word-x@example.org/x", "mailto://user:Pa55word-x@",
            f"json://{webhook_server.host}:{webhook_server.port}/hook"]
    unknown, unloadable, flaky = deliver(urls, "title", "<p>body</p>", retries=3, backoff=0.01)
    assert (unknown.ok, unknown.attempts, unknown.permanent) == (False, 0, True)
    assert unknown.error == "apprise has no nosuchservice:// service (check the scheme)"
    assert (unloadable.ok, unloadable.attempts, unloadable.permanent) == (False, 0, True)
    assert "cannot load this mailto:// URL" in (unloadable.error or "")
    assert (flaky.ok, flaky.attempts, flaky.permanent) == (True, 2, False)  # a transient failure is retried
    assert "not retried" in caplog.text and "Pa55word" not in caplog.text


def test_a_notify_url_apprise_cannot_parse_is_a_config_error_naming_it_without_its_secret(tmp_path: Path) -> None:
    path = tmp_path / "journeywatch.yaml"
    path.write_text(
        "brands: [{name: Acme, query: acme}]\n"
        "alerts:\n"
        "  notify: ['json://127.0.0.1:8099/hook', 'mailto://user:Pa55word-x@', 'file://out/alerts.log',\n"
        "           'mailto://user:${JW_TEST_UNSET_VARIABLE}@example.org', 'nosuch://user:Pa55word-x@host',\n"
        "           'https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ',\n"
        "           'https://example.org/hook/Pa55word-x']\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert "config key 'alerts.notify[1]': apprise cannot load this mailto:// URL" in message
    assert "config key 'alerts.notify[4]': apprise has no nosuch:// service" in message
    assert "config key 'alerts.notify[6]': apprise knows no service at this https:// URL" in message
    # a valid URL, our file target, an unset ${NAME}, the webhook URL Slack hands out
    for fine in ("notify[0]", "notify[2]", "notify[3]", "notify[5]"):
        assert fine not in message
    assert "Pa55word" not in message


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


def test_digest_notify_urls_are_checked_on_load_like_the_alerts_ones(tmp_path: Path) -> None:
    path = tmp_path / "journeywatch.yaml"
    path.write_text("brands: [{name: Acme, query: acme}]\n"
                    "digest:\n  notify: ['file://out/digest.log', 'mailto://user:Pa55word-x@']\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "config key 'digest.notify[1]': apprise cannot load this mailto:// URL" in str(raised.value)
    assert "notify[0]" not in str(raised.value) and "Pa55word" not in str(raised.value)


def test_a_scan_over_several_windows_says_how_many() -> None:
    # The detector tests sums of up to scan_windows (default 6) windows; the body named any of them
    # "this and the previous window", wrong for a 3-window span shown as 17:45–18:30.
    alert = _alert()
    alert.windows = 3
    body = alert_html(alert)
    assert "the last 3 windows" in body and "the previous window" not in body


def test_a_quoted_post_pings_no_one_and_links_nowhere_in_chat_but_data_targets_get_it_as_is(
    webhook_server: WebhookServer,  # noqa: F811
) -> None:
    # A post quoting @everyone reached Discord and Mattermost as a live mention (a whole channel
    # pinged by a stranger), and an alert's `[label](url)` became a live, disguised link there.
    from journeywatch.reports.render_markdown import md_escape

    post = "@everyone @here (@channel) <@1234> <!channel> see [refund form](https://evil.example/x), mail me a@b.co"
    alert = _alert()
    alert.top_items[0] = EvidenceItem(post, "https://social.example/@a/status/1", "social", "social",
                                      "2026-11-18T14:02:00Z")
    chat = f"mmost://{webhook_server.host}:{webhook_server.port}/abcdefghijkl"  # Mattermost: a real chat plugin
    data = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    results = deliver([chat, data], alert_title(alert), alert_html(alert), "html", retries=0)
    results += deliver([chat, data], "digest", f"> “{md_escape(post)}” · [link](https://social.example/@a/1)",
                       "markdown", retries=0)
    assert all(r.ok for r in results), results
    received = webhook_server.wait_for(4)
    alert_chat, alert_data, digest_chat, digest_data = (r.json for r in received)
    assert [r.path for r in received] == ["/hooks/abcdefghijkl", "/hook"] * 2
    for text in (alert_chat["text"], digest_chat["text"]):
        for token in ("@everyone", "@here", "@channel", "<@1234>", "@1234", "<!channel>", "!channel"):
            assert token not in text, (token, text)
        assert "@\u200beveryone" in text and "@\u200bhere" in text and "a@b.co" in text  # reads the same
        assert "https://social.example/@a/" in text  # our links keep their '@'
    assert "](https://evil" not in alert_chat["text"] and "[refund form]\u200b(https://evil.example/x)" in alert_chat["text"]
    assert "[link](https://social.example/@a/1)" in digest_chat["text"]  # the digest's own link stays live
    assert "@everyone" in alert_data["message"] and "@everyone" in digest_data["message"]  # JSON: unchanged


def test_a_redacted_target_shows_the_options_written_not_every_apprise_default() -> None:
    # Delivery lines read "sent to mailto://****@host/****?format=html&overflow=upstream&retry=0&wait=0.5
    # &optional=no&cto=15&from=..." for a target written with from= alone.
    shown = redact("mailto://user:pa55word@mail.example.org:2525?from=jw@example.org&to=bm@example.org")
    assert shown.startswith("mailto://****@mail.example.org:2525") and "from=jw%40example.org" in shown
    assert not any(default in shown for default in ("overflow=", "retry=", "wait=", "optional=", "cto=", "format="))
    assert "pa55word" not in shown and "user" not in shown
    assert "format=text" in redact("mailto://user:pw@example.org?format=text")


def test_a_large_expected_count_reads_as_a_number_not_in_exponent_form() -> None:
    # A busy brand's baseline of 150 an hour read "against 1.5e+02 expected" in the alert and in alerts list.
    alert = _alert()
    alert.observed, alert.expected, alert.ratio = 400, 150.4, 400 / 150.4
    assert "against 150 expected" in alert_html(alert) and "e+02" not in alert_html(alert)
    assert "expected 150 " in alert.summary_line() and "e+02" not in alert.summary_line()
    alert.expected = 0.0063
    assert "against 0.0063 expected" in alert_html(alert)


def test_a_webhook_that_refuses_the_request_is_not_retried(webhook_server: WebhookServer) -> None:  # noqa: F811
    # A 401 or 404 (wrong token, deleted hook) was retried with backoff like a 503, as if it could mend.
    webhook_server.fail_next(1, 404)
    alert = _alert()
    url = f"json://{webhook_server.host}:{webhook_server.port}/alerts"
    [result] = deliver([url], alert_title(alert), alert_html(alert), retries=3, backoff=0.05)
    assert not result.ok and result.permanent and result.attempts == 1
    assert "HTTP 404, which retrying cannot mend; check the target URL and its token" in (result.error or "")
    assert webhook_server.attempts == 1
    webhook_server.fail_next(1, 429)  # too many requests: worth another try
    [again] = deliver([url], alert_title(alert), alert_html(alert), retries=3, backoff=0.05)
    assert again.ok and again.attempts == 2


def test_a_login_to_a_mail_server_that_offers_none_is_not_retried() -> None:
    # 'SMTP AUTH extension not supported by server' was retried like a dropped connection.
    server = SMTPServer(offer_auth=False).start()
    try:
        alert = _alert()
        url = (f"mailto://brand:Pa55-word@{server.host}:{server.port}"
               "?from=alerts@journeywatch.example&to=manager@brand.example&mode=insecure")
        [result] = deliver([url], alert_title(alert), alert_html(alert), retries=3, backoff=0.05)
    finally:
        server.stop()
    assert not result.ok and result.permanent and result.attempts == 1
    assert "offers no login (SMTP AUTH)" in (result.error or "") and "Pa55-word" not in (result.error or "")


def test_an_unreachable_target_says_so_in_a_few_words_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    # A refused connection read "A Connection error occurred sending JSON notification to 127.0.0.1.;
    # HTTPConnectionPool(host=...): Max retries exceeded with url: /hook (Caused by NewConnectionError(...))",
    # and apprise's own warning was printed beside ours on every attempt.
    import logging
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caplog.set_level(logging.INFO)
    [result] = deliver([f"json://127.0.0.1:{port}/hook?token=T0k3n-secret"], "title", "<p>body</p>", retries=1,
                       backoff=0.01)
    assert (result.ok, result.attempts, result.permanent) == (False, 2, False)
    assert result.error == f"connection refused by 127.0.0.1:{port}: nothing listens there (is the receiver running?)"
    assert not [r for r in caplog.records if r.name == "apprise" and r.levelno >= logging.WARNING]
    assert [r.levelname for r in caplog.records if r.name == "journeywatch.alerts"] == ["WARNING", "INFO"]
    assert "T0k3n-secret" not in caplog.text


def test_a_file_target_that_cannot_be_written_says_why(tmp_path: Path) -> None:
    # apprise said only "An exception occured sending a journeywatch file notification."
    (tmp_path / "out").mkdir()
    [result] = deliver([f"file://{tmp_path / 'out'}"], "title", "<p>body</p>", retries=0)
    assert not result.ok
    assert result.error == f"cannot write {tmp_path / 'out'}: Is a directory"


def test_a_mail_server_that_is_not_there_says_so() -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    [result] = deliver([f"mailto://brand:pw@127.0.0.1:{port}?from=alerts@journeywatch.example"
                        "&to=manager@brand.example&mode=insecure"], "title", "<p>body</p>", retries=0)
    assert result.error == ("connection refused by the mail server 127.0.0.1: nothing listens there "
                            "(check its host and port)")


@pytest.mark.parametrize("user", ["mail", "a", "server"])
def test_a_user_name_that_is_a_plain_word_is_masked_only_where_it_names_the_user(
    smtp_server: SMTPServer, caplog: pytest.LogCaptureFixture, user: str  # noqa: F811
) -> None:
    # The user name was masked as a word everywhere: user 'mail' made the error read "the ****
    # server", user 'a' "m****il server"; apprise's lines lost every 'a'. Only user@ is masked now.
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caplog.set_level(logging.INFO)
    down, up = deliver([f"mailto://{user}:Pa55-{user}-word@127.0.0.1:{port}?from=alerts@journeywatch.example"
                        "&to=manager@brand.example&mode=insecure",
                        f"mailto://{user}:Pa55-{user}-word@{smtp_server.host}:{smtp_server.port}"
                        f"?from={user}@journeywatch.example&to=manager@brand.example&mode=insecure"],
                       "title", "<p>body</p>", retries=0)
    assert down.error == ("connection refused by the mail server 127.0.0.1: nothing listens there "
                          "(check its host and port)")
    assert up.ok and smtp_server.logins == [(user, f"Pa55-{user}-word")]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("apprise", "journeywatch"))
    assert "Pa55-" not in ours and f"{user}@journeywatch" not in ours  # the SMTP server's own log is not ours
    assert "connection refused by the mail server 127.0.0.1" in ours


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("ntfy://mysecrettopic", ["mysecrettopic"]),  # the cloud service: the topic is all there is to it
        ("ntfys://ntfy.example.org/private-topic-x?priority=high", ["private-topic-x"]),
        ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345", ["123456789", "1...w", "A...w"]),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", ["4...8", "J...s", "4174216298"]),
        ("gotify://gotify.example.org/AbCdEf12345", ["A...5"]),
    ],
)
def test_redacted_targets_keep_no_topic_and_no_character_of_a_token(url: str, secrets: list[str]) -> None:
    # apprise's privacy form keeps a token's first and last character ('tgram://1...w/') and an ntfy
    # topic whole, though anyone who knows the topic can read the alerts.
    shown = redact(url)
    assert not [secret for secret in secrets if secret in shown], shown
    assert "..." not in shown and "****" in shown


@pytest.mark.parametrize(
    "brand",
    ["Acme\r\nBcc: intruder@evil.example\r\nX-Injected: yes",  # a line break in a brand from the config
     "Ünïcødé 🚀 Airlines & \"Friends\" " * 25,  # encoded, one header line the server refused as too long
     "🚀" * 400],
)
def test_a_subject_from_an_odd_brand_name_arrives_as_one_short_line(
    smtp_server: SMTPServer, brand: str  # noqa: F811
) -> None:
    # A line break failed every attempt ('Unhandled Notification Exception'); a long non-ASCII brand
    # name got '500 Line too long' from the mail server: the alert never arrived.
    alert = _alert()
    alert.brand = brand
    [result] = deliver([f"mailto://brand:{PASSWORD}@{smtp_server.host}:{smtp_server.port}"
                        "?from=alerts@journeywatch.example&to=manager@brand.example&mode=insecure"],
                       alert_title(alert), alert_html(alert), retries=0)
    assert result.ok, result.error
    [message] = smtp_server.wait_for(1)
    subject = str(message["Subject"])
    assert "\n" not in subject and "\r" not in subject and len(subject) <= 150 and subject.endswith(("…", "yes"))
    assert subject.startswith("journeywatch alert: negative share-stage spike for ")
    assert "X-Injected" not in message and smtp_server.envelopes[0][1] == ["manager@brand.example"]


def test_an_unclosed_right_to_left_override_in_a_post_reverses_nothing_in_the_alert() -> None:
    # "\u202e" (RIGHT-TO-LEFT OVERRIDE) in a post reversed the rest of its line in the e-mail: the
    # source, the date and the link read backwards. The digest drops it already.
    alert = _alert()
    alert.top_items[0] = EvidenceItem("\u202eavoid them, worst airline\u2066 مرحبا", "https://x.example/1", "social",
                                      "social", "2026-11-18T14:02:00Z")
    body = alert_html(alert)
    assert not any(c in body for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "“avoid them, worst airline مرحبا” (social, 2026-11-18T14:02:00Z)" in body


@pytest.mark.parametrize("password", ["p@ss#w/rd:1?x", "a%20b&c=d+e", "plain-Pa55word"])
def test_a_password_from_the_environment_logs_in_as_written_whatever_its_characters(
    smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,  # noqa: F811
    password: str,
) -> None:
    # 'p@ss#w/rd' went into the URL as it was: apprise could not load it (the host read 'ss', the rest a
    # fragment), a permanent failure; 'a%20b' logged in as 'a b'.
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("JW_TEST_SMTP_PASSWORD", password)
    [result] = deliver([f"mailto://jw:${{JW_TEST_SMTP_PASSWORD}}@{smtp_server.host}:{smtp_server.port}"
                        "?from=alerts@journeywatch.example&to=manager@brand.example&mode=insecure"],
                       "title", "<p>body</p>", retries=0)
    assert result.ok, result.error
    assert smtp_server.logins == [("jw", password)]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("apprise", "journeywatch"))
    assert password not in ours and password not in repr(result)


def test_a_variable_outside_the_credentials_goes_into_the_url_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeywatch.settings.alerts import expand_url

    env = {"HOOK": "hooks.example.org/T1/B2/C3", "HOST": "mail.example.org", "PW": "p/w#1", "KEY": "k&y"}
    assert expand_url("json://${HOOK}", env) == "json://hooks.example.org/T1/B2/C3"
    assert expand_url("mailto://u:${PW}@${HOST}?to=a@b.org&apikey=${KEY}", env) == \
        "mailto://u:p%2Fw%231@mail.example.org?to=a@b.org&apikey=k%26y"


@pytest.mark.parametrize("query", ["pwd=Secret-123x", "jwt=eyJhbGciOi.eyJzdWIi.Secret-123x", "private=Secret-123x"])
def test_a_url_credential_under_a_short_or_uncommon_name_is_masked(query: str) -> None:
    # ?pwd= (Zoom-style links, old feed exports), ?jwt= and ?private= passed through unmasked into every
    # message naming a feed or a target.
    from journeywatch.redaction import masked_url, url_credentials

    url = f"https://feeds.example.org/export?user=brand&{query}"
    assert "Secret-123x" not in masked_url(url) and "user=brand" in masked_url(url)
    assert query.split("=", 1)[1] in url_credentials(url)
    [result] = deliver([f"json://127.0.0.1:9/hook?{query}"], "t", "<p>b</p>", retries=0)
    assert "Secret-123x" not in repr(result)


def test_a_window_past_midnight_gives_its_end_a_date_in_what_a_target_gets(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # "2026-11-22 23:00–00:00 UTC" read as the start day's own midnight, the hour before the spike began.
    monkeypatch.chdir(tmp_path)
    alert = _alert()
    alert.window_start = datetime(2026, 11, 22, 23, tzinfo=timezone.utc)
    alert.window_end = alert.last_window_end = datetime(2026, 11, 23, 0, tzinfo=timezone.utc)
    [result] = deliver(["file://out/alerts.log"], alert_title(alert), alert_html(alert), "html", retries=0)
    assert result.ok, result.error
    text = (tmp_path / "out" / "alerts.log").read_text(encoding="utf-8")
    assert "(this window, 2026-11-22 23:00–2026-11-23 00:00 UTC)" in text, text
    assert "(this window, 2026-11-18 14:00–15:00 UTC)" in alert_html(_alert())  # within a day: the hours alone
