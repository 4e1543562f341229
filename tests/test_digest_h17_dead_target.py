"""A target that failed every attempt for one brand's digest is tried once for the next brands, not again in full.

Each brand's digest was delivered with the full retries and backoff: with the mail relay down, a config of
30 brands took 8 min 30 s (refused connection, `retries: 3`, apprise's own pause between tries) before
exiting 2, and a relay that accepts and never answers some 35 min, every brand failing for the same reason.
"""

from __future__ import annotations

from pathlib import Path

from journeywatch.reports import make_digests
from journeywatch.settings import Config, parse_config
from journeywatch.storage import open_database
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401
from tests.test_digest_data import BRAND, WEEK, fill, make_items

BRANDS = [BRAND, "Globex Tea", "Initech"]


def _config(url: str, target: str) -> Config:
    return parse_config({"database": url, "brands": [{"name": name, "query": name.split()[0].lower()}
                                                     for name in BRANDS],
                         "digest": {"notify": [target], "retries": 1}})


def test_a_target_down_for_the_first_brand_gets_one_try_for_each_next(
    sqlite_url: str, tmp_path: Path, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    webhook_server.fail_next(100, 503)
    run = make_digests(_config(sqlite_url, f"json://{webhook_server.host}:{webhook_server.port}/hook"), tmp_path,
                       week=WEEK)
    assert [(r.brand, r.ok) for r in run.deliveries] == [(name, False) for name in BRANDS]
    assert all("503" in r.detail for r in run.deliveries)  # each brand says why, from its own try
    assert webhook_server.attempts == 2 + 1 + 1  # the first brand's two attempts, then one each


def test_a_target_back_after_one_brand_gets_the_rest_and_its_retries_again(
    sqlite_url: str, tmp_path: Path, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    webhook_server.fail_next(3, 503)  # the first brand's two attempts and the second brand's one
    run = make_digests(_config(sqlite_url, f"json://{webhook_server.host}:{webhook_server.port}/hook"), tmp_path,
                       week=WEEK)
    assert [(r.brand, r.ok) for r in run.deliveries] == [(BRAND, False), ("Globex Tea", False), ("Initech", True)]
    assert webhook_server.attempts == 2 + 1 + 1
    webhook_server.fail_next(1, 503)  # a later run starts afresh: one failed attempt is retried
    again = make_digests(_config(sqlite_url, f"json://{webhook_server.host}:{webhook_server.port}/hook"), tmp_path,
                         week=WEEK)
    assert [r.ok for r in again.deliveries] == [True, True, True]
