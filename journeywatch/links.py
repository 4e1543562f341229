"""Whether an address from the internet may be given to a reader as a link.

`safe_url` is the one place that decides it, for the digests (HTML,
Markdown, JSON) and the alerts alike: only an absolute http(s) address with
a host, never `javascript:` or `data:`, whatever a post or feed claims.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) address with a host, else None (render as plain text)."""
    if not url:
        return None
    url = url.strip()
    if any(c in url for c in "\r\n\t\x00") or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
