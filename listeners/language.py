"""Language of a text, so items the classifier was not trained for are stored but not mis-classified.

py3langid's model (a naive Bayes over byte n-grams, found by walking a DFA)
does the identification. Its `classify` walks the DFA one byte at a time in
Python, ~40 µs per short post, which would be most of ingest's time. So
batches are scored here with the same model and the same arithmetic, the DFA
walked for all texts of a batch at once with numpy and the counts scored with
one sparse matrix product; `tests/test_enrich.py` checks that the labels and
confidences agree with `py3langid.classify`.

Only English is classified today. Short or ambiguous texts ("great phone",
"lol") cannot be identified reliably, so they keep `lang=None` and count as
supported rather than being hidden.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from scipy import sparse

SUPPORTED = frozenset({"en"})
MIN_CONFIDENCE = 0.5  # normalised probability below which the guess is not trusted
MIN_LETTERS = 12  # fewer letters than this: too short to tell
SAMPLE_CHARS = 240  # identification time grows with length; the opening is enough to tell

_URL = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_LETTER = re.compile(r"[^\W\d_]")
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Language:
    code: str | None  # ISO 639-1, or None when the text is too short or ambiguous to tell
    supported: bool


UNKNOWN = Language(None, True)


class _Model:
    """py3langid's model as numpy arrays, for scoring many texts at once."""

    def __init__(self) -> None:
        self.identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident = self.identifier
        self.nextmove = np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}")  # a view, no copy
        self.rowbase = np.asarray(ident.tk_row, dtype=np.int64) << 8
        self.output = np.asarray(ident.tk_output, dtype=np.int32)
        self.features = int(self.output.max()) + 1
        self.ptc = ident.nb_ptc
        self.pc = np.asarray(ident.nb_pc, dtype=np.float32)
        self.classes = list(ident.nb_classes)
        self.languages = [Language(code, code in SUPPORTED) for code in self.classes]  # shared, frozen
        first: dict[str, int] = {}
        self.aliases = []  # (first column, duplicate column): script variants sharing one label
        for column, label in enumerate(self.classes):
            if label in first:
                self.aliases.append((first[label], column))
            else:
                first.setdefault(label, column)

    @staticmethod
    def encode(text: str) -> bytes:
        """The bytes py3langid scores: all-caps lowered, NFC, UTF-8."""
        if text.isupper():
            text = text.lower()
        return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")

    def probabilities(self, encoded: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(texts x languages) normalised probabilities, and which texts had any feature at all."""
        count = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=count)
        order = np.argsort(-lengths, kind="stable")  # longest first: the texts still walking are a prefix
        sorted_lengths = lengths[order]
        width = int(sorted_lengths[0]) if count else 0
        grid = np.zeros((count, max(width, 1)), dtype=np.uint8)
        for row, index in enumerate(order):
            data = encoded[index]
            grid[row, : len(data)] = np.frombuffer(data, dtype=np.uint8)
        columns_first = np.ascontiguousarray(grid.T)  # one position of every text: a contiguous row
        states = np.zeros(count, dtype=np.int64)
        rows_hit: list[np.ndarray] = []
        features_hit: list[np.ndarray] = []
        active = count
        for position in range(width):
            while active and sorted_lengths[active - 1] <= position:
                active -= 1
            walking = self.nextmove[self.rowbase[states[:active]] + columns_first[position, :active]]
            states[:active] = walking
            features = self.output[walking]
            hit = np.flatnonzero(features >= 0)
            if hit.size:
                rows_hit.append(hit)
                features_hit.append(features[hit])
        probs = np.zeros((count, len(self.classes)), dtype=np.float32)
        has_features = np.zeros(count, dtype=bool)
        if not rows_hit:
            return probs, has_features
        rows = np.concatenate(rows_hit)
        features = np.concatenate(features_hit)
        present = np.bincount(features, minlength=self.features)  # cheaper than np.unique: no sort
        used = np.flatnonzero(present)
        remap = np.empty(present.size, dtype=np.int64)
        remap[used] = np.arange(used.size)
        columns = remap[features]
        counts = sparse.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, columns)),
                                   shape=(count, used.size))
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        scores = np.asarray(counts @ self.ptc[used].astype(np.float32), dtype=np.float32) + self.pc
        scores *= (1.0 / np.sqrt(np.maximum(sorted_lengths, 1))).astype(np.float32)[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for kept, duplicate in self.aliases:
            scores[:, kept] += scores[:, duplicate]
            scores[:, duplicate] = 0.0
        has_features[rows] = True
        probs[order] = scores  # back to the callers' order
        has_features[order] = has_features.copy()
        return probs, has_features


_model: _Model | None = None


def _get_model() -> _Model:
    global _model
    with _lock:
        if _model is None:
            _model = _Model()
        return _model


def sample_for_detection(text: str) -> str:
    """The part of a text worth identifying: links, handles and hashtags removed, first few hundred characters."""
    head = text[: SAMPLE_CHARS * 2]
    if "http" not in head and "www." not in head and "@" not in head and "#" not in head:
        return head[:SAMPLE_CHARS]  # nothing `_URL` could match: the substitution would change nothing
    return _URL.sub(" ", head)[:SAMPLE_CHARS]


def _enough_letters(sample: str) -> bool:
    """Whether a sample has letters enough to identify; long samples are not counted (the confidence test remains)."""
    if len(sample) < MIN_LETTERS:
        return False
    return len(sample) >= 4 * MIN_LETTERS or len(_LETTER.findall(sample)) >= MIN_LETTERS


def detect_languages(texts: Sequence[str]) -> list[Language]:
    """The language of each text, and whether the classifier should see it; one batch, one pass."""
    results = [UNKNOWN] * len(texts)
    samples = []
    positions = []
    for i, text in enumerate(texts):
        sample = sample_for_detection(text)
        if _enough_letters(sample):
            samples.append(sample)
            positions.append(i)
    if not samples:
        return results
    model = _get_model()
    probs, has_features = model.probabilities([model.encode(s) for s in samples])
    best = probs.argmax(axis=1)
    trusted = has_features & (probs[np.arange(len(samples)), best] >= np.float32(MIN_CONFIDENCE))
    labels = model.languages
    for i, ok, column in zip(positions, trusted.tolist(), best.tolist()):
        if ok:
            results[i] = labels[column]
    return results


def detect_language(text: str) -> Language:
    """The language of one text (see `detect_languages` for many)."""
    return detect_languages([text])[0]


def reference_classify(text: str) -> tuple[str, float]:
    """py3langid's own answer for the same sample, which the batch scorer must agree with."""
    return _get_model().identifier.classify(sample_for_detection(text))
