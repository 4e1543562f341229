"""Acceptance: a private feed's token stays in the environment, as `${NAME}`, like notify and database URLs.

Found by rehearsing the README ("Secrets never go in the file"): a feed URL written
`https://host/feed.rss?token=${FEED_TOKEN}` was fetched with the text `${FEED_TOKEN}` in it, so a private
feed's token had to be written into the config itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.errors import ConfigError, SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener
from journeywatch.listeners.prepare import prepare_mentions
from journeywatch.settings import FeedSource, load_config
from journeywatch.storage import open_database
from tests.servers.feeds import FeedServer, Route, collect_from, feed_server  # noqa: F401

TOKEN = "h7/Feed+Token=1&x"  # characters a URL must encode
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x.example/</link>
<item><guid>1</guid><title>Velora Bikes review</title><description>My Velora Bikes e-bike is great</description>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "brands.yaml"
    path.write_text(f"database: sqlite:///jw.db\nbrands: [{{name: Velora Bikes, query: velora}}]\n"
                    f"sources:\n  - {{name: private, kind: feed, url: '{url}', retries: 0}}\n"
                    f"  - {{name: public, kind: feed, url: 'https://x.example/feed.rss'}}\n", encoding="utf-8")
    return path


def test_a_feed_token_comes_from_the_environment(tmp_path: Path, feed_server: FeedServer,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    feed_server.routes["/feed.rss?token=h7%2FFeed%2BToken%3D1%26x"] = Route(RSS)
    monkeypatch.setenv("H7_FEED_TOKEN", TOKEN)
    config = load_config(_config(tmp_path, feed_server.url("/feed.rss?token=${H7_FEED_TOKEN}")), strict=False)
    result = collect_from(config, "private")
    assert result.new == 1
    assert [hit.path for hit in feed_server.requests] == ["/feed.rss?token=h7%2FFeed%2BToken%3D1%26x"]


def test_an_unset_feed_variable_fails_that_source_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("H7_FEED_TOKEN", raising=False)
    path = _config(tmp_path, "https://feeds.example/feed.rss?token=${H7_FEED_TOKEN}")
    config = load_config(path, strict=False)
    assert [s.name for s in config.sources if isinstance(s, FeedSource)] == ["public"]
    assert config.source_errors == [
        ("private", "config key 'url' of source 'private': environment variable H7_FEED_TOKEN is not set")]
    with pytest.raises(ConfigError, match="environment variable H7_FEED_TOKEN is not set"):
        load_config(path)


def test_a_feed_token_from_the_environment_is_masked_in_the_error(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setenv("H7_FEED_TOKEN", "h7SecretFeedToken42")
    feed_server.routes["/feed.rss?token=h7SecretFeedToken42"] = Route(b"denied", status=401)
    config = load_config(_config(tmp_path, feed_server.url("/feed.rss?token=${H7_FEED_TOKEN}")), strict=False)
    [source] = [s for s in config.sources if s.name == "private"]
    matcher = BrandMatcher(config.brands)
    with pytest.raises(SourceError) as raised:
        collect_source(open_database(config.database), build_listener(source, brands=config.brands),
                       lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    assert "401" in str(raised.value)
    assert "h7SecretFeedToken42" not in str(raised.value) and "token=****" in str(raised.value)


@pytest.mark.parametrize("token", ["h7PathToken42secret", "h7/Path+Token=42"])
def test_a_feed_token_from_the_environment_in_the_path_is_masked_too(
    tmp_path: Path, feed_server: FeedServer, token: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """Found by a secrets audit: `https://host/private/${FEED_TOKEN}/feed.rss` answering 429 failed the source with
    'HTTP 429 ... from https://host/private/<the token>/feed.rss', into the run's summary, the database, Prefect's
    logs and the digest's failed sources; only a user, a password and secret-named query values were masked."""
    from urllib.parse import quote

    monkeypatch.setenv("H7_FEED_TOKEN", token)
    feed_server.routes[f"/private/{quote(token, safe='')}/feed.rss"] = Route(b"slow down", status=429)
    config = load_config(_config(tmp_path, feed_server.url("/private/${H7_FEED_TOKEN}/feed.rss")), strict=False)
    [source] = [s for s in config.sources if s.name == "private"]
    matcher = BrandMatcher(config.brands)
    with caplog.at_level("DEBUG"), pytest.raises(SourceError) as raised:
        collect_source(open_database(config.database), build_listener(source, brands=config.brands),
                       lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # their own
    said = "\n".join([str(raised.value), *ours])  # request log is off unless asked for (see the audit's report)
    assert "429" in str(raised.value) and "/private/****/feed.rss" in str(raised.value)
    for form in (token, quote(token, safe="")):
        assert form not in said


def test_httpx_request_lines_name_the_feed_url_masked(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Found by a secrets audit: httpx logs each request at INFO ('HTTP Request: GET <URL as written>'), so with
    logging at INFO (journeywatch used as a library, a worker's root logger) a feed's path token and its
    `?token=` went into the log unmasked."""
    monkeypatch.setenv("H7_FEED_TOKEN", "h7PathToken42secret")
    feed_server.routes["/private/h7PathToken42secret/feed.rss?token=h7QueryToken42"] = Route(RSS)
    url = feed_server.url("/private/${H7_FEED_TOKEN}/feed.rss?token=h7QueryToken42")
    config = load_config(_config(tmp_path, url), strict=False)
    [source] = [s for s in config.sources if s.name == "private"]
    matcher = BrandMatcher(config.brands)
    with caplog.at_level("INFO"):
        result = collect_source(open_database(config.database), build_listener(source, brands=config.brands),
                                lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert result.new == 1 and len(requests) == 1, requests
    assert "/private/****/feed.rss?token=****" in requests[0] and "200 OK" in requests[0], requests
    assert "h7PathToken42secret" not in caplog.text and "h7QueryToken42" not in caplog.text
