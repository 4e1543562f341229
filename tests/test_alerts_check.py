"""check_alerts on SQLite and PostgreSQL: the demo's one spike, watermarks, cooldown, ended notices."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from journeywatch.alerts import alerts_between, check_alerts, recent_alerts
from journeywatch.alerts.alert import moment_text
from journeywatch.alerts.counts import window_counts, window_index
from journeywatch.domain import Mention, Prediction
from journeywatch.settings import Brand, Config
from journeywatch.storage import iter_pending, open_database, save_predictions, store_batch
from journeywatch.storage.tables import alert_checks
from tests.alerts_demo import demo_config, load_demo
from tests.servers.smtp import SMTPServer, smtp_server  # noqa: F401
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401

SPIKE = datetime(2026, 11, 18, 14, tzinfo=timezone.utc)  # the demo's injected Northwind Air spike
AFTER_DEMO = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
SMTP_PASSWORD = "demo-Smtp-pa55"


def test_demo_spike_alerts_once_with_its_evidence_everywhere(
    database_url: str, smtp_server: SMTPServer, webhook_server: WebhookServer,  # noqa: F811
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    targets = [
        "file://out/demo-alerts.log",
        f"mailto://jw:{SMTP_PASSWORD}@{smtp_server.host}:{smtp_server.port}"
        "?from=alerts@journeywatch.example&to=brand@northwind.example&mode=insecure",
        f"json://{webhook_server.host}:{webhook_server.port}/hook",
    ]
    config = demo_config(database_url, targets)
    engine = open_database(database_url)
    load_demo(engine, config)

    fired = check_alerts(engine, config, now=AFTER_DEMO)
    assert [(a.brand, a.window_start) for a in fired] == [("Northwind Air", SPIKE)]
    [alert] = fired
    assert alert.observed == 16 and alert.expected < 1 and alert.p_value < 1e-6
    assert alert.sources == {"social": 9, "reviews": 4, "forum": 3}
    links = [item.url for item in alert.top_items]
    assert len(links) == 5 and all(links)
    assert [d["ok"] for d in alert.deliveries] == [True, True, True]
    assert SMTP_PASSWORD not in repr(alert.deliveries)

    # What arrived, parsed: the evidence links are in the email, the webhook body and the file.
    html = smtp_server.wait_for(1)[0].get_body(("html",)).get_content()
    message = webhook_server.wait_for(1)[0].json["message"]
    logged = (tmp_path / "out" / "demo-alerts.log").read_text(encoding="utf-8")
    for link in links:
        assert f'href="{link.replace("&", "&amp;")}"' in html
        assert link in message and link in logged

    # A second check (and a later one) judge nothing twice and alert on nothing new.
    assert check_alerts(engine, config, now=AFTER_DEMO) == []
    assert check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=5)) == []
    assert logged.count("journeywatch alert:") == 1
    assert len(smtp_server.messages) == 1 and len(webhook_server.requests) == 1

    stored = recent_alerts(engine)
    assert [(a.id, a.brand) for a in stored] == [(alert.id, "Northwind Air")]
    assert recent_alerts(engine, brand="Lumora") == []
    week = alerts_between(engine, "Northwind Air", datetime(2026, 11, 16, tzinfo=timezone.utc),
                          datetime(2026, 11, 23, tzinfo=timezone.utc))
    assert [a["window_start"] for a in week] == [SPIKE]
    assert week[0]["top_items"][0]["url"] == links[0]
    assert alerts_between(engine, "Northwind Air", datetime(2026, 11, 9, tzinfo=timezone.utc),
                          datetime(2026, 11, 16, tzinfo=timezone.utc)) == []


def test_hourly_checks_find_the_spike_in_the_check_after_its_window(database_url: str) -> None:
    config = demo_config(database_url)
    engine = open_database(database_url)
    load_demo(engine, config)
    first = check_alerts(engine, config, now=SPIKE - timedelta(hours=3, minutes=55))
    assert first == []  # the whole history up to 10:00 is judged once, quietly
    fired_at = {}
    for hour in range(-3, 6):
        now = SPIKE + timedelta(hours=hour, minutes=5)
        for alert in check_alerts(engine, config, now=now):
            fired_at[now] = alert.window_start
    assert fired_at == {SPIKE + timedelta(hours=1, minutes=5): SPIKE}
    with engine.connect() as connection:
        marks = dict(connection.execute(select(alert_checks.c.brand, alert_checks.c.checked_until)).all())
    assert marks == {brand.name: SPIKE + timedelta(hours=5) for brand in config.brands}


T0 = datetime(2026, 10, 5, tzinfo=timezone.utc)  # a Monday
HOUR = timedelta(hours=1)


def _store(engine: object, rows: list[tuple[datetime, str, str]], prefix: str) -> None:
    mentions = [Mention(source="export", external_id=f"{prefix}-{i}", text=f"{sentiment} item {prefix} {i}",
                        url=f"https://example.org/{prefix}/{i}", created_at=at, brands=["Acme"])
                for i, (at, _, sentiment) in enumerate(rows)]
    store_batch(engine, mentions)  # type: ignore[arg-type]
    labels = {m.external_id: (moment, sentiment) for m, (_, moment, sentiment) in zip(mentions, rows)}
    for batch in iter_pending(engine, 1000):  # type: ignore[arg-type]
        predictions = []
        for pending in batch:
            key = f"{prefix}-{pending.text.rsplit(' ', 1)[-1]}"
            moment, sentiment = labels[key]
            predictions.append((pending.mention_id, Prediction(moment, 0.9, sentiment, 0.8, {}, {})))
        save_predictions(engine, "test", predictions)  # type: ignore[arg-type]


def _background(days: int) -> list[tuple[datetime, str, str]]:
    """One share-stage item every three hours, a negative one every nine, for `days` days."""
    rows = []
    for hour in range(0, days * 24, 3):
        at = T0 + timedelta(hours=hour, minutes=10)
        rows.append((at, "ultimate_moment", "negative" if hour % 9 == 0 else "positive"))
    return rows


def test_cooldown_folds_a_second_burst_in_and_an_ended_notice_follows(
    database_url: str, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    engine = open_database(database_url)
    spike = T0 + timedelta(days=20, hours=16)  # an hour without background items
    rows = _background(28)
    rows += [(spike + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(0, 48, 4)]  # 12 items
    rows += [(spike + timedelta(hours=3, minutes=m), "ultimate_moment", "negative") for m in range(0, 40, 4)]
    rows += [(spike + timedelta(hours=2, minutes=m), "second_moment", "negative") for m in range(0, 50, 2)]
    _store(engine, rows, "a")
    config = Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                    alerts={"notify": [f"json://{webhook_server.host}:{webhook_server.port}/hook"],
                            "notify_ended": True, "cooldown": "6h"})
    fired = check_alerts(engine, config, now=spike + timedelta(hours=1))
    assert [a.window_start for a in fired] == [spike]
    assert fired[0].observed == 12 and fired[0].status == "active"
    later = check_alerts(engine, config, now=spike + timedelta(days=2))
    assert later == []  # the burst three hours on is the same spike, within its cooldown
    [stored] = recent_alerts(engine, brand="Acme")
    assert stored.status == "ended"
    assert stored.last_window_end == spike + timedelta(hours=4)
    assert stored.ended_at == spike + timedelta(hours=4)
    assert [d["kind"] for d in stored.deliveries] == ["alert", "ended"]
    bodies = [r.json for r in webhook_server.wait_for(2)]
    assert "has ended" in bodies[1]["title"]
    # Second-moment negatives are use-stage talk: they never count towards a share-stage spike.
    assert all(item.text.startswith("negative item a") for item in stored.top_items)


def test_no_alert_before_min_history_and_none_for_a_brand_without_items(database_url: str) -> None:
    engine = open_database(database_url)
    spike = T0 + timedelta(days=3, hours=12)
    rows = _background(5) + [(spike + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(20)]
    _store(engine, rows, "b")
    config = Config(brands=[Brand(name="Acme", query="acme"), Brand(name="Nobody", query="nobody")],
                    database=database_url)
    assert check_alerts(engine, config, now=T0 + timedelta(days=6)) == []
    assert check_alerts(engine, config.model_copy(update={"alerts": config.alerts.model_copy(
        update={"min_history": timedelta(days=2)})}), now=T0 + timedelta(days=6)) == []  # already judged
    fresh = open_database(database_url)
    with fresh.begin() as connection:
        connection.execute(alert_checks.delete())
    relaxed = config.alerts.model_copy(update={"min_history": timedelta(days=2)})
    fired = check_alerts(fresh, config.model_copy(update={"alerts": relaxed}), now=T0 + timedelta(days=6))
    assert [(a.brand, a.window_start) for a in fired] == [("Acme", spike)]


def test_settle_waits_for_late_items_before_judging_a_window(database_url: str) -> None:
    config = demo_config(database_url)
    config.alerts.settle = timedelta(hours=2)
    engine = open_database(database_url)
    load_demo(engine, config)
    assert check_alerts(engine, config, now=SPIKE + timedelta(hours=1, minutes=5)) == []
    assert check_alerts(engine, config, now=SPIKE + timedelta(hours=2, minutes=5)) == []
    fired = check_alerts(engine, config, now=SPIKE + timedelta(hours=3, minutes=5))
    assert [a.window_start for a in fired] == [SPIKE]


def test_items_on_a_window_edge_count_in_their_own_window(database_url: str) -> None:
    engine = open_database(database_url)
    edge = T0 + timedelta(days=1, hours=10)
    rows = [(edge - timedelta(microseconds=50), "ultimate_moment", "negative"),
            (edge, "ultimate_moment", "negative"), (edge, "ultimate_moment", "positive")]
    _store(engine, rows, "e")
    first = window_index(edge, HOUR) - 1
    counts = window_counts(engine, "Acme", HOUR, first, first + 2)
    assert counts.negative.tolist() == [1, 1] and counts.share.tolist() == [1, 2]



def test_a_failed_delivery_is_retried_and_recorded_without_the_token(
    database_url: str, webhook_server: WebhookServer, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setenv("JW_TEST_ALERT_TOKEN", "alert-Token-77aa")
    engine = open_database(database_url)
    spike = T0 + timedelta(days=10, hours=16)
    _store(engine, _background(12) + [(spike + timedelta(minutes=m), "ultimate_moment", "negative")
                                      for m in range(0, 30, 3)], "f")
    webhook_server.fail_next(2)
    url = f"json://jw:${{JW_TEST_ALERT_TOKEN}}@{webhook_server.host}:{webhook_server.port}/hook"
    config = Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                    alerts={"notify": [url], "retries": 1})
    [alert] = check_alerts(engine, config, now=spike + timedelta(hours=1))
    [delivery] = alert.deliveries
    assert (delivery["ok"], delivery["attempts"], delivery["kind"]) == (False, 2, "alert")
    assert delivery["error"] and "alert-Token-77aa" not in repr(recent_alerts(engine)[0].deliveries)
    assert webhook_server.attempts == 2 and webhook_server.requests == []


def test_items_arriving_after_their_window_was_judged_are_named(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A daily export appended after hourly checks lands in windows already judged: a spike in it
    # never alerts, and the check said nothing ("No new alerts.").
    engine = open_database(sqlite_url)
    start = datetime.now(timezone.utc) - timedelta(days=9)
    config = Config(brands=[Brand(name="Acme", query="acme")], database=sqlite_url)
    _store(engine, [(start + timedelta(hours=h), "ultimate_moment", "negative") for h in range(0, 9 * 24, 9)], "h")
    now = datetime.now(timezone.utc)  # the check comes after those items were fetched
    assert check_alerts(engine, config, now=now) == []
    late = now - timedelta(hours=3)
    _store(engine, [(late + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(12)], "l")
    with caplog.at_level(logging.WARNING, logger="journeywatch.alerts"):
        assert check_alerts(engine, config, now=now + timedelta(hours=1, minutes=1)) == []
    [line] = [r.getMessage() for r in caplog.records if "arrived after" in r.getMessage()]
    assert "Acme: 12 negative share-stage items" in line and "alerts.settle (now 0m)" in line
    assert f"{late:%Y-%m-%d %H:%M}" in line


def test_windows_with_items_not_yet_classified_wait_for_them(database_url: str) -> None:
    # With the classification failed (or still running), the check counted the spike's unclassified
    # items as nothing, claimed their windows, and never judged them again once they were classified.
    from sqlalchemy import delete, insert

    from journeywatch.storage.tables import classifications, mention_brands

    config = demo_config(database_url)
    engine = open_database(database_url)
    load_demo(engine, config)
    spike_items = (select(mention_brands.c.mention_id)
                   .where(mention_brands.c.brand == "Northwind Air", mention_brands.c.created_at >= SPIKE,
                          mention_brands.c.created_at < SPIKE + timedelta(hours=1)))
    with engine.begin() as connection:
        saved = [dict(row._mapping) for row in connection.execute(
            select(classifications).where(classifications.c.mention_id.in_(spike_items)))]
        connection.execute(delete(classifications).where(classifications.c.mention_id.in_(spike_items)))
    assert len(saved) >= 16

    notes: list[str] = []
    assert check_alerts(engine, config, now=AFTER_DEMO, notes=notes) == []
    [note] = [n for n in notes if n.startswith("Northwind Air: ")]
    assert note == (f"Northwind Air: {len(saved)} stored item(s) are not classified yet (the oldest written "
                    f"2026-11-18 14:02 UTC); windows from 2026-11-18 14:00 UTC are judged once they are "
                    "(the next `journeywatch run` classifies them)")

    with engine.begin() as connection:
        connection.execute(insert(classifications), saved)
    fired = check_alerts(engine, config, now=AFTER_DEMO)
    assert [(a.brand, a.window_start) for a in fired] == [("Northwind Air", SPIKE)]


def test_a_delivery_that_failed_is_sent_once_when_the_target_is_back(
    database_url: str, webhook_server: WebhookServer, tmp_path: Path,  # noqa: F811
) -> None:
    # The receiver is down for the check that fires (every retry refused), then back: the next check
    # sends the alert to it, once, and no check after sends it again. The target that worked is left alone.
    from journeywatch.alerts.state import change_deliveries

    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(database_url, [f"file://{tmp_path}/alerts.log", hook])
    config.alerts.retries = 1
    engine = open_database(database_url)
    load_demo(engine, config)
    webhook_server.fail_next(2, status=503)
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    assert [d["ok"] for d in alert.deliveries] == [True, False]
    assert webhook_server.requests == []
    # The late message names when this target was first tried, not when another target got it.
    change_deliveries(engine, alert.id, lambda stored: [{**stored[0], "at": "2026-01-02T03:04:00+00:00"}, stored[1]])
    tried = datetime.fromisoformat(alert.deliveries[1]["at"])

    notes: list[str] = []
    resent: list = []
    assert check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=1), notes=notes, resent=resent) == []
    [received] = webhook_server.wait_for(1)
    assert "Northwind Air" in received.json["title"]
    when = moment_text(tried, config.digest.timezone)  # the demo's Europe/London, as its alerts are read
    assert f"Sent late: the first delivery to this target, at {when}, failed" in received.json["message"]
    assert [(r.alert_id, r.ok) for r in resent] == [(alert.id, True)]
    assert any(f"alert #{alert.id}" in note and "sent to" in note for note in notes)

    for hours in (2, 3):
        assert check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=hours)) == []
    assert len(webhook_server.requests) == 1
    assert (tmp_path / "alerts.log").read_text(encoding="utf-8").count("journeywatch alert:") == 1
    [stored] = recent_alerts(engine)
    outcomes = [(d["kind"], d["ok"], d.get("resent", False)) for d in stored.deliveries]
    assert outcomes == [("alert", True, False), ("alert", False, False), ("alert", True, True)]


def test_a_target_still_down_is_tried_once_per_check_and_a_claimed_send_is_not_repeated(
    database_url: str, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    from journeywatch.alerts.resend import RESEND_FOR, claim_delivery
    from journeywatch.alerts.redact import redact

    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(database_url, [hook])
    config.alerts.retries = 0
    engine = open_database(database_url)
    load_demo(engine, config)
    webhook_server.fail_next(2, status=503)
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    resent: list = []
    check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=1), resent=resent)
    assert [(r.ok, r.target) for r in resent] == [(False, redact(hook))] and webhook_server.attempts == 2
    [stored] = recent_alerts(engine)
    [record] = stored.deliveries  # a failure again updates the failed record: no record per hourly check
    assert record["attempts"] == 2 and record["first_at"] == alert.deliveries[0]["at"]

    # Another check holds the send (its claim is fresh): this one leaves it alone.
    later = AFTER_DEMO + timedelta(hours=2)
    assert claim_delivery(engine, alert.id, "alert", redact(hook), later)
    assert not claim_delivery(engine, alert.id, "alert", redact(hook), later)
    check_alerts(engine, config, now=later)
    assert webhook_server.attempts == 2
    # An alert older than RESEND_FOR is news no longer; a claim left by a check killed mid-send expires.
    check_alerts(engine, config, now=AFTER_DEMO + RESEND_FOR + timedelta(minutes=1))
    assert webhook_server.attempts == 2
    check_alerts(engine, config, now=later + timedelta(hours=1))
    assert len(webhook_server.wait_for(1)) == 1 and webhook_server.attempts == 3


def test_the_evidence_shows_each_text_once(database_url: str) -> None:
    # A copy-paste campaign: eight copies of one post (any case, any spacing) and four other posts. The
    # alert's five top items were four copies of the same text and one other.
    from journeywatch.alerts.counts import evidence

    engine = open_database(database_url)
    at = T0 + timedelta(days=3, hours=5)
    # Copies differ in case, spacing, punctuation and the link or hashtag they end with.
    texts = [("Never fly Acme, AVOID!! #acmefail" if i % 2 else f"never  fly acme avoid https://t.co/x{i}")
             for i in range(8)]
    texts += [f"Acme lost my bags, trip {i} ruined" for i in range(4)]
    mentions = [Mention(source="export", external_id=f"c-{i}", text=text, url=f"https://example.org/c/{i}",
                        created_at=at + timedelta(minutes=i), brands=["Acme"]) for i, text in enumerate(texts)]
    store_batch(engine, mentions)  # type: ignore[arg-type]
    for batch in iter_pending(engine, 1000):  # type: ignore[arg-type]
        save_predictions(engine, "test", [(p.mention_id, Prediction("ultimate_moment", 0.9, "negative", 0.99, {}, {}))
                                          for p in batch])  # type: ignore[arg-type]
    items, sources = evidence(engine, "Acme", at, at + HOUR)
    shown = [item.text for item in items]
    assert len(items) == 5 and sum("fly acme" in text.casefold() for text in shown) == 1, shown
    assert sources == {"export": 12}  # the counts still count every copy


def test_an_ended_notice_that_failed_is_sent_once_when_the_target_is_back(
    database_url: str, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    engine = open_database(database_url)
    spike = T0 + timedelta(days=20, hours=16)
    rows = _background(28) + [(spike + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(0, 48, 4)]
    _store(engine, rows, "e")
    config = Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                    alerts={"notify": [f"json://{webhook_server.host}:{webhook_server.port}/hook"],
                            "notify_ended": True, "cooldown": "6h", "retries": 0})
    assert len(check_alerts(engine, config, now=spike + timedelta(hours=1))) == 1
    webhook_server.fail_next(1)
    check_alerts(engine, config, now=spike + timedelta(days=1))  # the spike ends; its notice fails
    [stored] = recent_alerts(engine, brand="Acme")
    assert stored.status == "ended" and [(d["kind"], d["ok"]) for d in stored.deliveries] == [
        ("alert", True), ("ended", False)]
    resent: list = []
    check_alerts(engine, config, now=spike + timedelta(days=1, hours=1), resent=resent)
    check_alerts(engine, config, now=spike + timedelta(days=1, hours=2))
    assert [(r.kind, r.ok) for r in resent] == [("ended", True)]
    titles = [r.json["title"] for r in webhook_server.wait_for(2)]
    assert len(titles) == 2 and "has ended" in titles[1] and "spike for Acme" in titles[0]


def test_an_alert_held_by_a_variable_unset_in_crons_environment_goes_out_once_it_is_set(
    database_url: str, webhook_server: WebhookServer, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # cron's environment lacked the token: a permanent failure, and the alert never came once it was set.
    monkeypatch.delenv("JW_TEST_HOOK_PATH", raising=False)
    config = demo_config(database_url, [f"json://{webhook_server.host}:{webhook_server.port}/${{JW_TEST_HOOK_PATH}}"])
    engine = open_database(database_url)
    load_demo(engine, config)
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    [record] = alert.deliveries
    assert record["permanent"] and record["attempts"] == 0
    monkeypatch.setenv("JW_TEST_HOOK_PATH", "hook")
    for hours in (1, 2):
        check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=hours))
    [received] = webhook_server.wait_for(1)
    assert received.path == "/hook" and len(webhook_server.requests) == 1


def test_a_refused_login_is_not_tried_again_at_later_checks(
    database_url: str, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    # A 401 reached the target: retrying hourly with a revoked token can get it blocked.
    config = demo_config(database_url, [f"json://{webhook_server.host}:{webhook_server.port}/hook"])
    engine = open_database(database_url)
    load_demo(engine, config)
    webhook_server.fail_next(1, status=401)
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    assert alert.deliveries[0]["permanent"] and webhook_server.attempts == 1
    check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=1))
    assert webhook_server.attempts == 1


def test_an_alert_a_killed_check_never_sent_goes_out_at_a_later_check(
    database_url: str, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    # The alert was stored, then the check was killed (OOM, SIGKILL) before any outcome was written: it had
    # no failure to retry, so it never went out. It is stored with a claim per target, which a later
    # check honours while it is fresh and takes over once it is stale.
    from journeywatch.alerts.redact import redact
    from journeywatch.alerts.state import change_deliveries

    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(database_url, [hook])
    engine = open_database(database_url)
    load_demo(engine, config)
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    assert [(d["kind"], d["ok"]) for d in alert.deliveries] == [("alert", True)]  # the claim gave way to the outcome
    webhook_server.wait_for(1)
    left = [{"kind": "alert-claim", "target": redact(hook), "at": AFTER_DEMO.isoformat()}]
    change_deliveries(engine, alert.id, lambda stored: left)  # as a check killed mid-send leaves it
    check_alerts(engine, config, now=AFTER_DEMO + timedelta(minutes=5))
    assert len(webhook_server.requests) == 1  # the claim is fresh: that check may still be sending
    for hours in (1, 2):
        check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=hours))
    assert len(webhook_server.wait_for(2)) == 2
    [stored] = recent_alerts(engine)
    assert [(d["kind"], d["ok"], d.get("resent")) for d in stored.deliveries] == [("alert", True, True)]
