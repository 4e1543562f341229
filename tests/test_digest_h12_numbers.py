"""Counts and averages in the digest read as a brand manager reads them: '6,248 items', and an average
named as the average it is ('2,032 a week on average over the previous four weeks'), not '2032.0 a week before'.

The digests are built from rows stored through the real storage API (SQLite), then rendered.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.reports.formatting import baseline_text, count, weekly_average
from journeywatch.reports.highlights import highlights
from journeywatch.reports.model import Digest
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START

BEFORE = (2030, 2031, 2033, 2034)  # share-stage items in the four weeks before WEEK, oldest first: 2,032 a week
NOW = 6248


def _busy_brand(url: str, weekly: tuple[int, ...] = (*BEFORE, NOW), sources: tuple[str, ...] = ("forum",),
                moment: str = "ultimate_moment", lean: str = "positive") -> Digest:
    """`weekly` items a week ending with WEEK, all in one stage, every third one not `lean`, spread over `sources`."""
    engine = open_database(url)
    mentions, labels = [], []
    for age, n_items in enumerate(reversed(weekly)):
        start = WEEK_START - timedelta(weeks=age)
        for n in range(n_items):
            mentions.append(Mention(source=sources[n % len(sources)], external_id=f"{age}-{n}",
                                    text=f"Northwind beans note {age} {n}", author=f"a{n}", brands=[BRAND],
                                    created_at=start + timedelta(hours=1, seconds=60 * n)))
            labels.append(lean if n % 3 else "negative" if lean == "positive" else "positive")
    store_batch(engine, mentions)
    save_predictions(engine, "v", [(i + 1, Prediction(moment, 0.9, sentiment, 0.9, {}, {}))
                                   for i, sentiment in enumerate(labels)])
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def test_count_average_and_baseline_wording() -> None:
    assert [count(1), count(0), count(6248), count(3, "author")] == ["1 item", "0 items", "6,248 items", "3 authors"]
    assert [weekly_average(v) for v in (2032.0, 2031.5, 120.4, 10.4, 5.5, 7.0, 6.97, 0.25)] == [
        "2,032", "2,032", "120", "10.4", "5.5", "7", "7", "0.2"]
    assert baseline_text(2032.0, 4) == "2,032 a week on average over the previous four weeks"
    assert baseline_text(100.0, 1) == "100 last week"


def test_the_biggest_move_names_its_counts_with_separators_and_its_baseline_as_an_average(sqlite_url: str) -> None:
    # '(6248 items, 2032.0 a week before)': no separator, and 2032.0 was the mean of the four weeks before,
    # read as last week's count.
    digest = _busy_brand(sqlite_url)
    share = next(s for s in digest.stages if s.name == "share")
    assert (share.volume, share.baseline) == (NOW, 2032.0)
    expected = ("Biggest move: share talk is up 208% (6,248 items this week, 2,032 a week on average over the "
                "previous four weeks).")
    assert digest.highlights[0] == expected, digest.highlights
    assert "Most negative stage" not in " ".join(digest.highlights)
    assert expected in render_markdown(digest)
    assert expected in html.unescape(render_html(add_charts(digest)))
    data = json.loads(render_json(digest))  # JSON keeps the raw figures
    assert next(s for s in data["stages"] if s["name"] == "share")["baseline"] == 2032.0
    assert data["headline"]["volume"]["value"] == NOW


def test_a_brand_one_week_old_compares_with_last_weeks_count(sqlite_url: str) -> None:
    digest = _busy_brand(sqlite_url, weekly=(1000, 1250))
    assert digest.baseline_weeks == 1
    assert digest.highlights[0] == "Biggest move: share talk is up 25% (1,250 items this week, 1,000 last week).", \
        digest.highlights
    running = dataclasses.replace(digest, partial_note="Partial week")
    assert highlights(running)[0] == ("Week so far: share talk leads with 1,250 items (1,000 last week); moves are "
                                      "judged when the week is over."), highlights(running)


def test_the_most_negative_stage_counts_with_separators(sqlite_url: str) -> None:
    digest = _busy_brand(sqlite_url, weekly=(1200, 1203), moment="second_moment", lean="negative")
    assert "Most negative stage: use, net sentiment -33 (802 of 1,203 items negative)." in digest.highlights, \
        digest.highlights
    assert digest.highlights[0] == ("No stage moved: each is within 1% of last week (the busiest, use, had 1,203 "
                                    "items this week, 1,200 last week)."), digest.highlights


def _text(page: str) -> str:
    """The HTML page's words, tags left out, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_html_digest_writes_its_counts_with_thousands_separators(sqlite_url: str) -> None:
    # 'Share 6248 items', '2083 neg', 'forum 2083 (33%)', '2034 of 6248 authors', 'Mentions collected 6248':
    # only the headline cards had separators.
    digest = _busy_brand(sqlite_url, sources=("forum", "reviews", "reddit"))
    page = render_html(add_charts(digest))
    text = _text(page)
    assert "Share 6,248 items · +208% vs 4-wk avg 2,083 neg · 0 neu · 4,165 pos" in text, text
    assert "Touchpoints: forum 2,083 (" in text
    assert "2,034 of 6,248 authors came back" in text
    assert "against the brand (2,083 this week)" in text
    assert "Mentions collected 6,248 Classified 6,248 On the journey 6,248" in text
    assert "share 6,248 items, complete 0 items" in html.unescape(page)  # the journey map's alt text
    assert not re.search(r"\b(2083|2034|4165|6248)\b", text), re.findall(r".{40}\b(?:2083|6248)\b.{20}", text)


def test_the_html_digest_says_1_item_not_1_items(sqlite_url: str) -> None:
    digest = _busy_brand(sqlite_url, weekly=(1,))
    page = html.unescape(render_html(add_charts(digest)))
    assert "share 1 item," in page and "1 items" not in page and "1 item ·" in _text(page)


