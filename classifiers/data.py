"""Labelled examples: where they come from and which of them may train.

Moments come from the project's own corpus (`data/moments-*.jsonl`) and from
labels of real posts (`data/real-posts-labels.jsonl`, ids only; texts are read
from the shared benchmark folder when present). Sentiment comes from the
SemEval 2013-2016 pool; TweetEval val makes choices. Benchmarks that only
measure (TweetEval test, airline tweets) are never read here for training, and
real posts drawn from those benchmarks never train the sentiment head.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import json
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError
from journeywatch.lines import universal_lines
from journeywatch.stages import DERIVED_STAGES, resolve_stage_model

from .encoder import normalise_text

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_BENCHMARKS = PACKAGE_DIR.parent.parent / "shared" / "benchmarks"
# Real posts from sentiment benchmarks: usable for moments, never for sentiment training.
SENTIMENT_BENCHMARK_ORIGINS = ("Tweets.csv", "tweeteval")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text; a label is None when the source does not give it."""

    text: str
    moment: str | None = None
    sentiment: str | None = None
    source: str = ""
    sentiment_trainable: bool = True
    source_kind: str | None = None  # review, forum, ... where known: the guide's review-site rule needs it


def is_holdout(text: str, percent: int = 20) -> bool:
    """Deterministic held-out membership by a hash of the normalised text."""
    key = hashlib.sha1(normalise_text(text).lower().encode("utf-8")).digest()
    return int.from_bytes(key[:4], "big") % 100 < percent


def _utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 codec a file starting with `head` is written in, or None for UTF-8 (or anything else).

    By its byte-order mark, or, without one, by a NUL beside the first character:
    a JSON line starts with an ASCII character, and UTF-8 JSON never holds a raw NUL.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        return "utf-16"  # the mark says which order, and is dropped
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    return None


class DamagedStream(ValueError):
    """A gzip stream that is cut short or corrupt: the lines read before it are all there is."""


def utf8_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary stream as UTF-8 bytes, a UTF-16 stream re-encoded, a gzip stream unpacked.

    Windows PowerShell's `>` and `Out-File` write UTF-16 (and so do some
    export tools): read as UTF-8, every line of such a file was skipped as
    "not UTF-8 text" or "not valid JSON", as was every line of an export's
    `.jsonl.gz`. A line ends at a LF, a CRLF or a bare CR (an old Mac export),
    as `_decoded_lines` says. Any other stream's lines are passed on as they are, so a line
    that is not UTF-8 is still named as such. A damaged gzip stream raises
    `DamagedStream` (it ended the command in a traceback).
    """
    buffered = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] != b"\x1f\x8b":
        yield from _decoded_lines(buffered)
        return
    try:
        yield from _decoded_lines(io.BufferedReader(gzip.GzipFile(fileobj=buffered)))  # type: ignore[arg-type]
    except (EOFError, OSError, zlib.error) as exc:
        raise DamagedStream(f"the gzip data is cut short or damaged ({exc})") from exc


def _decoded_lines(buffered: io.BufferedReader) -> Iterator[bytes]:
    """The lines of `buffered` (`universal_lines`), a UTF-16 stream's as UTF-8.

    Valid JSON never holds a raw CR inside a string (it writes "\\r"), so a raw CR is a line end (one
    inside a string breaks a line that is no JSON anyway: it is skipped in two parts).
    """
    yield from universal_lines(buffered, _utf16_encoding(buffered.peek(4)[:4]) or "latin-1")


class JsonObject(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the keys it was given more than once with different values.

    `{"text": "x", "sentiment": "positive", "sentiment": "negative"}` (a hand-edited
    line, a merge of two exports) was read as negative, its last value, without a word.
    """

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.conflicts: dict[str, list[Any]] = {}
        for key, value in pairs:
            if key in self and self[key] != value:
                self.conflicts.setdefault(key, [self[key]]).append(value)
            self[key] = value


LABELLED_KEYS = ("text", "moment", "sentiment")


def read_jsonl(path: Path) -> Iterator[dict]:
    """Rows of a JSONL file; a half-written last line (a file still being appended) is skipped.

    So is a line that is not UTF-8 (it ended `train --data` in a traceback); a
    leading byte-order mark is dropped, not taken for a broken first line, and
    a UTF-16 file is read as such (`utf8_lines`). A row giving its text or a
    label twice, with different values, is skipped: which one is meant is unknown.
    """
    with path.open("rb") as handle:
        with contextlib.suppress(DamagedStream):  # what came before the damage is read, as a cut-off last line
            yield from _rows(utf8_lines(handle))


