"""A feed read from disk through a `file://` URL written as RFC 8089 and file managers write it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource, load_config

RSS = (Path(__file__).parent / "data" / "feeds" / "rss20.xml").read_bytes()


@pytest.mark.parametrize("written", ["file://localhost{folder}/reviews.rss", "file://my%20feeds/reviews.rss",
                                     "file://{folder}/reviews.rss", "file://my feeds/reviews.rss"])
def test_the_feed_file_is_found(tmp_path: Path, written: str) -> None:
    """'file://localhost/...' read 'localhost' as a folder beside the config, and a relative path's '%20' stayed
    '%20': 'cannot read .../localhost/...', 'cannot read .../my%20feeds/...: No such file or directory'."""
    folder = tmp_path / "my feeds"
    folder.mkdir()
    (folder / "reviews.rss").write_bytes(RSS)
    config_path = tmp_path / "journeywatch.yaml"
    config_path.write_text("brands: [{name: Acme, query: acme}]\n"
                           f"sources: [{{name: reviews, kind: feed, url: '{written.format(folder=folder)}'}}]\n")
    (source,) = load_config(config_path).sources
    assert isinstance(source, FeedSource)
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert sum(len(batch.mentions) for batch in listener.fetch(None)) > 0
