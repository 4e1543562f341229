"""Reddit's `nsfw` and `stickied` flags in the weekly digest.

A brand manager forwards the digest to colleagues: an NSFW post quoted with no marker surprised them, and a
subreddit moderator's stickied post (a weekly megathread, an announcement) was quoted and counted as customer
talk. The week is the digest tests' demo-like data (`tests.test_digest_data`) plus a few Reddit posts the
classifier is surest of, stored through the real storage API; the digest is built from the stored rows and
checked in its HTML, Markdown and JSON.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.reports.model import Digest
from journeywatch.settings import Config, parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, WEEK_START, Item, fill, make_items

MEGATHREAD = ("Weekly Northwind Coffee megathread: cancelled my subscription? Post your grinder refund problems "
              "here (mods)")
NSFW_RANT = "Northwind Coffee grinder broke again, worst purchase of my life, avoid them"


def _reddit(external_id: str, text: str, *, nsfw: bool = False, stickied: bool = False,
            moment: str = "ultimate_moment", sentiment: str = "negative", hours: int = 30) -> Item:
    """A Reddit post of the week the classifier is surer of than of any other item."""
    mention = Mention(source="reddit:r/coffee", external_id=external_id, text=text, source_kind="reddit",
                      created_at=WEEK_START + timedelta(hours=hours), author=f"redditor-{external_id}",
                      url=f"https://www.reddit.com/r/coffee/comments/{external_id}/", nsfw=nsfw, stickied=stickied,
                      brands=[BRAND])
    return Item(mention, Prediction(moment, 0.999, sentiment, 0.9999, {moment: 0.999}, {sentiment: 0.9999}))


def _config(url: str, **digest: object) -> Config:
    return parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}], "digest": digest})


def _digest(url: str, items: list[Item], **digest: object) -> tuple[Digest, dict[str, str]]:
    fill(open_database(url), items)
    config = _config(url, **digest)
    built = build_digest(open_database(url), config, BRAND, parse_week(WEEK))
    add_charts(built)
    return built, {"html": render_html(built), "md": render_markdown(built), "json": render_json(built)}


def _quoted(digest: Digest) -> list[str]:
    return [q.text for s in digest.stages for q in s.quotes] + [q.text for q in digest.negative_share_items]


def test_a_stickied_post_is_never_quoted(database_url: str) -> None:
    digest, files = _digest(database_url, make_items() + [_reddit("mega1", MEGATHREAD, stickied=True)])
    assert MEGATHREAD not in _quoted(digest)
    assert digest.negative_share_items and all(q.text != MEGATHREAD for q in digest.negative_share_items)
    for text in files.values():
        assert "megathread" not in text


def test_an_nsfw_post_is_not_quoted_while_other_items_are_there(database_url: str) -> None:
    digest, files = _digest(database_url, make_items() + [_reddit("rant1", NSFW_RANT, nsfw=True)])
    assert NSFW_RANT not in _quoted(digest)
    assert digest.negative_share_items and {s.name: s for s in digest.stages}["share"].quotes
    for text in files.values():
        assert "worst purchase of my life" not in text and "NSFW" not in text
    data = json.loads(files["json"])
    assert [q["nsfw"] for s in data["stages"] for q in s["quotes"]] == [False] * sum(len(s.quotes)
                                                                                  for s in digest.stages)
    assert all(q["nsfw"] is False for q in data["negative_share_items"])


def test_a_quoted_nsfw_post_is_marked_in_every_format(database_url: str) -> None:
    """The week's only share-stage talk is an NSFW post: it is quoted (there is nothing else), marked NSFW."""
    safe = "Six months in and still using my Northwind Coffee grinder daily"
    items = [_reddit("rant1", NSFW_RANT, nsfw=True),
             _reddit("happy1", safe, moment="second_moment", sentiment="positive", hours=40)]
    digest, files = _digest(database_url, items)
    stages = {s.name: s for s in digest.stages}
    assert [(q.text, q.nsfw) for q in stages["share"].quotes] == [(NSFW_RANT, True)]
    assert [(q.text, q.nsfw) for q in stages["use"].quotes] == [(safe, False)]
    assert [(q.text, q.nsfw) for q in digest.negative_share_items] == [(NSFW_RANT, True)]

    data = json.loads(files["json"])
    quotes = {q["text"]: q["nsfw"] for s in data["stages"] for q in s["quotes"]}
    assert quotes == {NSFW_RANT: True, safe: False}
    assert [q["nsfw"] for q in data["negative_share_items"]] == [True]
    # The marker comes before the words, on the quote's own line: a reader sees it before reading the post.
    md_lines = [line for line in files["md"].splitlines() if "worst purchase of my life" in line]
    assert len(md_lines) == 2 and all(line.index("NSFW") < line.index("Northwind") for line in md_lines)
    assert not [line for line in files["md"].splitlines() if "still using my" in line and "NSFW" in line]
    html = files["html"]
    assert html.count("NSFW") == 2
    assert all(html.index("NSFW", start) < html.index("worst purchase of my life", start)
               for start in (0, html.index("worst purchase of my life") + 1))


def test_a_stickied_post_is_in_the_mentions_but_off_the_journey_map(database_url: str, tmp_path: Path) -> None:
    """A moderator's megathread names the brand (a mention) but is no customer's talk: on no stage, in no figure
    drawn from journey items, no churn, no repeat author; coverage counts it off the journey and says why."""
    # The moderator posts one every week: last week's, too, must not make them a loyal repeat author.
    megathreads = [_reddit("mega1", MEGATHREAD, stickied=True), _reddit("mega0", MEGATHREAD, stickied=True, hours=-100)]
    for mega in megathreads:
        mega.mention.author = "moderator-1"
    digest, files = _digest(database_url, make_items() + megathreads)
    without, plain = _digest(f"sqlite:///{tmp_path / 'without.db'}", make_items())

    assert digest.headline.volume.value == without.headline.volume.value + 1
    assert digest.coverage.off_journey == without.coverage.off_journey + 1
    assert (digest.coverage.stickied, without.coverage.stickied) == (1, 0)
    assert digest.headline.journey_items == without.headline.journey_items
    assert digest.headline.negative_share_count == without.headline.negative_share_count
    assert digest.headline.net_sentiment == without.headline.net_sentiment
    assert digest.headline.negative_share_talk == without.headline.negative_share_talk
    for mine, theirs in zip(digest.stages, without.stages, strict=True):
        assert (mine.name, mine.volume, mine.sentiment, mine.history, mine.touchpoints) == \
               (theirs.name, theirs.volume, theirs.sentiment, theirs.history, theirs.touchpoints)
        assert (mine.emerging_terms, mine.pain_points) == (theirs.emerging_terms, theirs.pain_points)
        # the retention stage's authors and repeat authors, loyalty and churn; its history_items counts mentions
        assert {k: v for k, v in mine.extra.items() if k != "history_items"} == \
               {k: v for k, v in theirs.extra.items() if k != "history_items"}
    assert digest.trend.counts["ultimate_moment"] == without.trend.counts["ultimate_moment"]
    assert digest.trend.counts["none"]["negative"][-2:] == [n + 1 for n in without.trend.counts["none"]["negative"][-2:]]

    assert "1 stickied or pinned by moderators" in files["md"]
    assert "1 stickied or pinned by moderators" in files["html"]
    assert json.loads(files["json"])["coverage"]["stickied"] == 1
    assert "stickied" not in plain["md"] and "stickied" not in plain["html"]
