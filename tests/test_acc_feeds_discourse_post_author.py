"""Acceptance: a Discourse member is one author in the forum's posts feed and its topic feeds.

Found by serving the README's Discourse presets over local HTTP: `posts.rss` gives each post's creator as
`@bob_smith Bob Smith` (handle and display name), `latest.rss` the same member as `bob_smith`, so the one
member was two pseudonymous authors (and one more after changing their display name), splitting the
repeat-author counts. A posts feed's `@handle Name` creator is the member's handle.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from journeywatch.settings import load_config
from tests.servers.feeds import FeedServer, Route, collect_from, feed_server  # noqa: F401

POSTS = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:discourse="http://www.discourse.org/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Acme Community - Latest posts</title><link>https://forum.acme.example</link><description>d</description>
<item><title>Acme Air app crashes on login</title><dc:creator><![CDATA[@bob_smith Bob Smith]]></dc:creator>
<description><![CDATA[ <p>Still crashing on Acme Air 5.2.1 for me.</p> ]]></description>
<link>https://forum.acme.example/t/acme-air-app-crashes-on-login/123/3</link>
<pubDate>Tue, 24 Nov 2026 10:12:45 +0000</pubDate><guid isPermaLink="false">forum.acme.example-post-456</guid></item>
<item><title>Acme Air lounge</title><dc:creator><![CDATA[@ana]]></dc:creator>
<description><![CDATA[ <p>The Acme Air lounge is lovely.</p> ]]></description>
<link>https://forum.acme.example/t/acme-air-lounge/130/1</link>
<pubDate>Tue, 24 Nov 2026 10:30:00 +0000</pubDate><guid isPermaLink="false">forum.acme.example-post-460</guid></item>
</channel></rss>"""

LATEST = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:discourse="http://www.discourse.org/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Acme Community - Latest topics</title><link>https://forum.acme.example/latest</link><description>d</description>
<item><title>Acme Air app crashes on login</title><dc:creator><![CDATA[bob_smith]]></dc:creator>
<description><![CDATA[<p>Since the 5.2 update the Acme Air app crashes as soon as I log in.</p>]]></description>
<link>https://forum.acme.example/t/acme-air-app-crashes-on-login/123</link><pubDate>Tue, 24 Nov 2026 09:12:45 +0000</pubDate>
<discourse:topicPinned>No</discourse:topicPinned><guid isPermaLink="false">forum.acme.example-topic-123</guid></item>
</channel></rss>"""


@pytest.mark.parametrize("raw", [False, True])
def test_a_posts_feed_creator_is_the_members_handle(tmp_path: Path, feed_server: FeedServer,  # noqa: F811
                                                    raw: bool) -> None:
    feed_server.routes["/posts.rss"] = Route(POSTS.encode())
    feed_server.routes["/latest.rss"] = Route(LATEST.encode())
    path = tmp_path / "brands.yaml"
    path.write_text(f"database: sqlite:///jw.db\nraw_authors: {str(raw).lower()}\n"
                    "brands: [{name: Acme Air, query: '\"acme air\"'}]\nsources:\n"
                    f"  - {{name: posts, kind: feed, url: '{feed_server.url('/posts.rss')}', source_kind: forum}}\n"
                    f"  - {{name: topics, kind: feed, url: '{feed_server.url('/latest.rss')}', source_kind: forum}}\n",
                    encoding="utf-8")
    config = load_config(path)
    for source in config.sources:
        collect_from(config, source.name)
    with sqlite3.connect(tmp_path / "jw.db") as db:
        authors = dict(db.execute("select external_id, author from mentions").fetchall())
    bob = authors["forum.acme.example-post-456"]
    assert bob == authors["forum.acme.example-topic-123"]
    assert len(set(authors.values())) == 2
    if raw:
        assert (bob, authors["forum.acme.example-post-460"]) == ("bob_smith", "ana")
