"""Acceptance: an hnrss.org comment is stored as the commenter's words, without the title naming the commenter.

Found by serving the README's Hacker News comments preset (`https://hnrss.org/newcomments?q=...`, whose items
hnrss titles `New comment by AUTHOR in "STORY TITLE"`) over local HTTP: the author was pseudonymised, but the
stored title still read `New comment by jdoe in "Acme Air open-sources its booking engine"`, so a digest quoting
it ("title. text") named the commenter, which the README says no digest does, and the classifier read hnrss's
words and the story's title as the comment's. A comment now has no title, as a Reddit comment has none.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from journeywatch.settings import load_config
from tests.servers.feeds import FeedServer, Route, collect_from, feed_server  # noqa: F401

COMMENTS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Hacker News: New Comments: "acme air"</title><link>https://news.ycombinator.com/newcomments</link>
<description>Hacker News RSS</description><generator>hnrss v2.1.1</generator>
<item><title><![CDATA[New comment by jdoe in "Acme Air open-sources its booking engine"]]></title><description><![CDATA[
<p>I used to work at Acme Air. The booking code is a mess but the people are great.</p>
]]></description><pubDate>Tue, 24 Nov 2026 09:59:11 +0000</pubDate><link>https://news.ycombinator.com/item?id=42000010</link>
<dc:creator>jdoe</dc:creator><comments>https://news.ycombinator.com/item?id=42000010</comments>
<guid isPermaLink="false">https://news.ycombinator.com/item?id=42000010</guid></item>
<item><title><![CDATA[Acme Air open-sources its booking engine]]></title><description><![CDATA[
<p>Article URL: <a href="https://acmeair.example/oss">https://acmeair.example/oss</a></p>
<p>Comments URL: <a href="https://news.ycombinator.com/item?id=42000001">https://news.ycombinator.com/item?id=42000001</a></p>
<p>Points: 12</p><p># Comments: 3</p>]]></description><pubDate>Tue, 24 Nov 2026 09:58:11 +0000</pubDate>
<link>https://acmeair.example/oss</link><dc:creator>pg</dc:creator>
<guid isPermaLink="false">https://news.ycombinator.com/item?id=42000001</guid></item>
</channel></rss>"""


def test_an_hnrss_comment_is_stored_without_the_title_naming_its_author(tmp_path: Path,
                                                                        feed_server: FeedServer,  # noqa: F811
                                                                        ) -> None:
    feed_server.routes["/newcomments?q=acme"] = Route(COMMENTS)
    path = tmp_path / "brands.yaml"
    path.write_text("database: sqlite:///jw.db\nbrands: [{name: Acme Air, query: '\"acme air\"'}]\n"
                    f"sources: [{{name: hn, kind: feed, url: '{feed_server.url('/newcomments?q=acme')}', "
                    "source_kind: forum}]\n", encoding="utf-8")
    config = load_config(path)
    result = collect_from(config)
    assert result.new == 2
    with sqlite3.connect(tmp_path / "jw.db") as db:
        rows = db.execute("select external_id, title, text, author from mentions order by external_id desc").fetchall()
    comment, story = rows
    assert comment[:3] == ("https://news.ycombinator.com/item?id=42000010", None,
                           "I used to work at Acme Air. The booking code is a mess but the people are great.")
    assert comment[3].startswith("h:") and "jdoe" not in " ".join(map(str, comment))
    assert story[1:3] == ("Acme Air open-sources its booking engine", "Acme Air open-sources its booking engine")
