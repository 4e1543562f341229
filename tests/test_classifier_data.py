"""Which data may train what: splits, real-post joins, normalisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeywatch.classifiers.data import DEFAULT_BENCHMARKS, examples_from_rows, is_holdout, normalise_text, real_posts
from journeywatch.classifiers.splits import build_training_set


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"half a line', encoding="utf-8")
    return path


def test_normalise_text_matches_the_tweet_conventions() -> None:
    assert normalise_text("@Delta my bag!! https://t.co/x  see\\u002c now") == "@user my bag!! http see, now"
    assert normalise_text("") == ""


def test_holdout_is_deterministic_and_near_its_share() -> None:
    texts = [f"post number {i} about a kettle" for i in range(2000)]
    first = [is_holdout(t, 20) for t in texts]
    assert first == [is_holdout(t, 20) for t in texts]
    assert 0.16 < sum(first) / len(texts) < 0.24


def test_real_posts_join_texts_apply_corrections_and_guard_sentiment_benchmarks(tmp_path: Path) -> None:
    bench = tmp_path / "benchmarks"
    _jsonl(bench / "real-posts" / "posts.jsonl", [
        {"id": "rp-1", "source_kind": "tweet", "text": "@united lost my bag", "origin": "x/y:Tweets.csv:4"},
        {"id": "rp-2", "source_kind": "review", "text": "Great speaker", "origin": "a/b:amazon_alexa.tsv:9"},
        {"id": "rp-3", "source_kind": "tweet", "text": "Not labelled", "origin": "a/b:c:1"},
    ])
    data_dir = tmp_path / "data"
    _jsonl(data_dir / "real-posts-labels.jsonl", [
        {"id": "rp-1", "moment": "second_moment", "sentiment": "negative"},
        {"id": "rp-2", "moment": "second_moment", "sentiment": "positive"},
        {"id": "rp-404", "moment": "none", "sentiment": "neutral"},
    ])
    _jsonl(data_dir / "real-posts-corrections.jsonl", [{"id": "rp-2", "moment": "ultimate_moment"}])
    examples = {e.text: e for e in real_posts(bench, data_dir)}
    assert set(examples) == {"@user lost my bag", "Great speaker"}
    assert not examples["@user lost my bag"].sentiment_trainable  # airline benchmark: moments only
    assert examples["Great speaker"].sentiment_trainable
    assert examples["Great speaker"].moment == "ultimate_moment"
    assert examples["Great speaker"].sentiment == "positive"
    assert real_posts(tmp_path / "absent", data_dir) == []


def test_unknown_labels_are_dropped_not_guessed() -> None:
    [example] = examples_from_rows([{"text": "hi", "moment": "purchase", "sentiment": "positive"}, {"text": ""}], "t")
    assert example.moment is None and example.sentiment == "positive"


def test_training_set_without_benchmarks_holds_out_by_hash(tmp_path: Path) -> None:
    rows = [{"text": f"tiny example {i}", "moment": "none", "sentiment": "neutral"} for i in range(200)]
    dataset = build_training_set([_jsonl(tmp_path / "d.jsonl", rows)], benchmarks=None, corpus=False)
    assert len(dataset.train) + len(dataset.corpus_holdout) == 200
    assert all(is_holdout(e.text) for e in dataset.corpus_holdout)
    assert not any(is_holdout(e.text) for e in dataset.train)
    assert dataset.sentiment_dev == dataset.corpus_holdout and not dataset.real_holdout


def test_training_rows_take_labels_in_any_case_and_the_taxonomy_abbreviations() -> None:
    # `journeywatch train --data` dropped `Positive` and `ZMOT` rows without a word.
    rows = [{"text": "a", "moment": "ZMOT", "sentiment": "Positive"}, {"text": "b", "moment": "First Moment"},
            {"text": "c", "moment": "ultimate", "sentiment": "pos"}]
    assert [(e.moment, e.sentiment) for e in examples_from_rows(rows, "t")] == [
        ("zero_moment", "positive"), ("first_moment", None), (None, None)]


def test_read_jsonl_keeps_a_bom_line_and_skips_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    # A cp1252 line ended `journeywatch train --data` in a UnicodeDecodeError traceback; a BOM lost line 1.
    from journeywatch.classifiers.data import read_jsonl

    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "first", "sentiment": "positive"}\r\n'
                     b'{"text": "caf\xe9", "sentiment": "positive"}\n{"text": "third"}\r\n')
    assert [row["text"] for row in read_jsonl(path)] == ["first", "third"]


def test_read_jsonl_reads_a_utf16_file(tmp_path: Path) -> None:
    # `train --data` on a PowerShell-written file trained on none of it, silently.
    from journeywatch.classifiers.data import read_jsonl

    path = tmp_path / "ps.jsonl"
    path.write_bytes('{"text": "café", "sentiment": "positive"}\r\n{"text": "two"}\r\n'.encode("utf-16"))
    assert [row["text"] for row in read_jsonl(path)] == ["café", "two"]


@pytest.mark.skipif(not DEFAULT_BENCHMARKS.is_dir(), reason="no shared benchmarks")
def test_the_default_training_set_uses_every_source() -> None:
    # Such a model records no sources (its config, and so its version, stays as `train --seed 13` made it),
    # and its card names them all.
    from journeywatch.classifiers.splits import ALL_SOURCES

    assert build_training_set().sources == ALL_SOURCES


def test_labels_may_be_the_taxonomys_full_names() -> None:
    # "Zero Moment of Truth" (how people labelling by the taxonomy write it) was an unknown label, with no hint.
    from journeywatch.classifiers.data import canonical_label
    from journeywatch.domain import MOMENTS

    assert [canonical_label(v, MOMENTS) for v in ("Zero Moment of Truth", "ultimate-moment-of-truth",
                                                  "first moment of truth ", "stimulus of truth")] == [
        "zero_moment", "ultimate_moment", "first_moment", None]


def test_read_jsonl_skips_a_row_giving_its_text_or_a_label_twice(tmp_path: Path) -> None:
    # `train --data` trained on the last of two different labels, silently.
    from journeywatch.classifiers.data import read_jsonl

    path = tmp_path / "dup.jsonl"
    path.write_text('{"text": "a", "sentiment": "positive", "sentiment": "negative"}\n'
                    '{"text": "b", "sentiment": "positive", "sentiment": "positive", "x": 1, "x": 2}\n',
                    encoding="utf-8")
    assert [row["text"] for row in read_jsonl(path)] == ["b"]


def test_read_jsonl_reads_a_gzip_file_up_to_any_damage(tmp_path: Path) -> None:
    import gzip

    from journeywatch.classifiers.data import read_jsonl

    packed = gzip.compress("".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(2000)).encode("utf-8"))
    path = tmp_path / "data.jsonl.gz"
    path.write_bytes(packed)
    assert len(list(read_jsonl(path))) == 2000
    path.write_bytes(packed[:len(packed) // 2])
    assert 0 < len(list(read_jsonl(path))) < 2000


def test_labels_with_invisible_characters_are_the_labels_they_show() -> None:
    # A zero-width space or a BOM pasted from a spreadsheet cell made "positive" an unknown label.
    from journeywatch.classifiers.data import canonical_label
    from journeywatch.domain import SENTIMENTS

    assert [canonical_label(v, SENTIMENTS) for v in ("positive\u200b", "\ufeffNegative", "neu\u200btral\u00a0")] == [
        "positive", "negative", "neutral"]
