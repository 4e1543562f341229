"""The digest's figures against counts made independently from the stored items, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from sqlalchemy import insert

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week
from journeywatch.reports import render_html, render_json, render_markdown
from journeywatch.reports.fired_alerts import alert_summary
from journeywatch.reports.formatting import weekly_average
from journeywatch.reports.highlights import highlights
from journeywatch.reports.model import StageFigures
from journeywatch.reports.terms import TermCounter, top_terms
from journeywatch.settings import Config, parse_config
from journeywatch.stages import CHURN_PATTERNS, COMPARISON_PATTERNS, LOYALTY_PATTERNS
from journeywatch.storage import open_database, save_predictions, store_batch
from journeywatch.storage.digest_queries import cue_regex
from journeywatch.storage.tables import alerts
from tests.test_digest_data import BRAND, WEEK, WEEK_START, Item, fill, make_items

FIVE = {"stimulus": "engage", "zero_moment": "engage", "first_moment": "purchase", "second_moment": "use",
        "ultimate_moment": "share"}


def _config(url: str, **digest: object) -> Config:
    return parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}], "digest": digest})


def _in_week(item: Item, weeks_before: int = 0) -> bool:
    start = WEEK_START - timedelta(weeks=weeks_before)
    return start <= item.mention.created_at < start + timedelta(weeks=1)


def _says(text: str, patterns: tuple[str, ...]) -> bool:
    """The cue patterns as the digest reads them, in Python (the database reads the same expression)."""
    return re.search(cue_regex(patterns, BRAND) or "(?!)", text) is not None


def _churns(text: str) -> bool:
    """Churn language as the digest reads it: "switched to <another brand>" counts, "to <this brand>" does not."""
    return _says(text, CHURN_PATTERNS)


@pytest.fixture
def stored(database_url: str) -> tuple[Config, list[Item]]:
    items = make_items()
    fill(open_database(database_url), items)
    return _config(database_url), items


def test_headline_and_stages_match_the_items(stored: tuple[Config, list[Item]]) -> None:
    config, items = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    week = [i for i in items if _in_week(i)]
    before = [i for i in items if _in_week(i, 1)]
    journey = [i for i in week if i.prediction and i.prediction.moment != "none"]
    sentiments = Counter(i.prediction.sentiment for i in journey if i.prediction)
    negative_share = sum(1 for i in journey if i.prediction and i.prediction.moment == "ultimate_moment"
                         and i.prediction.sentiment == "negative")

    assert digest.headline.volume.value == len(week)
    assert digest.headline.volume.previous == len(before)
    assert digest.headline.volume.delta == pytest.approx((len(week) - len(before)) / len(before) * 100, abs=0.05)
    assert digest.headline.journey_items == len(journey)
    assert digest.headline.net_sentiment.value == pytest.approx(
        (sentiments["positive"] - sentiments["negative"]) / len(journey) * 100, abs=0.05)
    assert digest.headline.negative_share_count == negative_share
    assert digest.headline.negative_share_talk.value == pytest.approx(negative_share / len(journey) * 100, abs=0.05)

    by_stage = {s.name: s for s in digest.stages}
    assert [s.name for s in digest.stages] == ["engage", "purchase", "use", "share", "complete"]
    for stage in ("engage", "purchase", "use", "share"):
        members = [i for i in journey if i.prediction and FIVE[i.prediction.moment] == stage]
        assert by_stage[stage].volume == len(members), stage
        assert by_stage[stage].sentiment == {
            s: sum(1 for i in members if i.prediction and i.prediction.sentiment == s)
            for s in ("negative", "neutral", "positive")}, stage
        weekly = [sum(1 for i in items if _in_week(i, k) and i.prediction and i.prediction.moment != "none"
                      and FIVE[i.prediction.moment] == stage) for k in range(1, 5)]
        assert by_stage[stage].baseline == pytest.approx(sum(weekly) / 4, abs=0.05), stage
        sources = Counter(i.mention.source for i in members)
        assert by_stage[stage].touchpoints[0].count == max(sources.values())
        for quote in by_stage[stage].quotes:
            assert FIVE[quote.moment] == stage

    complete = by_stage["complete"]
    customers = [i for i in journey if i.prediction.moment not in ("stimulus", "zero_moment")]
    churn = [i for i in customers if _churns(i.mention.text)]
    loyal = [i for i in customers if _says(i.mention.text, LOYALTY_PATTERNS) and i not in churn]
    # Both sides of "switched to" are in the week: leaving for a rival is churn, arriving is not.
    assert any("switching to blue bottle" in i.mention.text.lower() for i in churn)
    assert any("switched to northwind" in i.mention.text.lower() for i in journey if i not in churn)
    assert complete.extra["loyalty_mentions"] == len(loyal) > 0
    assert complete.extra["churn_mentions"] == len(churn) > 0
    assert complete.volume == len(loyal) + len(churn)
    authors = {i.mention.author for i in week}
    earlier = {i.mention.author for k in range(1, 8) for i in items if _in_week(i, k)}
    assert complete.extra["authors"] == len(authors)
    assert complete.extra["repeat_authors"] == len(authors & earlier)


def test_trend_coverage_and_negative_items(stored: tuple[Config, list[Item]]) -> None:
    config, items = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    assert len(digest.trend.weeks) == 8 and digest.trend.weeks[-1] == WEEK
    for k in range(8):
        counts = Counter((i.prediction.moment, i.prediction.sentiment) for i in items
                         if _in_week(i, 7 - k) and i.prediction)
        for (moment, sentiment), n in counts.items():
            assert digest.trend.counts[moment][sentiment][k] == n, (k, moment, sentiment)

    week = [i for i in items if _in_week(i)]
    coverage = digest.coverage
    assert coverage.not_classifiable == sum(1 for i in week if not i.mention.lang_supported)
    assert coverage.awaiting_classification == sum(1 for i in week if i.mention.lang_supported and not i.prediction)
    assert coverage.needs_review == sum(1 for i in week if i.prediction and i.prediction.needs_review)
    assert [(f.source, f.failures) for f in coverage.failed_sources] == [("news-feed", 2)]

    negatives = digest.negative_share_items
    assert 0 < len(negatives) <= config.digest.top_negative
    assert all(q.moment == "ultimate_moment" and q.sentiment == "negative" for q in negatives)
    assert len({q.text for q in negatives}) == len(negatives)  # copies are quoted once


def test_emerging_terms_find_this_weeks_new_complaint(stored: tuple[Config, list[Item]]) -> None:
    config, _ = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    found = {t.term for s in digest.stages for t in (*s.emerging_terms, *s.pain_points)}
    assert any("descaler" in term or "recall" in term for term in found), found
    quiet = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK).shift(-3))
    assert not any("descaler" in t.term for s in quiet.stages for t in s.emerging_terms)


def test_one_long_post_repeating_a_word_does_not_make_it_emerge() -> None:
    # A 6-item stage showed "waiting 122×": one post said it 120 times. Terms count items, not uses.
    baseline = [f"the acme service was fine, order {n} came on time" for n in range(20)]
    week = ["acme support " + "waiting " * 120, "acme order came on time", "the service was fine",
            "order fine, service on time"]
    counter = TermCounter(baseline + week)
    current = np.array([False] * len(baseline) + [True] * len(week))
    assert top_terms(counter, current, ~current, limit=5) == []
    week[1:] = ["still waiting for acme support", "waiting on acme support again", "support keeps me waiting"]
    counter = TermCounter(baseline + week)
    terms = {t.term: t for t in top_terms(counter, current, ~current, limit=5)}
    assert terms["waiting"].count == 4 and terms["waiting"].baseline_count == 0


def test_an_emerging_term_is_called_new_only_when_the_baseline_never_used_it(
    stored: tuple[Config, list[Item]],
) -> None:
    # "New this week in share: “bags”" where the four weeks before had used it too.
    config, _ = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    stage = next(s for s in digest.stages if s.emerging_terms)
    top = max(stage.emerging_terms, key=lambda t: t.z)
    for before, opening in ((0, "New this week in"), (4, "Rising in")):
        term = dataclasses.replace(top, z=99.0, baseline_count=before)
        stages = [dataclasses.replace(s, emerging_terms=[term]) if s is stage else s for s in digest.stages]
        line = highlights(dataclasses.replace(digest, stages=stages))[-1 if not digest.coverage.failed_sources else -2]
        assert line.startswith(f"{opening} {stage.name}: “{top.term}” ({top.count} item"), line
        assert ("none in the previous four weeks" if not before else "4 in the previous four weeks") in line


def test_the_retention_stage_does_not_repeat_another_stages_quote(stored: tuple[Config, list[Item]]) -> None:
    # The demo's complete stage quoted the same forum post its share stage had just quoted.
    config, _ = stored
    for model in ("five", "seven"):
        config = _config(config.database, stages=model)
        digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
        retention = next(s for s in digest.stages if s.derived == "retention")
        others = {q.text for s in digest.stages if s is not retention for q in s.quotes}
        assert len(retention.quotes) == 2 and not others & {q.text for q in retention.quotes}, model


def test_seven_stage_model_splits_research_by_comparison(stored: tuple[Config, list[Item]]) -> None:
    config, items = stored
    seven = _config(config.database, stages="seven")
    digest = build_digest(open_database(seven.database), seven, BRAND, parse_week(WEEK))
    by_stage = {s.name: s for s in digest.stages}
    research = [i for i in items if _in_week(i) and i.prediction and i.prediction.moment == "zero_moment"]
    comparing = [i for i in research if _says(i.mention.text, COMPARISON_PATTERNS)]
    assert digest.stage_names == ["awareness", "interest", "consideration", "purchase", "usage", "loyalty",
                                  "advocacy"]
    assert by_stage["consideration"].volume == len(comparing) > 0
    assert by_stage["interest"].volume == len(research) - len(comparing) > 0
    assert by_stage["loyalty"].derived == "retention"


def test_stages_measured_from_cue_language_have_no_history_before_the_baseline(
    stored: tuple[Config, list[Item]],
) -> None:
    # Cues are matched only from the four baseline weeks on, so the JSON's history said 0 loyalty items
    # and 0 consideration items for the three weeks before them, and put all research in "interest".
    config, items = stored
    seven = _config(config.database, stages="seven")
    digest = build_digest(open_database(seven.database), seven, BRAND, parse_week(WEEK))
    by_stage = {s.name: s for s in digest.stages}
    oldest = [i for i in items if any(_in_week(i, w) for w in (5, 6, 7)) and i.prediction
              and i.prediction.moment == "zero_moment"]
    assert any(_says(i.mention.text, COMPARISON_PATTERNS) for i in oldest)
    for name in ("interest", "consideration", "loyalty"):
        assert by_stage[name].history[:3] == [None] * 3 and None not in by_stage[name].history[3:], name
    assert None not in by_stage["usage"].history
    assert json.loads(render_json(digest))["stages"][2]["history"][:3] == [None] * 3


def test_custom_mapping_draws_its_own_stages(sqlite_url: str) -> None:
    fill(open_database(sqlite_url), make_items(weeks=2, hostile=False), failures=0)
    config = _config(sqlite_url, stages={"stimulus": "see", "zero_moment": "think", "first_moment": "do",
                                         "second_moment": "care", "ultimate_moment": "care"})
    digest = build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK))
    assert digest.stage_names == ["see", "think", "do", "care"]
    care = next(s for s in digest.stages if s.name == "care")
    use = sum(digest.trend.counts[m][s][-1] for m in ("second_moment", "ultimate_moment")
              for s in ("negative", "neutral", "positive"))
    assert care.volume == use


def test_a_moment_the_mapping_leaves_out_is_said_not_dropped(sqlite_url: str) -> None:
    # README's own example mapping has no ultimate_moment: its items vanished from the map while the
    # headline still counted them ("35 on the journey" over stages adding up to 17), and nothing said so.
    fill(open_database(sqlite_url), make_items(weeks=2, hostile=False), failures=0)
    config = _config(sqlite_url, stages={"stimulus": "see", "zero_moment": "think", "first_moment": "do",
                                         "second_moment": "care"})
    digest = add_charts(build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK)))
    share = sum(digest.trend.counts["ultimate_moment"][s][-1] for s in ("negative", "neutral", "positive"))
    assert share > 0 and digest.unmapped == {"ultimate_moment": share}
    assert sum(s.volume for s in digest.stages) + share == digest.headline.journey_items
    note = f"Not on this map: ultimate_moment ({share} items this week)"
    assert note in render_html(digest)
    assert note in render_markdown(digest)  # an underscore inside a word is not escaped
    assert json.loads(render_json(digest))["unmapped"] == {"ultimate_moment": share}
    five = build_digest(open_database(sqlite_url), _config(sqlite_url), BRAND, parse_week(WEEK))
    assert five.unmapped == {} and "Not on this map" not in render_markdown(five)


def test_weeks_are_cut_in_the_configured_timezone(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    # Sunday 23:30 UTC is already Monday in Berlin (UTC+1 in November).
    late = datetime(2026, 11, 15, 23, 30, tzinfo=timezone.utc)
    store_batch(engine, [Mention(source="s", external_id="late", text="t", created_at=late, brands=[BRAND])])
    save_predictions(engine, "v", [(1, Prediction("stimulus", 0.9, "positive", 0.9, {}, {}))])
    utc = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    berlin = build_digest(engine, _config(sqlite_url, timezone="Europe/Berlin"), BRAND, parse_week(WEEK))
    assert utc.headline.volume.value == 1
    assert berlin.headline.volume.value == 0


def test_quotes_are_dated_in_the_configured_timezone(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    # Monday 03:00 UTC is still Sunday 22:00 in New York, so the item is in the week: its quote says Sun 15 Nov.
    late = datetime(2026, 11, 16, 3, 0, tzinfo=timezone.utc)
    store_batch(engine, [Mention(source="s", external_id="late", text="Avoid it, do not buy", created_at=late,
                                 url="https://e.org/1", brands=[BRAND])])
    save_predictions(engine, "v", [(1, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))])
    digest = build_digest(engine, _config(sqlite_url, timezone="America/New_York"), BRAND, parse_week(WEEK))
    share = next(s for s in digest.stages if s.name == "share")
    for quote in (*share.quotes, *digest.negative_share_items):
        assert quote.created_at.strftime("%a %d %b %H:%M") == "Sun 15 Nov 22:00"
    assert "Sun 15 Nov" in render_markdown(digest)


def test_alerts_fired_in_the_week_are_listed(stored: tuple[Config, list[Item]]) -> None:
    config, _ = stored
    engine = open_database(config.database)
    spike = WEEK_START + timedelta(days=2, hours=9)
    rows = [{"brand": BRAND, "window_start": at, "window_end": at + timedelta(hours=1),
             "last_window_end": at + timedelta(hours=1), "status": "ended", "observed": observed, "expected": 1.5,
             "ratio": observed / 1.5, "p_value": 1e-5, "model": "poisson", "windows": 1, "negative_share": 0.6,
             "share_items": 20, "evidence": {"sources": {"trustpilot": observed}, "top_items": []},
             "deliveries": [], "created_at": at + timedelta(hours=1)}
            for at, observed in ((spike, 12), (spike - timedelta(weeks=1), 30))]  # the second is last week's
    with engine.begin() as connection:
        connection.execute(insert(alerts), rows)
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    assert [a["observed"] for a in digest.alerts] == [12]
    when, what = alert_summary(digest.alerts[0])
    assert when == "Wed 11 Nov 09:00 UTC"
    assert what.startswith("12 negative share-stage items where 1.5 were expected (8.0×); top sources: trustpilot 12")
    # Against a near-zero baseline (the demo's 0.0063) it said "where 0.0 were expected (2075.1×)".
    _, quiet = alert_summary({**digest.alerts[0], "expected": 0.0063, "ratio": 12 / 0.0063})
    assert quiet.startswith("12 negative share-stage items where 0.0063 were expected (>1000×)"), quiet


def test_highlights_restate_the_figures(stored: tuple[Config, list[Item]]) -> None:
    config, _ = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    busy = [s for s in digest.stages if s.volume >= 5 and s.change_vs_baseline is not None]
    mover = max(busy, key=lambda s: abs(s.change_vs_baseline or 0))
    assert digest.highlights[0].startswith(f"Biggest move: {mover.name} talk is ")
    assert f"{abs(mover.change_vs_baseline or 0):.0f}%" in digest.highlights[0]
    low = min((s for s in digest.stages if s.volume >= 5), key=lambda s: s.net_sentiment or 0)
    assert digest.highlights[1].startswith(f"Most negative stage: {low.name}, net sentiment {low.net_sentiment:+.0f}")
    assert digest.highlights[-1] == "Coverage gap: news-feed failed to fetch during the week."


def test_a_running_weeks_highlights_give_no_move_against_whole_weeks(stored: tuple[Config, list[Item]]) -> None:
    # On a Tuesday the running week's two days read "Biggest move: share talk is down 71% on its
    # four-week average": every stage looked as if it collapsed.
    config, _ = stored
    digest = build_digest(open_database(config.database), config, BRAND, parse_week(WEEK))
    running = dataclasses.replace(digest, partial_note="Partial week, data to Tue 18 Nov 09:00 (UTC)")
    lines = highlights(running)
    assert not [line for line in lines if "%" in line or line.startswith("Biggest move")], lines
    leader = max(digest.stages, key=lambda s: s.volume)
    assert lines[0] == (f"Week so far: {leader.name} talk leads with {leader.volume} items "
                        f"({weekly_average(leader.baseline)} a week on average over the previous four weeks); "
                        "moves are judged when the week is over.")
    assert highlights(digest)[0].startswith("Biggest move: ")  # a finished week keeps its move


def test_an_empty_week_shows_no_change_figures(sqlite_url: str) -> None:
    """No data this week, or none last week: every format says so instead of a '+0' or '-100%' trend."""
    fill(open_database(sqlite_url), make_items(), failures=0)
    config = _config(sqlite_url)
    empty = add_charts(build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK).shift(1)))
    first = add_charts(build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK).shift(-8)))

    h = empty.headline
    assert (h.volume.value, h.volume.delta) == (0, None) and h.volume.previous
    assert h.net_sentiment.value is None and h.net_sentiment.delta is None
    assert h.negative_share_talk.value is None and h.negative_share_talk.delta is None
    assert all(s.change_vs_baseline is None for s in empty.stages)
    assert first.headline.volume.previous == 0 and first.headline.volume.delta is None
    assert first.headline.net_sentiment.value is not None and first.headline.net_sentiment.delta is None

    # the week after WEEK was measured (the brand has items before it): none, not no data
    for digest, when, volume in ((empty, "this week", f"none this week, {h.volume.previous:,} last week"),
                                 (first, "last week", "no data last week")):
        md = render_markdown(digest)
        head = md.split("## Journey map")[0]
        assert head.count(f"({volume})") == 1 and head.count(f"(no journey items {when})") == 2
        assert "+0" not in head and "vs last week" not in head
        html = render_html(digest)
        cards = html.split('data-section="headline"')[1].split('data-section="journey-map"')[0]
        assert cards.count(volume) == 1 and cards.count(f"no journey items {when}") == 2
        assert "+0" not in cards and "vs last week" not in cards
        data = json.loads(render_json(digest))["headline"]
        assert [data[k]["delta"] for k in ("volume", "net_sentiment", "negative_share_talk")] == [None] * 3
    rows = [line.split(" | ") for line in render_markdown(empty).splitlines() if line.startswith("| ")][1:]
    assert [row[2] for row in rows[:len(empty.stages)]] == ["—"] * len(empty.stages)  # no change vs 4-wk avg
    assert render_html(empty).count(">—</p>") == 2  # the net sentiment and negative share-stage cards


def test_stages_without_quotes_do_not_say_they_had_no_items(stored: tuple[Config, list[Item]]) -> None:
    config, _ = stored
    config = _config(config.database, quotes_per_stage=0)
    digest = add_charts(build_digest(open_database(config.database), config, BRAND, parse_week(WEEK)))
    assert all(s.volume for s in digest.stages)
    assert "No items this week" not in render_markdown(digest)
    assert "no items this week" not in render_html(digest)


def test_negative_share_items_switched_off_do_not_read_as_none(stored: tuple[Config, list[Item]]) -> None:
    config, _ = stored
    config = _config(config.database, top_negative=0)
    digest = add_charts(build_digest(open_database(config.database), config, BRAND, parse_week(WEEK)))
    assert digest.headline.negative_share_count > 0
    assert "None this week." not in render_markdown(digest)
    assert "None this week." not in render_html(digest)


def test_terms_switched_off_do_not_read_as_nothing_found(stored: tuple[Config, list[Item]]) -> None:
    # terms_per_stage: 0 gave every stage "nothing stands out" (HTML) and "—" (Markdown): a finding, not a setting.
    config, _ = stored
    config = _config(config.database, terms_per_stage=0)
    digest = add_charts(build_digest(open_database(config.database), config, BRAND, parse_week(WEEK)))
    html, md = render_html(digest), render_markdown(digest)
    assert "nothing stands out" not in html and "Not looked for" in html and "terms_per_stage" in html
    terms = md.split("## Emerging terms and pain points")[1].split("## Alerts fired")[0]
    assert "—" not in terms and "Not looked for: `digest.terms_per_stage` is 0" in terms
    assert json.loads(render_json(digest))["terms_listed"] is False


def test_a_brand_with_punctuation_is_no_emerging_term_and_warns_nothing(sqlite_url: str) -> None:
    # "Rolls-Royce" taken whole stopped no token: its words topped the emerging terms whenever the
    # brand was named more often this week, and scikit-learn printed a UserWarning on the terminal.
    brand = "Rolls-Royce"
    engine = open_database(sqlite_url)
    mentions_, week_start = [], WEEK_START
    for weeks_before in range(5):
        for n in range(8):
            text = (f"Rolls-Royce, Rolls-Royce! #rollsroyce engine recall again, warning everyone ({n})"
                    if weeks_before == 0 else f"the Rolls-Royce engine runs fine ({n})")
            created = week_start - timedelta(weeks=weeks_before) + timedelta(hours=3 + 7 * n)
            mentions_.append(Mention(source="s", external_id=f"{weeks_before}-{n}", text=text, created_at=created,
                                     brands=[brand]))
    store_batch(engine, mentions_)
    save_predictions(engine, "v", [(i, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))
                                   for i in range(1, len(mentions_) + 1)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": brand, "query": "rolls"}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        digest = build_digest(engine, config, brand, parse_week(WEEK))
    terms = {t.term for s in digest.stages for t in (*s.emerging_terms, *s.pain_points)}
    assert any("recall" in t for t in terms), terms
    assert not any(w in t for t in terms for w in ("rolls", "royce")), terms


def test_stage_names_with_dollar_signs_are_drawn_as_text(sqlite_url: str) -> None:
    # matplotlib read '$...$' in a label as mathematics: '$\frac{a$ deal' ended the command in a traceback.
    fill(open_database(sqlite_url), make_items(weeks=2, hostile=False), failures=0)
    config = _config(sqlite_url, stages={"stimulus": r"$\frac{a$ deal", "zero_moment": "think $x$",
                                         "ultimate_moment": "share $"})
    digest = add_charts(build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK)))
    assert digest.charts["journey_map"].startswith(b"\x89PNG") and digest.charts["trend"].startswith(b"\x89PNG")


def test_emerging_terms_are_phrases_people_wrote_not_links_handles_or_words_paired_across_gaps() -> None:
    # An outage week's terms read "app day", "log account", "avoid outage" (stop words and the brand
    # between them were skipped and their neighbours paired), "https" and the handle "acmehelp".
    baseline = [f"acme coffee tastes fine, order {n} came on time" for n in range(20)]
    week = ["The Acme app has been down all day, cannot log in to my account https://t.co/x1 @acmehelp",
            "PSA: avoid Acme, their outage locked me out. https://t.co/x2 @acmehelp",
            "Acme app has been down all day again @acmehelp https://t.co/x3",
            "avoid Acme, outage locked me out, app down all day @acmehelp http://bit.ly/y",
            "outage locked my account, write to help@acme.example @acmehelp"]
    terms, counter = _week_terms(baseline, week, "Acme")
    assert "outage locked" in terms, terms
    assert not {"app day", "log account", "avoid outage", "https", "http", "co", "acmehelp"} & set(counter.vocabulary)
    assert not any("acme" in word or "example" in word for word in counter.vocabulary), counter.vocabulary


def test_the_retention_stage_quotes_its_own_item_before_one_another_stage_quoted(sqlite_url: str) -> None:
    # Only one churn item was quoted by no other stage, fewer than two quotes, so the stage fell back to
    # every candidate: it quoted the share stage's PSA and the use stage's renewal, and the cancellation,
    # the item the stage is about, was not shown anywhere.
    engine = open_database(sqlite_url)
    posts = [("PSA: avoid Acme, they locked me out. Never again", "ultimate_moment", "negative", 0.95),
             ("Love Acme, highly recommend to anyone", "ultimate_moment", "positive", 0.95),
             ("Renewed my Acme subscription for another year", "second_moment", "positive", 0.95),
             ("The Acme app crashes every morning", "second_moment", "negative", 0.95),
             ("Cancelled my Acme subscription, deliveries kept arriving late", "second_moment", "negative", 0.5)]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, url=f"https://example.org/{n}",
                                 created_at=WEEK_START + timedelta(hours=5 + n), brands=[BRAND])
                         for n, (text, *_rest) in enumerate(posts)])
    save_predictions(engine, "v", [(n + 1, Prediction(moment, 0.9, sentiment, confidence, {}, {}))
                                   for n, (_text, moment, sentiment, confidence) in enumerate(posts)])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    quoted = {s.name: [q.text for q in s.quotes] for s in digest.stages}
    assert any(t.startswith("Cancelled") for t in quoted["complete"]), quoted
    assert len(quoted["complete"]) == 2, quoted


def test_copies_of_one_post_differing_in_a_link_handle_or_hashtag_are_quoted_once(sqlite_url: str) -> None:
    # An outage week's 'most negative share-stage talk' was one PSA five times over, each copy ending
    # in another t.co link, @handle, '#fail' or '!!', and the complaint about the price never showed.
    engine = open_database(sqlite_url)
    psa = "PSA: avoid Acme, their outage locked me out and support ignored me for a week"
    texts = [f"{psa}{tail}" for tail in (" !!", " @acmehelp", " https://t.co/abc123", " #fail", "", " 🙄",
                                         " http://bit.ly/x9", "!! @acmehelp", " #outage", "  ")] + \
        ["Review: Acme is overpriced and the service is awful, avoid", "Do not buy the Acme grinder, it broke"]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, url=f"https://example.org/{n}",
                                 created_at=WEEK_START + timedelta(hours=5 + n), brands=[BRAND])
                         for n, text in enumerate(texts)])
    save_predictions(engine, "v", [(n + 1, Prediction("ultimate_moment", 0.9, "negative", 0.99 - n / 100, {}, {}))
                                   for n in range(len(texts))])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    worst = [q.text for q in digest.negative_share_items]
    assert sum(t.startswith("PSA") for t in worst) == 1, worst
    assert any(t.startswith("Review") for t in worst) and any(t.startswith("Do not buy") for t in worst), worst
    share = next(s for s in digest.stages if s.name == "share")
    assert len(share.quotes) == 2 and share.quotes[1].text.startswith("Review"), share.quotes


def test_a_brands_first_week_says_there_is_nothing_earlier_to_compare_with(sqlite_url: str) -> None:
    # The first week of data read '0 of 39 authors this week also wrote in the previous 7 weeks' (weeks
    # that held nothing) and 'nothing stands out' for every stage's emerging terms (with nothing to compare).
    engine = open_database(sqlite_url)
    texts = ["Acme app crashes every morning", "Renewed my Acme subscription again", "Acme app crashes at login"]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}",
                                 created_at=WEEK_START + timedelta(hours=5 + n), brands=[BRAND])
                         for n, text in enumerate(texts)])
    save_predictions(engine, "v", [(n + 1, Prediction("second_moment", 0.9, "negative", 0.9, {}, {}))
                                   for n in range(len(texts))])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    assert json.loads(render_json(digest))["baseline_items"] == 0
    markdown_text = render_markdown(digest)
    assert "no items in the previous 7 weeks to compare its 3 authors with" in markdown_text, markdown_text
    assert "| use | no earlier weeks |" in markdown_text
    html_text = re.sub(r"<[^>]+>", " ", render_html(add_charts(digest)))
    assert "no earlier weeks" in html_text and "came back" not in html_text
    later = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK).shift(1))
    assert later.baseline_items == 3 and "no earlier weeks" not in render_markdown(later)


def test_an_empty_week_after_data_says_no_authors_not_0_of_0(sqlite_url: str) -> None:
    # A quiet brand's empty week read '0 of 0 authors this week also wrote in the previous 7 weeks'.
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id="1", text="Renewed my Acme subscription again",
                                 author="a", created_at=WEEK_START + timedelta(hours=5), brands=[BRAND])])
    save_predictions(engine, "v", [(1, Prediction("second_moment", 0.9, "positive", 0.9, {}, {}))])
    empty = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK).shift(1))
    assert "no authors this week." in render_markdown(empty)
    html_text = re.sub(r"<[^>]+>", " ", render_html(add_charts(empty)))
    assert "no authors this week" in html_text and "0 of 0" not in html_text


def test_contractions_are_no_terms_and_a_possessive_is_its_noun() -> None:
    # "doesn't", "won't" and "they've", cut at the apostrophe, made "doesn", "won", "ve" and the phrase
    # "doesn work" a complaint week's emerging terms; "Acme's" did not stop at the brand.
    baseline = [f"the acme coffee tastes fine, order {n} came on time" for n in range(20)]
    week = ["Acme's app doesn’t work, I won't renew", "the app doesn't work again, they've lied",
            "app doesnt work and I wont renew", "Acme’s app still doesn't work, won't renew"]
    terms, counter = _week_terms(baseline, week, "Acme")
    assert {"app", "renew"} <= {w for t in terms for w in t.split()}, terms
    fragments = {"doesn", "won", "ve", "doesnt", "wont", "acme"}
    assert not any(fragments & set(v.split()) for v in counter.vocabulary), counter.vocabulary


def test_the_brands_query_aliases_are_no_emerging_terms(sqlite_url: str) -> None:
    # The query's other names for the brand ('nwcoffee', "north wind roasters") topped the emerging
    # terms in the week people used them more: only the brand's display name was left out.
    engine = open_database(sqlite_url)
    posts = [(weeks_before, n, f"Northwind coffee tastes fine, my order came on time ({n})" if weeks_before else
              f"#nwcoffee North Wind Roasters grinder broke, refund refused ({n})")
             for weeks_before in range(5) for n in range(6)]
    store_batch(engine, [Mention(source="s", external_id=f"{w}-{n}", text=text, brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=3 + 5 * n))
                         for w, n, text in posts])
    save_predictions(engine, "v", [(i, Prediction("second_moment", 0.9, "negative", 0.9, {}, {}))
                                   for i in range(1, len(posts) + 1)])
    config = parse_config({"database": sqlite_url, "brands": [
        {"name": BRAND, "query": 'northwind OR (nwcoffee AND NOT jobs) OR "north wind roasters" OR @nw_help'}]})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    terms = {t.term for s in digest.stages for t in (*s.emerging_terms, *s.pain_points)}
    assert any("grinder" in t or "refund" in t for t in terms), terms
    assert not any(w in t for t in terms for w in ("nwcoffee", "north", "wind", "roasters")), terms


def test_items_flagged_for_review_are_not_quoted(sqlite_url: str) -> None:
    # A classification the classifier flags for review (unsure, or an unreadable text) was quoted as the
    # week's most negative share-stage talk, "the ones to answer", and as its stage's voice.
    engine = open_database(sqlite_url)
    posts = [("Avoid Acme, their support ignored me for a week", "ultimate_moment", False),
             ("asdf qwer zxcv Acme", "ultimate_moment", True),
             ("Acme order arrived broken?? or not, who knows", "first_moment", True)]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, url=f"https://example.org/{n}",
                                 created_at=WEEK_START + timedelta(hours=5 + n), brands=[BRAND])
                         for n, (text, *_rest) in enumerate(posts)])
    save_predictions(engine, "v", [(n + 1, Prediction(moment, 0.99, "negative", 0.99, {}, {}, needs_review=flag))
                                   for n, (_text, moment, flag) in enumerate(posts)])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    assert [q.text for q in digest.negative_share_items] == [posts[0][0]]
    quoted = {q.text for s in digest.stages for q in s.quotes}
    assert posts[0][0] in quoted and posts[1][0] not in quoted and posts[2][0] not in quoted, quoted
    assert "1 item this week, none quoted." in render_markdown(digest)
    assert "never one it flagged for review" in render_html(add_charts(digest))
    store_batch(engine, [Mention(source="s", external_id="later", text="zxcv Acme qwer", brands=[BRAND],
                                 created_at=WEEK_START + timedelta(weeks=1, hours=5))])
    save_predictions(engine, "v", [(4, Prediction("ultimate_moment", 0.99, "negative", 0.99, {}, {},
                                                  needs_review=True))])
    only_flagged = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK).shift(1))
    assert "1 this week, none listed: the classifier flagged them for review." in render_markdown(only_flagged)


def test_html_entities_written_as_text_are_no_terms() -> None:
    # An export's "Fish &amp; chips&nbsp;were cold" made "amp" and "nbsp" a week's emerging terms.
    baseline = [f"the acme fish tastes fine, order {n} came on time" for n in range(20)]
    week = [f"Acme fish &amp; chips&nbsp;were cold, &quot;refund&quot; refused{'!' * n}" for n in range(4)]
    terms, counter = _week_terms(baseline, week, "Acme")
    assert any("refund" in t for t in terms), terms
    assert not {"amp", "nbsp", "quot"} & {w for v in counter.vocabulary for w in v.split()}, counter.vocabulary


def test_one_author_posting_again_and_again_does_not_make_a_term_emerge(sqlite_url: str) -> None:
    # One customer's twelve posts about 'voucher code' made it the use stage's emerging term and pain
    # point at '12 items': a term needs as many authors as items (three, a pain point two).
    engine = open_database(sqlite_url)
    posts = [(w, n, "a", f"Northwind coffee tastes fine, my order came on time ({w}.{n})") for w in range(1, 5)
             for n in range(6)]
    posts += [(0, n, "angry", f"Northwind voucher code rejected again, attempt {n}") for n in range(12)]
    posts += [(0, 20 + n, f"u{n}", f"Northwind grinder broke, refund refused ({n})") for n in range(5)]
    store_batch(engine, [Mention(source="s", external_id=f"{w}-{n}", text=text, author=author, brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=3 + 2 * n))
                         for w, n, author, text in posts])
    save_predictions(engine, "v", [(i, Prediction("second_moment", 0.9, "negative", 0.9, {}, {}))
                                   for i in range(1, len(posts) + 1)])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    terms = {t.term for s in digest.stages for t in (*s.emerging_terms, *s.pain_points)}
    assert any("grinder" in t or "refund" in t for t in terms), terms
    assert not any("voucher" in t or "code" in t for t in terms), terms


def test_a_brand_written_without_its_accents_is_no_term() -> None:
    # Brand 'Nestlé Café': posts writing 'Nestle' and 'cafe' made the brand's own name emerge.
    baseline = [f"Nestlé coffee tastes fine, order {n} came on time" for n in range(20)]
    week = [f"Nestle cafe capsules leaking again, refund refused {'!' * n}" for n in range(5)]
    terms, counter = _week_terms(baseline, week, "Nestlé Café")
    assert any("capsules" in t for t in terms), terms
    assert not {"nestle", "cafe", "nestlé", "café"} & {w for v in counter.vocabulary for w in v.split()}


def test_renewable_is_not_loyalty_language(sqlite_url: str) -> None:
    # The loyalty cue '%renew%' counted an energy brand's 'renewable tariff' posts as loyal customers.
    texts = ["Northwind's renewable tariff is a great idea", "Love the renewable energy push from Northwind",
             "Renewed my Northwind plan for another year", "I will renew with Northwind", "Going to renew"]
    retention = _retention_of(sqlite_url, texts, "positive")
    assert retention.extra["loyalty_mentions"] == 3, retention.extra


def test_a_question_before_buying_is_no_churn_or_loyalty(sqlite_url: str) -> None:
    # 'Can I cancel anytime?' asked before buying counted as churn, and 'will I have to renew' as loyalty:
    # the retention stage measures customers, and these authors are not customers yet.
    engine = open_database(sqlite_url)
    posts = [("Can I cancel the Northwind subscription anytime? Thinking of signing up", "zero_moment"),
             ("Does Northwind renew automatically? Considering it", "zero_moment"),
             ("New Northwind ad: cancel your boring coffee", "stimulus"),
             ("Cancelled my Northwind subscription, deliveries were late", "second_moment"),
             ("Renewed my Northwind plan again", "second_moment")]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START + timedelta(hours=5 + n)) for n, (text, _m) in enumerate(posts)])
    save_predictions(engine, "v", [(n + 1, Prediction(moment, 0.9, "neutral", 0.9, {}, {}))
                                   for n, (_t, moment) in enumerate(posts)])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    retention = next(s for s in digest.stages if s.derived == "retention")
    assert (retention.extra["churn_mentions"], retention.extra["loyalty_mentions"]) == (1, 1), retention.extra
    assert retention.volume == 2 and {q.text for q in retention.quotes} == {posts[3][0], posts[4][0]}


def test_chat_fillers_are_no_terms() -> None:
    # "honestly" (and "lol", "tbh") rose in a share stage's emerging terms.
    baseline = [f"the acme coffee tastes fine, order {n} came on time" for n in range(20)]
    week = [f"honestly the acme grinder broke lol tbh, refund refused {'!' * n}" for n in range(5)]
    terms, counter = _week_terms(baseline, week, "Acme")
    assert any("grinder" in t for t in terms), terms
    assert not {"honestly", "lol", "tbh"} & {w for v in counter.vocabulary for w in v.split()}


def test_a_sampled_weeks_term_counts_are_scaled_to_the_whole_week(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Above TERM_SAMPLE items the texts are sampled (every n-th): a busy week's '(100)' beside a term
    # meant some 300 items, and the week and the four before were sampled at different rates.
    import journeywatch.reports.build as build_module
    monkeypatch.setattr(build_module, "TERM_SAMPLE", 10)
    engine = open_database(sqlite_url)
    posts = [(w, n, f"Northwind coffee tastes fine, my order came on time ({n})") for w in range(1, 5)
             for n in range(10)]
    posts += [(0, n, f"Northwind grinder broke, refund refused ({n})") for n in range(30)]
    store_batch(engine, [Mention(source="s", external_id=f"{w}-{n}", text=text, author=f"{w}-{n}", brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=3 + n))
                         for w, n, text in posts])
    save_predictions(engine, "v", [(i, Prediction("second_moment", 0.9, "negative", 0.9, {}, {}))
                                   for i in range(1, len(posts) + 1)])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    use = next(s for s in digest.stages if s.name == "use")
    grinder = next(t for t in use.emerging_terms if "grinder" in t.term)
    assert 27 <= grinder.count <= 33, grinder


def test_a_week_of_only_off_journey_posts_says_no_journey_items_not_no_data(sqlite_url: str) -> None:
    # 'Mentions: 5' over 'Net sentiment: — (no data this week)': the five were spam, off the journey.
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id=str(n), text=f"Follow for follow Acme giveaway {n}",
                                 created_at=WEEK_START + timedelta(hours=n), brands=[BRAND]) for n in range(5)])
    save_predictions(engine, "v", [(n + 1, Prediction("none", 0.9, "neutral", 0.9, {}, {})) for n in range(5)])
    head = render_markdown(build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))).split("## Journey")[0]
    assert "**Net sentiment:** — (no journey items this week)" in head, head
    assert "no data this week" not in head


def test_churn_is_the_customer_leaving_not_the_brand_cancelling(sqlite_url: str) -> None:
    # '%cancel%' and '%done with%' made an airline's week of cancelled flights, and a finished setup, read as
    # customers leaving; 'never buying again' was not churn.
    posts = ["My Northwind flight was cancelled again", "Northwind cancelled my flight, rebooked for tomorrow",
             "Done with the setup, works great", "Never buying Northwind again", "I'm done with Northwind",
             "Cancelled my Northwind subscription today"]
    retention = _retention_of(sqlite_url, posts, "negative")
    assert retention.extra["churn_mentions"] == 3, retention.extra


def _week_terms(baseline: list[str], week: list[str], brand: str) -> tuple[set[str], TermCounter]:
    """The week's top ten emerging terms against the baseline texts, and the counter that found them."""
    counter = TermCounter(baseline + week, extra_stop_words=[brand])
    current = np.array([False] * len(baseline) + [True] * len(week))
    return {t.term for t in top_terms(counter, current, ~current, limit=10)}, counter


def _retention_of(sqlite_url: str, texts: list[str], sentiment: str) -> StageFigures:
    """The retention stage of a week of use-stage posts (one author each) with the given sentiment."""
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START + timedelta(hours=5 + n)) for n, text in enumerate(texts)])
    save_predictions(engine, "v", [(n + 1, Prediction("second_moment", 0.9, sentiment, 0.9, {}, {}))
                                   for n in range(len(texts))])
    digest = build_digest(engine, _config(sqlite_url), BRAND, parse_week(WEEK))
    return next(s for s in digest.stages if s.derived == "retention")
