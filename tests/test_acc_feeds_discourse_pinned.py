"""Acceptance: a Discourse topic its moderators pinned is kept off the journey, as a Reddit stickied post is.

Found by serving the README's Discourse preset (`https://FORUM/latest.rss`) over local HTTP: the forum's pinned
"Welcome to the Acme Air community" topic (`<discourse:topicPinned>Yes</discourse:topicPinned>`, posted by
`system`: "This is the place to talk about Acme Air.") was stored as customer talk, classified onto a journey
stage and quotable in the digest, where a subreddit's stickied welcome post or rules are never counted or quoted.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from journeywatch.settings import load_config
from tests.servers.feeds import FeedServer, Route, collect_from, feed_server  # noqa: F401

LATEST = b"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:discourse="http://www.discourse.org/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Acme Community - Latest topics</title><link>https://forum.acme.example/latest</link>
<description>Latest topics</description>
<item><title>Acme Air app crashes on login</title><dc:creator><![CDATA[bob_smith]]></dc:creator>
<description><![CDATA[<p>Since the 5.2 update the Acme Air app crashes as soon as I log in.</p>
<p><small>3 posts - 2 participants</small></p>
<p><a href="https://forum.acme.example/t/acme-air-app-crashes-on-login/123">Read full topic</a></p>]]></description>
<link>https://forum.acme.example/t/acme-air-app-crashes-on-login/123</link><pubDate>Tue, 24 Nov 2026 09:12:45 +0000</pubDate>
<discourse:topicPinned>No</discourse:topicPinned><discourse:topicClosed>No</discourse:topicClosed>
<guid isPermaLink="false">forum.acme.example-topic-123</guid></item>
<item><title>Welcome to the Acme Air community</title><dc:creator><![CDATA[system]]></dc:creator>
<description><![CDATA[<p>This is the place to talk about Acme Air.</p><p><small>1 post - 1 participant</small></p>
<p><a href="https://forum.acme.example/t/welcome/7">Read full topic</a></p>]]></description>
<link>https://forum.acme.example/t/welcome/7</link><pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate>
<discourse:topicPinned>Yes</discourse:topicPinned><discourse:topicClosed>No</discourse:topicClosed>
<guid isPermaLink="false">forum.acme.example-topic-7</guid></item>
</channel></rss>"""


def test_a_pinned_discourse_topic_is_stored_as_stickied(tmp_path: Path, feed_server: FeedServer  # noqa: F811
                                                        ) -> None:
    feed_server.routes["/latest.rss"] = Route(LATEST)
    path = tmp_path / "brands.yaml"
    path.write_text("database: sqlite:///jw.db\nbrands: [{name: Acme Air, query: '\"acme air\"'}]\n"
                    f"sources: [{{name: forum, kind: feed, url: '{feed_server.url('/latest.rss')}', "
                    "source_kind: forum}]\n", encoding="utf-8")
    config = load_config(path)
    result = collect_from(config)
    assert result.new == 2
    with sqlite3.connect(tmp_path / "jw.db") as db:
        rows = db.execute("select external_id, stickied from mentions order by external_id").fetchall()
    assert rows == [("forum.acme.example-topic-123", 0), ("forum.acme.example-topic-7", 1)]
