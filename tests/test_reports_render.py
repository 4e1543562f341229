"""HTML, Markdown and JSON digests: hostile posts stay text, the HTML stands alone, JSON has every figure."""

from __future__ import annotations

import base64
import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from markdown_it import MarkdownIt
from hypothesis import given, settings
from hypothesis import strategies as st

from journeywatch.reports import Digest, add_charts, build_digest, parse_week, render_json, render_markdown
from journeywatch.reports import md_escape, render_html, write_digest
from journeywatch.reports.formatting import touchpoint_shares
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, fill, make_items


class _Page(HTMLParser):
    """Collects what a browser would act on: elements, attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    url = f"sqlite:///{tmp_path_factory.mktemp('render') / 'j.db'}"
    fill(open_database(url), make_items())
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "x"}]})
    return add_charts(build_digest(open_database(url), config, BRAND, parse_week(WEEK)))


def _assert_inert(page: _Page) -> None:
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert tag != "img" or (attrs.get("src") or "").startswith("data:image/png;base64,"), attrs
        assert not (attrs.get("href") or "").lower().startswith(("javascript:", "data:")), attrs


def test_hostile_post_is_text_in_html(digest: Digest) -> None:
    page = _parse(render_html(digest))
    _assert_inert(page)
    text = " ".join(page.text)
    assert '<script>alert("x")</script>' in text  # shown, as the author wrote it
    assert '<img src=x onerror="alert(1)">' in text


def test_hostile_post_is_text_in_markdown(digest: Digest) -> None:
    source = render_markdown(digest)
    page = _parse(markdown.markdown(source, extensions=["tables"]))
    _assert_inert(page)
    text = " ".join(page.text)
    assert '<script>alert("x")</script>' in text
    assert '<img src=x onerror="alert(1)">' in text
    assert "[click](javascript:alert(2))" in text  # a link written in a post stays words


def test_md_escape_leaves_no_markup() -> None:
    hostile = "**bold** [x](http://e.org) ![i](http://e.org/i.png) | a | <b>hi</b> # head `code`"
    page = _parse(markdown.markdown("- " + md_escape(hostile), extensions=["tables"]))
    assert [t for t, _ in page.tags] == ["ul", "li"]
    assert " ".join(page.text).strip() == hostile


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("ab <>&*_[]()!#`|\\-+.=~:/\"'{}1\n\t;")), max_size=40))
def test_md_escape_shows_any_text_as_itself(text: str) -> None:
    """Whatever a post contains, Markdown renders exactly its words (whitespace collapsed) and no markup,
    in Python-Markdown and in CommonMark (GitHub, wikis, chat), where '&\\#124;' showed as itself, not '|'."""
    for html in (markdown.markdown("- " + md_escape(text), extensions=["tables"]),
                 MarkdownIt("commonmark").enable("table").render("- " + md_escape(text))):
        page = _parse(html)
        assert [t for t, _ in page.tags] == ["ul", "li"]
        assert "".join(page.text).strip() == " ".join(text.split())


def test_html_stands_alone_with_inline_charts(digest: Digest) -> None:
    html = render_html(digest)
    page = _parse(html)
    assert "<style" not in html and "<link" not in html  # email clients drop both: styles are inline
    images = [attrs["src"] or "" for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 2
    for src in images:
        png = base64.b64decode(src.removeprefix("data:image/png;base64,"))
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    sections = {attrs.get("data-section") for _, attrs in page.tags if attrs.get("data-section")}
    assert sections == {"header", "headline", "journey-map", "stages", "trend", "negative-share", "terms",
                        "alerts", "coverage", "footer"}
    for stage in digest.stages:
        assert stage.name.capitalize() in page.text


def test_json_has_every_figure(digest: Digest) -> None:
    data = json.loads(render_json(digest))
    assert data["format_version"] == 2
    assert data["headline"]["volume"]["value"] == digest.headline.volume.value
    assert [s["name"] for s in data["stages"]] == digest.stage_names
    assert data["stages"][0]["sentiment"] == digest.stages[0].sentiment
    assert data["trend"]["counts"]["ultimate_moment"]["negative"] == digest.trend.counts["ultimate_moment"]["negative"]
    assert data["coverage"]["failed_sources"][0]["source"] == "news-feed"
    assert "charts" not in data


def test_write_digest_names_files_by_brand_and_week(digest: Digest, tmp_path: Path) -> None:
    paths = write_digest(digest, tmp_path / "out")
    assert [p.name for p in paths] == [f"northwind-coffee-{WEEK}.{ext}" for ext in ("html", "md", "json")]
    assert all(p.stat().st_size > 0 for p in paths)
    assert json.loads(paths[2].read_text(encoding="utf-8"))["brand"] == BRAND


def test_one_negative_share_item_reads_as_one(digest: Digest) -> None:
    """'1 items' and '1 warnings and bad reviews' read as a slip to the brand manager; the trend table's
    caption says what each week's cell counts."""
    one = dataclasses.replace(digest, headline=dataclasses.replace(digest.headline, negative_share_count=1))
    markdown_text = render_markdown(one)
    assert "of journey items, 1 item (" in markdown_text
    assert "Cells: items that week (of which negative)." in markdown_text
    assert "1 warning or bad review" in " ".join(_parse(render_html(one)).text)


def test_the_trend_heading_says_how_many_weeks_in_every_format(digest: Digest) -> None:
    # The Markdown heading read "last weeks" (the number was missing) where the HTML says "last 8 weeks".
    weeks = len(digest.trend.weeks)
    assert f"## Moments and sentiment, last {weeks} weeks" in render_markdown(digest)
    assert f"Moments and sentiment, last {weeks} weeks" in render_html(digest)