def test_the_markdown_digest_writes_its_counts_with_thousands_separators(sqlite_url: str) -> None:
    # The map's split read '2083 / 0 / 4165', the trend '6248 (2083 neg)', the retention line '2034 of 6,248 authors'.
    markdown = render_markdown(_busy_brand(sqlite_url, sources=("forum", "reviews", "reddit")))
    assert "| share | 6,248 | +208% | +33 | 2,083 / 0 / 4,165 | forum 2,083 (" in markdown, markdown
    assert "| 2,034 (678 neg) | 6,248 (2,083 neg) |" in markdown
    assert "2,034 of 6,248 authors this week also wrote in the previous 7 weeks" in markdown
    assert not re.search(r"\b(2083|2034|4165|6248)\b", markdown)



def test_a_stages_touchpoint_shares_add_up_to_100_percent(sqlite_url: str) -> None:
    # Three sources of 2,083, 2,083 and 2,082 items, all of the stage's, read 33% + 33% + 33%.
    digest = _busy_brand(sqlite_url, sources=("forum", "reviews", "reddit"))
    expected = "forum 2,083 (34%), reviews 2,083 (33%), reddit 2,082 (33%)"
    assert expected in render_markdown(digest)
    assert expected.replace(", ", " ") in _text(render_html(add_charts(digest)))



def test_a_change_of_thousands_of_percent_has_separators(sqlite_url: str) -> None:
    # Ten items last week, 1,250 this week read '+12400.0% vs last week's 10' and '+12400%' on the map.
    digest = _busy_brand(sqlite_url, weekly=(10, 1250))
    markdown = render_markdown(digest)
    assert "**Mentions:** 1,250 (+12,400.0% vs last week's 10)" in markdown, markdown
    assert "| share | 1,250 | +12,400% |" in markdown
    assert "+12,400.0% vs last week's 10" in _text(render_html(add_charts(digest)))
    from journeywatch.reports.charts import _change_text
    assert _change_text(next(s for s in digest.stages if s.name == "share")) == "▲ 12,400%"


def test_an_alerts_counts_have_separators(sqlite_url: str) -> None:
    # A spike of 1500 items read '1500 negative share-stage items ...; top sources: trustpilot 1200, reddit 300'.
    from sqlalchemy import insert

    from journeywatch.storage.tables import alerts
    _busy_brand(sqlite_url, weekly=(1,))
    at = WEEK_START + timedelta(days=2, hours=9)
    row = {"brand": BRAND, "window_start": at, "window_end": at + timedelta(hours=1),
           "last_window_end": at + timedelta(hours=1), "status": "ended", "observed": 1500, "expected": 4.0,
           "ratio": 375.0, "p_value": 1e-9, "model": "poisson", "windows": 1, "negative_share": 0.6,
           "share_items": 2500, "evidence": {"sources": {"trustpilot": 1200, "reddit": 300}, "top_items": []},
           "deliveries": [], "created_at": at + timedelta(hours=1)}
    engine = open_database(sqlite_url)
    with engine.begin() as connection:
        connection.execute(insert(alerts), [row])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    expected = ("1,500 negative share-stage items where 4 were expected (375×); top sources: trustpilot 1,200, "
                "reddit 300; ended")
    assert f"- Wed 11 Nov 09:00 UTC: {expected}" in render_markdown(digest)
    assert expected in _text(render_html(add_charts(digest)))


def test_the_trend_charts_item_axis_has_separators(sqlite_url: str) -> None:
    # The trend chart's axis read '2000 4000 6000' beside the tables' '6,248'.
    import matplotlib.pyplot as plt

    from journeywatch.reports.charts import trend_figure
    figure = trend_figure(_busy_brand(sqlite_url))
    figure.canvas.draw()
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    plt.close(figure)
    assert "2,000" in labels or "5,000" in labels, labels
    assert not any(re.fullmatch(r"\d{4,}", label) for label in labels), labels


def test_the_html_map_says_its_change_is_against_a_weekly_average(sqlite_url: str) -> None:
    # 'change against the previous four weeks' did not say whether the four weeks were summed or averaged.
    text = _text(render_html(add_charts(_busy_brand(sqlite_url))))
    assert "volume, change against the weekly average of the previous four weeks, net sentiment" in text


def test_the_html_map_of_a_brand_one_week_old_says_last_week(sqlite_url: str) -> None:
    text = _text(render_html(add_charts(_busy_brand(sqlite_url, weekly=(1000, 1250)))))
    assert "volume, change against last week, net sentiment" in text


def test_an_average_under_a_hundred_keeps_its_decimal(sqlite_url: str) -> None:
    # '(17 items this week, 10 a week on average ...)' beside 'up 62%': the average was 10.5.
    digest = _busy_brand(sqlite_url, weekly=(10, 10, 11, 11, 17))
    assert digest.highlights[0] == ("Biggest move: share talk is up 62% (17 items this week, 10.5 a week on average "
                                    "over the previous four weeks)."), digest.highlights


def test_an_empty_trend_charts_axis_reads_from_zero_up(sqlite_url: str) -> None:
    # Every count zero: matplotlib centred the axis on 0 and labelled it '−0, 0, 0'.
    import matplotlib.pyplot as plt

    from journeywatch.reports.charts import trend_figure
    figure = trend_figure(_busy_brand(sqlite_url, weekly=(0, 0, 0, 0, 0)))  # a brand whose query matched nothing yet
    figure.canvas.draw()
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    plt.close(figure)
    assert labels and not any(label.startswith(("−", "-")) for label in labels), labels
    assert labels.count("0") == 1, labels
