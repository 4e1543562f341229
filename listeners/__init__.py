"""Listeners: turn a source (Reddit, a feed, an export file) into batches of mentions, and prepare them.

Public API:

- `build_listener(settings, brands=None, alert_window=None) -> Listener`: the listener for one source's settings;
  Reddit needs the brands to search for their query terms.
- `BrandMatcher(brands).brands_of(text)`: which brands' boolean queries a text matches.
- `prepare_mentions(mentions, matcher, raw_authors=False)`: brands, language, pseudonymous
  authors; drops items that match no brand.

Nothing here touches the database or imports Prefect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from journeywatch.settings import Brand, FeedSource, FileSource, RedditSource, SourceSettings

from .base import Batch, Listener, Watermark
from .brands import BrandMatcher
from .prepare import prepare_mentions
from .retry import RetryPolicy


def build_listener(settings: SourceSettings, brands: Sequence[Brand] | None = None,
                   alert_window: timedelta | None = None) -> Listener:
    """The listener for one configured source.

    `alert_window` bounds how long after its last reading a feed's new undated entries may still be dated
    by the fetch: two windows, so that stamping them into one window at most doubles it.
    """
    if isinstance(settings, FeedSource):
        from .feeds import MAX_READING_GAP, FeedListener

        return FeedListener(settings, max_gap=2 * alert_window if alert_window else MAX_READING_GAP)
    if isinstance(settings, FileSource):
        from .files import FileListener

        return FileListener(settings)
    if isinstance(settings, RedditSource):
        from .reddit import RedditListener

        return RedditListener(settings, brands=list(brands or []))
    raise TypeError(f"no listener for {type(settings).__name__}")


__all__ = [
    "Batch",
    "BrandMatcher",
    "Listener",
    "RetryPolicy",
    "Watermark",
    "build_listener",
    "prepare_mentions",
]