def test_a_week_across_new_year_names_both_years(digest: Digest) -> None:
    # 2020-W53 read "Mon 28 Dec – Sun 3 Jan 2021", as if it began in December 2021.
    week = dataclasses.replace(digest, week="2020-W53", week_start="2020-12-28", week_end="2021-01-03")
    for text in (render_markdown(week), " ".join(_parse(render_html(week)).text)):
        assert "Mon 28 Dec 2020 – Sun 3 Jan 2021" in text
    assert "Mon 9 Nov – Sun 15 Nov 2026" in render_markdown(digest)


def test_a_stage_new_this_week_says_what_new_means(digest: Digest) -> None:
    # The stage column read "4 items · new vs 4-wk avg".
    stages = [dataclasses.replace(s, change_vs_baseline=None, baseline=0.0) if i == 0 else s
              for i, s in enumerate(digest.stages)]
    text = " ".join(" ".join(_parse(render_html(dataclasses.replace(digest, stages=stages))).text).split())
    assert "new: none in the previous four weeks" in text and "new vs 4-wk avg" not in text


def test_a_volume_change_names_the_count_it_is_relative_to(digest: Digest) -> None:
    # "3 (+200.0% vs last week)" hid that last week had 1 mention.
    h = digest.headline
    tiny = dataclasses.replace(h, volume=dataclasses.replace(h.volume, value=3, previous=1, delta=200.0))
    small = dataclasses.replace(digest, headline=tiny)
    assert "**Mentions:** 3 (+200.0% vs last week's 1)" in render_markdown(small)
    assert "+200.0% vs last week's 1" in " ".join(_parse(render_html(small)).text)


def test_touchpoints_show_their_counts_beside_their_shares(digest: Digest) -> None:
    # "social 100%" of a one-item stage read like a trend; the count says how much it is.
    stage = next(s for s in digest.stages if s.touchpoints)
    top = stage.touchpoints[0]
    shown = f"{top.source} {top.count:,} ({touchpoint_shares(stage)[0]}%)"  # largest remainders: they add up
    assert shown in render_markdown(digest)
    assert shown in " ".join(_parse(render_html(digest)).text)


def test_bidi_overrides_in_a_post_do_not_reorder_its_quote(digest: Digest) -> None:
    # An unclosed U+202E in a post drew "Great coffee ”very bad of course" in Chromium.
    stage = next(s for s in digest.stages if s.quotes)
    tricky = dataclasses.replace(stage.quotes[0], text="Great coffee \u202eesruoc fo dab yrev \u2067x\u2069 رائعة")
    stages = [dataclasses.replace(s, quotes=[tricky]) if s is stage else s for s in digest.stages]
    shown = dataclasses.replace(digest, stages=stages)
    for text in (render_html(shown), render_markdown(shown)):
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert "esruoc fo dab yrev x رائعة" in text
    assert "\u202e" in render_json(shown)  # the JSON keeps exactly what was written


def test_the_trend_table_names_the_year_where_it_crosses_new_year(digest: Digest) -> None:
    # 2021-W02's table read "W48 | W49 | W50 | W51 | W52 | W53 | W01 | W02".
    weeks = ["2020-W48", "2020-W49", "2020-W50", "2020-W51", "2020-W52", "2020-W53", "2021-W01", "2021-W02"]
    crossing = dataclasses.replace(digest, trend=dataclasses.replace(digest.trend, weeks=weeks))
    assert "| Moment | 2020-W48 | W49 | W50 | W51 | W52 | W53 | 2021-W01 | W02 |" in render_markdown(crossing)
    assert "| Moment | W39 | W40 | W41 | W42 | W43 | W44 | W45 | W46 |" in render_markdown(digest)


def test_a_retention_stage_of_one_item_and_one_author_reads_in_the_singular(digest: Digest) -> None:
    # A three-post brand's digest read '1 items with loyalty language' and '0 of 1 authors'.
    stages = [dataclasses.replace(s, extra={**s.extra, "loyalty_mentions": 1, "authors": 1, "repeat_authors": 0})
              if s.derived == "retention" else s for s in digest.stages]
    one = dataclasses.replace(digest, stages=stages)
    markdown_text = render_markdown(one)
    assert "1 item with loyalty language" in markdown_text and "0 of 1 author this week" in markdown_text
    assert "0 of 1 author came back" in " ".join(_parse(render_html(one)).text)


def test_a_quotes_date_reads_as_the_period_does(digest: Digest) -> None:
    # The period read 'Mon 9 Nov' and the quotes under it 'Mon 09 Nov'.
    quote = next(q for s in digest.stages for q in s.quotes)
    day = quote.created_at.replace(day=9, month=11)
    one = dataclasses.replace(digest, negative_share_items=[dataclasses.replace(quote, created_at=day)])
    expected = f"{day:%a} 9 Nov"
    assert f"· {expected} ·" in render_markdown(one)
    assert f"{expected}" in " ".join(_parse(render_html(one)).text) and f"{day:%a} 09 Nov" not in render_html(one)


def test_a_custom_stage_name_keeps_its_letters_in_headings(digest: Digest) -> None:
    # "Buy & Try" was headed "Buy & try" (str.capitalize lowers the rest), "eCommerce" "Ecommerce".
    stages = [dataclasses.replace(s, name=name) for s, name in zip(digest.stages, ["Buy & Try", "eCommerce"])]
    named = dataclasses.replace(digest, stages=stages + digest.stages[2:])
    markdown_text = render_markdown(named)
    assert "### Buy & Try" in markdown_text and "### ECommerce" in markdown_text
    text = " ".join(_parse(render_html(named)).text)
    assert "Buy & Try" in text and "Buy & try" not in text and "ECommerce" in text
