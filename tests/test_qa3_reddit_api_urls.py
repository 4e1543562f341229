"""A reddit source's `oauth_url` or `reddit_url` written without its scheme, or with a space pasted around it.

'oauth.reddit.com' (or a proxy's 'proxy:8080') was taken as written; joined with an API path it lost its host
and the source failed 'Invalid URL 'r/travel/new': No scheme supplied. Perhaps you meant https://r/travel/new?',
naming neither the key nor the URL; a trailing space failed as 'Host ... contains invalid character'.
"""

from __future__ import annotations

import pytest

from journeywatch.errors import ConfigError
from journeywatch.settings import parse_config

BRANDS = [{"name": "Acme", "query": "acme"}]


def _source(**extra: object) -> dict[str, object]:
    return {"name": "travel", "kind": "reddit", "subreddits": ["travel"], **extra}


@pytest.mark.parametrize("key", ["oauth_url", "reddit_url"])
@pytest.mark.parametrize("written", ["oauth.reddit.com", "127.0.0.1:8080", "ftp://proxy.example"])
def test_an_api_url_without_http_is_a_config_error_naming_the_key(key: str, written: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"brands": BRANDS, "sources": [_source(**{key: written})]})
    message = str(caught.value)
    assert f"sources[0].{key}" in message and "must start with http:// or https://" in message


def test_a_bad_api_url_fails_that_source_alone_in_a_run() -> None:
    config = parse_config({"brands": BRANDS, "sources": [_source(oauth_url="oauth.reddit.com"),
                                                         {"name": "notes", "kind": "file", "path": "x.jsonl"}]},
                          strict=False)
    assert [source.name for source in config.sources] == ["notes"]
    assert [name for name, _ in config.source_errors] == ["travel"]


@pytest.mark.parametrize("around", [("", " "), (" ", ""), ("", "\n")])
def test_spaces_around_an_api_url_are_not_part_of_it(around: tuple[str, str]) -> None:
    url = "http://127.0.0.1:8080"
    config = parse_config({"brands": BRANDS, "sources": [_source(oauth_url=around[0] + url + around[1],
                                                                 reddit_url=around[0] + url + around[1])]})
    (source,) = config.sources
    assert source.oauth_url == url and source.reddit_url == url