def _rows(lines: Iterable[bytes]) -> Iterator[dict]:
    for raw in lines:
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line, object_pairs_hook=JsonObject)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and not disagreeing_keys(row, LABELLED_KEYS):
            yield row


# The taxonomy's own abbreviations of the moments of truth.
LABEL_ALIASES = {"zmot": "zero_moment", "fmot": "first_moment", "smot": "second_moment", "umot": "ultimate_moment"}


def _label_key(value: str) -> str:
    """`value` as a label's spelling: lower case, words joined by `_`.

    Invisible format characters (a zero-width space or a byte-order mark pasted from
    a spreadsheet cell) are dropped: `positive\u200b` looked like `positive` and was unknown.
    """
    visible = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return "_".join(visible.strip().lower().replace("-", " ").replace("_", " ").split())


# How software writes a missing value as text: Python's str(None), JSON's and SQL's null, pandas' and numpy's NaN
# and pandas' NA. "None" (as written) is str(None), not the label none: a DataFrame exported with a missing
# moment gave "None", which was read as the label none and scored as such. Case counts here ("none", "NONE" are
# the label), as these are the exact spellings the software writes.
MISSING_VALUES = frozenset(("None", "null", "NULL", "NaN", "nan", "<NA>"))


def is_missing_value(value: object) -> bool:
    """Whether `value` is a missing value written as text (`MISSING_VALUES`): no label, not the label none."""
    return isinstance(value, str) and value.strip() in MISSING_VALUES


def canonical_label(value: object, allowed: tuple[str, ...]) -> str | None:
    """The label of `allowed` that `value` spells, or None.

    A missing value written as text ("None", "null", "NaN": `is_missing_value`) is no label.

    Any case, spaces or hyphens for underscores, the taxonomy's
    abbreviations (ZMOT, FMOT, SMOT, UMOT) and full names ("Zero Moment of
    Truth", which a file labelled by people often uses) are accepted: `Positive` and
    `Zero moment` are the labels they look like; `pos` or `ultimate` are not
    guessed at (`label_suggestion` offers the label they may mean).
    """
    if not isinstance(value, str) or is_missing_value(value):
        return None
    key = _label_key(value)
    key = LABEL_ALIASES.get(key, key)
    if key.endswith("_moment_of_truth"):  # the taxonomy's full names: "Zero Moment of Truth"
        key = key.removesuffix("_of_truth")
    return key if key in allowed else None


_LABELS_OF = {"moment": MOMENTS, "sentiment": SENTIMENTS}


def disagreeing_keys(row: JsonObject, keys: Iterable[str]) -> list[str]:
    """The keys of `keys` that `row` gives more than once with values meaning different things.

    A label's values are compared as the labels they spell: a merge of two exports
    gave `"moment": "Ultimate Moment"` and `"moment": "ultimate_moment"` on one line,
    and the line was skipped as given twice with different values, though both are
    read as ultimate_moment. Any other key's values are compared as written.
    """
    def agree(key: str) -> bool:
        allowed = _LABELS_OF.get(key)
        labels = {canonical_label(value, allowed) for value in row.conflicts[key]} if allowed else {None}
        return len(labels) == 1 and None not in labels

    return [key for key in keys if key in row.conflicts and not agree(key)]


def label_suggestion(value: object, allowed: tuple[str, ...]) -> str | None:
    """The one label of `allowed` that `value` begins (`pos`: positive), or None."""
    if not isinstance(value, str) or not _label_key(value):
        return None
    matches = [label for label in allowed if label.startswith(_label_key(value))]
    return matches[0] if len(matches) == 1 else None


def _moments_of_stages() -> dict[str, tuple[str, ...]]:
    """Each stage of the journey's stage models (five, seven, acquisition) with the moments that roll up to it.

    A stage no moment rolls up to (complete, loyalty) is measured over time, from repeat authors.
    """
    found: dict[str, set[str]] = {}
    for name, stages in DERIVED_STAGES.items():
        model = resolve_stage_model(name)
        for stage in stages:
            found.setdefault(stage, set()).update(model.moments_of(stage))
    return {stage: tuple(m for m in MOMENTS if m in moments) for stage, moments in found.items()}


_STAGE_MOMENTS = _moments_of_stages()


def stage_hint(value: object) -> str | None:
    """What to say of a moment written as a journey stage's name (`share`, `Purchase`), or None for any other value.

    A file labelled with the journey map's stages was refused with the list of moment
    labels and no word of which one each stage stands for.
    """
    if not isinstance(value, str):
        return None
    moments = _STAGE_MOMENTS.get(_label_key(value))
    if moments is None:
        return None
    if not moments:
        return "a journey stage measured over time from repeat customers, not a label of one item; "
    return f"a journey stage, not a moment: did you mean {' or '.join(map(repr, moments))}? "


