"""A quote whose second word is thousands of characters long keeps a quote's worth of it.

A post 'scriptco <a 5,000-character word> awful...' was quoted as 'scriptco…': the cut was made at the last
space before the limit, and the only space was after the first word. The digest is built from a real SQLite
database and read in its HTML (as a browser sees it), its Markdown (rendered) and the Markdown source.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import markdown
import pytest

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import Digest, add_charts, build_digest, parse_week, render_html, render_markdown
from journeywatch.reports.formatting import QUOTE_CHARS, short
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, WEEK_START, Item, fill, make_items

WORD = "horrible" * 625  # 5,000 characters, no space
LONG = f"scriptco {WORD} awful, never buying again"
QUOTED = short(LONG)


class _Text(HTMLParser):
    """The visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible(html: str) -> str:
    page = _Text()
    page.feed(html)
    return "".join(page.parts)


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    """This week's digest, whose surest negative share-stage item is the post with the long word."""
    url = f"sqlite:///{tmp_path_factory.mktemp('long-word') / 'j.db'}"
    mention = Mention(source="trustpilot", external_id="long-word", text=LONG,
                      created_at=WEEK_START + timedelta(days=1), url="https://example.org/long",
                      author="author-2", brands=[BRAND])
    surest = Prediction("ultimate_moment", 0.999, "negative", 0.999, {"ultimate_moment": 0.999}, {"negative": 0.999})
    fill(open_database(url), make_items(hostile=False) + [Item(mention, surest)])
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "x"}]})
    return add_charts(build_digest(open_database(url), config, BRAND, parse_week(WEEK)))


def test_the_long_word_is_cut_inside_not_dropped() -> None:
    assert QUOTED == LONG[: QUOTE_CHARS - 1] + "…"
    assert len(QUOTED) == QUOTE_CHARS


def test_every_render_quotes_part_of_the_long_word(digest: Digest) -> None:
    assert [q.text for q in digest.negative_share_items][:1] == [LONG]
    html = _visible(render_html(digest))
    source = render_markdown(digest)
    rendered = _visible(markdown.markdown(source, extensions=["tables"]))
    for text in (html, source, rendered):
        assert f"“{QUOTED}”" in text
        assert "scriptco…" not in text


def test_a_cut_inside_a_word_keeps_whole_characters() -> None:
    """Cut by code points, '👩‍💻' (woman, zero-width joiner, laptop) lost its laptop and 'é' its accent."""
    coder, accented, flag = "👩\u200d💻", "e\u0301", "🇫🇷"
    for start, word in (("a", coder), ("a", accented * 2), ("ab", flag), ("a", "👍🏽")):
        text = start + word * 300
        cut = short(text)
        assert cut.endswith(word + "…"), (word, cut[-4:])
        assert len(cut) <= QUOTE_CHARS
        assert len(cut) > QUOTE_CHARS - 1 - len(word)  # as long as whole characters allow


def test_a_quote_with_ordinary_words_is_still_cut_at_a_space() -> None:
    text = " ".join(["coffee"] * 100)
    assert short(text) == " ".join(["coffee"] * 39) + "…"
    assert short("scriptco " + "x" * 150 + " awful " * 40).endswith("awful…")
