"""Acceptance: the App Store reviews preset collects the app's reviews, not only those naming the brand.

Found by pointing the README's preset (`.../customerreviews/.../xml`, source_kind review) at an
Apple-shaped Atom feed of Acme Air's app served over local HTTP: "Crashes every time" / "The app won't
let me check in since the update" names no brand, so it was dropped as `unmatched`, as was every review
of the app that does not spell out its name (most of them). A feed's `brand:` names the brand every
entry is about, as a file export's brand column does for its rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from journeywatch.errors import ConfigError
from journeywatch.settings import load_config
from tests.servers.feeds import FeedServer, Route, collect_from, feed_server  # noqa: F401

APPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns:im="http://itunes.apple.com/rss" xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>https://itunes.apple.com/us/rss/customerreviews/page=1/id=123456789/sortby=mostrecent/xml</id>
<title>iTunes Store: Customer Reviews</title><updated>2026-11-24T02:10:06-07:00</updated>
<entry><updated>2026-11-23T14:22:48-07:00</updated><id>11223344556</id><title>Crashes every time</title>
<content type="text">Acme Air app crashes when I open my boarding pass</content><im:rating>1</im:rating>
<author><name>flyer123</name><uri>https://itunes.apple.com/us/reviews/id987654</uri></author></entry>
<entry><updated>2026-11-22T09:00:00-07:00</updated><id>11223344557</id><title>Can't check in</title>
<content type="text">The app won't let me check in since the update. Please fix!</content><im:rating>2</im:rating>
<author><name>jo</name><uri>https://itunes.apple.com/us/reviews/id987655</uri></author></entry>
<entry><updated>2026-11-22T08:00:00-07:00</updated><id>11223344558</id><title>Better than Globex</title>
<content type="text">Switched from Globex, no regrets</content><im:rating>5</im:rating>
<author><name>kim</name></author></entry>
</feed>"""


def _config(tmp_path: Path, url: str, brand: str) -> Path:
    path = tmp_path / "brands.yaml"
    path.write_text("database: sqlite:///jw.db\n"
                    "brands: [{name: Acme Air, query: '\"acme air\"'}, {name: Globex, query: globex}]\n"
                    f"sources:\n  - {{name: app, kind: feed, url: '{url}', source_kind: review, brand: {brand}}}\n"
                    "  - {name: other, kind: feed, url: 'https://x.example/feed.rss'}\n", encoding="utf-8")
    return path


def test_every_review_of_the_app_is_stored_for_the_feeds_brand(tmp_path: Path, feed_server: FeedServer  # noqa: F811
                                                               ) -> None:
    feed_server.routes["/us/rss/customerreviews/page=1/id=123456789/sortby=mostrecent/xml"] = Route(
        APPLE, content_type="text/xml; charset=utf-8")
    url = feed_server.url("/us/rss/customerreviews/page=1/id=123456789/sortby=mostrecent/xml")
    config = load_config(_config(tmp_path, url, "acme air"))  # the brand's name in any case
    result = collect_from(config, "app")
    assert (result.new, result.unmatched) == (3, 0)
    with sqlite3.connect(tmp_path / "jw.db") as db:
        rows = db.execute("select m.external_id, group_concat(b.brand, ',') from mentions m "
                          "join mention_brands b on b.mention_id = m.id group by m.id order by m.external_id"
                          ).fetchall()
    assert rows == [("11223344556", "Acme Air"), ("11223344557", "Acme Air"), ("11223344558", "Acme Air,Globex")]


def test_a_feed_brand_not_configured_is_a_source_error(tmp_path: Path) -> None:
    path = _config(tmp_path, "https://x.example/reviews.xml", "Acme")
    config = load_config(path, strict=False)
    assert [s.name for s in config.sources] == ["other"]
    [(name, problem)] = config.source_errors
    assert name == "app"
    assert problem == ("config key 'brand' of source 'app': 'Acme' is not one of the config's brands "
                       "('Acme Air', 'Globex')")
    with pytest.raises(ConfigError, match="'Acme' is not one of the config's brands"):
        load_config(path)
