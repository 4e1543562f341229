"""An alert links an item's address exactly where the digest would: one predicate, `journeywatch.links.safe_url`.

The alert message had a check of its own (the address starts with 'http://' or 'https://'), so it linked what the
digest refuses: an address with no host ('https:///x'), or one with a space or a line break in it, whose
`href` a mail client reads as another address than the text beside it. The message is read as a mail
client sees it: its anchors.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from journeywatch.alerts.alert import Alert, EvidenceItem
from journeywatch.alerts.message import alert_html
from journeywatch.links import safe_url

ADDRESSES = [
    "https://forum.example.org/t/1", "HTTP://Reviews.Example.com/r/2", "  https://social.example/@a/3  ",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "https:///no-host", "http://",
    "https://example.org/a b", "https://example.org/\njavascript:alert(1)", "https://example.org/\talert",
    "//example.org/no-scheme", "ftp://example.org/f",
]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def _alert(url: str) -> Alert:
    at = datetime(2026, 11, 18, 14, tzinfo=timezone.utc)
    item = EvidenceItem("never flying again, they lost 3 bags", url, "forum", "forum", "2026-11-18T14:02:00Z")
    return Alert(1, "Northwind Air", at, at.replace(hour=15), at.replace(hour=15), "active", 16, 0.2, 80.0,
                 1e-20, "poisson", 1, 1.0, 16, [item], {"forum": 16}, at)


@pytest.mark.parametrize("url", ADDRESSES)
def test_an_alert_links_what_the_digest_links(url: str) -> None:
    anchors = _Anchors()
    anchors.feed(alert_html(_alert(url)))
    assert anchors.hrefs == ([] if safe_url(url) is None else [safe_url(url)])
