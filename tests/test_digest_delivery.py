"""Delivery through apprise to real servers on 127.0.0.1: an SMTP inbox and a chat-style webhook."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.reports import make_digests
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.servers.smtp import SMTPServer, smtp_server  # noqa: F401
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401
from tests.test_digest_data import BRAND, WEEK, fill, make_items


def test_digest_arrives_by_email_and_chat(
    sqlite_url: str, tmp_path: Path, smtp_server: SMTPServer, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    fill(open_database(sqlite_url), make_items())
    mailto = f"mailto://{smtp_server.host}:{smtp_server.port}?from=digest@example.org&to=brand.manager@example.org"
    chat = f"json://{webhook_server.host}:{webhook_server.port}/chat"
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}],
                           "digest": {"notify": [mailto, chat]}})

    run = make_digests(config, tmp_path, week=WEEK)

    assert [r.ok for r in run.deliveries] == [True, True]
    message = smtp_server.wait_for(1)[0]
    assert message["Subject"] == f"journeywatch digest: {BRAND}, {WEEK}"
    assert message["To"] == "brand.manager@example.org"
    html = message.get_body(("html",)).get_content()
    assert 'data-section="journey-map"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    # The charts are inline parts the HTML names by cid: Gmail and Outlook show no data-URI image.
    assert "data:image" not in html and message.get_content_type() == "multipart/related"
    charts = [p for p in message.walk() if p.get_content_type() == "image/png"]
    names = [f"journey-map-{WEEK}.png", f"trend-{WEEK}.png"]
    assert sorted(p.get_filename() for p in charts) == names
    assert sorted(p["Content-ID"].strip("<>") for p in charts) == names
    assert all(f'src="cid:{name}"' in html for name in names)
    assert all(p.get_content().startswith(b"\x89PNG") for p in charts)
    assert [r.target for r in run.deliveries][0].startswith("mailto://") and "inline" not in run.deliveries[0].target

    posted = webhook_server.wait_for(1)[0]
    assert posted.path == "/chat"
    body = posted.json["message"]
    assert body.startswith(f"# {BRAND}: customer-journey digest {WEEK}")
    assert "&lt;script>" in body and "<script>" not in body  # no tag can open without "<"
    assert run.paths[0].read_text(encoding="utf-8").count("data:image/png;base64,") == 2


def test_a_dead_target_is_reported_and_files_are_still_written(sqlite_url: str, tmp_path: Path) -> None:
    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}],
                           "digest": {"notify": ["json://127.0.0.1:9/nobody-listens"], "retries": 1}})
    run = make_digests(config, tmp_path, week=WEEK)
    assert [r.ok for r in run.deliveries] == [False]
    assert "127.0.0.1" in run.deliveries[0].target and run.deliveries[0].detail
    assert run.deliveries[0].brand == BRAND  # so the command can say whose digest did not go
    assert len(run.paths) == 3 and all(p.exists() for p in run.paths)


def test_a_file_that_cannot_be_written_stops_the_run_before_anything_is_sent(sqlite_url: str, tmp_path: Path) -> None:
    # The first brand was written and sent, then the second's file failed: the command said only the error,
    # and running it again sent the first brand's digest twice.
    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    log = tmp_path / "sent.log"
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"},
                                                              {"name": "Globex Tea", "query": "globex"}],
                           "digest": {"notify": [f"file://{log}"]}})
    (tmp_path / "out" / f"globex-tea-{WEEK}.html").mkdir(parents=True)  # a folder where a file must go
    with pytest.raises(OSError):
        make_digests(config, tmp_path / "out", week=WEEK)
    assert not log.exists()


def test_only_apprise_smtp_targets_get_cid_charts_and_inline_no_is_kept() -> None:
    from journeywatch.reports.deliver import _inline

    assert _inline("mailto://mail.example.org?to=a%40b.org") == "mailto://mail.example.org?to=a%40b.org&inline=yes"
    assert _inline("mailtos://u:p@mail.example.org") == "mailtos://u:p@mail.example.org?inline=yes"
    assert _inline("mailto://mail.example.org?inline=no") is None  # data URIs, as the URL asks
    assert _inline("sendgrid://key:me@example.org/you@example.org") is None  # an API: no inline parts