def _label(value: object, allowed: tuple[str, ...]) -> str | None:
    return canonical_label(value, allowed)


def examples_from_rows(rows: Iterable[dict], source: str, kind_key: str = "source_kind") -> list[Example]:
    """Rows with `text` and optional `moment`/`sentiment` (see `canonical_label`) and source kind.

    Unknown labels become None.
    """
    out = []
    for row in rows:
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        out.append(Example(normalise_text(text), _label(row.get("moment"), MOMENTS),
                           _label(row.get("sentiment"), SENTIMENTS), source, source_kind=_kind(row.get(kind_key))))
    return out


def _kind(value: Any) -> str | None:
    return value.strip().lower() or None if isinstance(value, str) else None


def moment_corpus(data_dir: Path = DATA_DIR) -> list[Example]:
    """The project's own moments corpus, every `moments-*.jsonl` file (its `kind` is the source kind)."""
    out: list[Example] = []
    for path in sorted(data_dir.glob("moments-*.jsonl")):
        out.extend(examples_from_rows(read_jsonl(path), path.stem, kind_key="kind"))
    return out


def real_posts(benchmarks: Path = DEFAULT_BENCHMARKS, data_dir: Path = DATA_DIR) -> list[Example]:
    """Our labels of real posts joined with their texts; empty when the texts are absent.

    `real-posts-corrections.jsonl` (same shape, when present) overrides labels by id.
    """
    labels_path = data_dir / "real-posts-labels.jsonl"
    posts_path = benchmarks / "real-posts" / "posts.jsonl"
    if not labels_path.is_file() or not posts_path.is_file():
        return []
    posts = {row["id"]: row for row in read_jsonl(posts_path) if "id" in row}
    corrections_path = data_dir / "real-posts-corrections.jsonl"
    corrections = {row.get("id"): row for row in read_jsonl(corrections_path)} if corrections_path.is_file() else {}
    out = []
    for row in read_jsonl(labels_path):
        row = {**row, **corrections.get(row.get("id"), {})}  # a later correction wins
        post = posts.get(row.get("id"))
        if post is None:
            continue
        origin = str(post.get("origin", ""))
        out.append(Example(
            normalise_text(post["text"]),
            _label(row.get("moment"), MOMENTS),
            _label(row.get("sentiment"), SENTIMENTS),
            f"real-{post.get('source_kind', '')}",
            sentiment_trainable=not any(mark in origin for mark in SENTIMENT_BENCHMARK_ORIGINS),
            source_kind=_kind(post.get("source_kind")),
        ))
    return out


def semeval_train(benchmarks: Path = DEFAULT_BENCHMARKS) -> list[Example]:
    """SemEval 2013-2016 tweets with sentiment (the TweetEval training pool)."""
    path = benchmarks / "semeval-sentiment-train" / "train.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Example(normalise_text(r["text"]), sentiment=_label(r["sentiment"], SENTIMENTS), source="semeval")
                for r in reader if r.get("text") and _label(r.get("sentiment"), SENTIMENTS)]


def tweeteval(split: str, benchmarks: Path = DEFAULT_BENCHMARKS) -> list[Example]:
    """TweetEval sentiment `val` (choices) or `test` (reporting only)."""
    folder = benchmarks / "tweeteval-sentiment"
    texts_path, labels_path = folder / f"{split}_text.txt", folder / f"{split}_labels.txt"
    if not texts_path.is_file() or not labels_path.is_file():
        return []
    texts = texts_path.read_text(encoding="utf-8").splitlines()
    labels = labels_path.read_text(encoding="utf-8").split()
    if len(texts) != len(labels):
        raise ModelError(f"{folder}: {len(texts)} texts but {len(labels)} labels in the {split} split")
    return [Example(normalise_text(t), sentiment=SENTIMENTS[int(y)], source=f"tweeteval-{split}")
            for t, y in zip(texts, labels)]


def airline_tweets(benchmarks: Path = DEFAULT_BENCHMARKS) -> list[Example]:
    """US airline tweets with sentiment: for reporting and speed runs only."""
    path = benchmarks / "airline-tweets" / "Tweets.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [Example(normalise_text(r["text"]), sentiment=_label(r["airline_sentiment"], SENTIMENTS),
                        source="airline") for r in csv.DictReader(handle)]
