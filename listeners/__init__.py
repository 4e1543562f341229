"""Listeners: turn a source (Reddit, a feed, an export file) into batches of mentions, and prepare them.

Public API:

- `build_listener(settings, brands=None) -> Listener`: the listener for one source's settings;
  Reddit needs the brands to search for their query terms.
- `BrandMatcher(brands).brands_of(text)`: which brands' boolean queries a text matches.
- `prepare_mentions(mentions, matcher, raw_authors=False)`: brands, language, pseudonymous
  authors; drops items that match no brand.

Nothing here touches the database or imports Prefect.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeywatch.settings import Brand, FeedSource, FileSource, RedditSource, SourceSettings

from .base import Batch, Listener, Watermark
from .brands import BrandMatcher
from .prepare import prepare_mentions
from .retry import RetryPolicy


def build_listener(settings: SourceSettings, brands: Sequence[Brand] | None = None) -> Listener:
    """The listener for one configured source."""
    if isinstance(settings, FeedSource):
        from .feeds import FeedListener

        return FeedListener(settings)
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
