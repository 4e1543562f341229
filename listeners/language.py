"""Language of a text, so items the classifier was not trained for are stored but not mis-classified.

py3langid's model (a naive Bayes over byte n-grams, found by walking a DFA)
does the identification. Its `classify` walks the DFA one byte at a time in
Python, ~40 µs per short post, which would be most of ingest's time. So
batches are scored here with the same model and the same arithmetic, the DFA
states of all bytes of a batch found at once with numpy (see `_Model`) and the
counts scored with one sparse matrix product; `tests/test_enrich.py` checks that the labels and
confidences agree with `py3langid.classify`.

Only English is classified today. Texts written mostly in a script English
does not use (Cyrillic, Greek, Arabic, Chinese, Japanese, Korean...) are not
supported however short, with `lang` the model's guess when it is sure of it;
texts of emoji, links or handles only have no letters and stay unknown, and
py3langid's no-language class ("zxx", which many emoji beside a few words
draw) is never taken as the text's language.

A Latin-script text too short for the model to be sure of among all its
languages ("Merci beaucoup", "Grazie mille", "great phone",
"lol") is judged again among the languages brands are commonly talked about in
(`SHORT_TEXT_LANGUAGES`, py3langid's `set_languages` done on the same scores):
it is flagged, with that guess as `lang`, when one language other than English
takes at least `SHORT_MIN_PROBABILITY` there and `SHORT_ENGLISH_RATIO` times
English's share, and the text has no English function word (`_ENGLISH_WORD`,
a tie-breaker: "the", "you", "just"...). Otherwise it keeps `lang=None` and
counts as supported, so short English talk and slang are not hidden.
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

# Nigerian Pidgin is English-lexified, and py3langid gives its label to informal English ("im still on hold...",
# "follow for follow": 8 of the 14,640 airline tweets, 22 of TweetEval's 12,284 texts), which then went
# unclassified; the English classifier reads the pidgin itself about as well as it reads slang.
SUPPORTED = frozenset({"en", "pcm"})
MIN_CONFIDENCE = 0.5  # normalised probability below which the guess is not trusted
MIN_LETTERS = 12  # fewer letters than this: too short to tell
SAMPLE_CHARS = 240  # identification time grows with length; the opening is enough to tell
# Short Latin-script texts the model is unsure of are judged again among these languages only: among all 142 the
# few n-grams of "Danke", "Merci Acme" or "lol thx" spread over Welsh, Kabyle, Walloon... and no language is sure.
# Measured (n in the commit message): 40 short non-English posts written for it, 20 of them passed as English
# before, 7 now (a second 40 written beforehand: 16 -> 4); English flagged: 0 of 40 short slang posts, 1 of 14,640
# airline tweets, 2 of 2,488 real posts (noun-phrase titles such as "Raffle question").
SHORT_TEXT_LANGUAGES = ("en", "pcm", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk",
                        "tr", "id", "ms", "ro", "hu", "ca", "hr", "sl", "lt", "lv", "et", "vi", "tl")
SHORT_MIN_PROBABILITY = 0.4  # the other language's share among SHORT_TEXT_LANGUAGES
SHORT_ENGLISH_RATIO = 4.0  # ... and at least this many times the supported languages' share
SHORT_MIN_LETTERS = 4  # fewer letters than this ("ok", "gg"): nothing to judge
# English words that no common Latin-script language writes alike; one in a short text keeps it supported.
_ENGLISH_WORD = re.compile(
    r"(?<![^\W\d_])(?:the|you|your|you're|with|this|that|what|what's|why|how|just|not|have|has|been|get|got|can|"
    r"will|don't|can't|i'm|im|it|it's|they|she|are|and|our|when)(?![^\W\d_'])", re.IGNORECASE)

_URL = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
# `_URL` where "http" and "www." are absent: the regex engine skips ahead to its rare first character.
_HANDLE = re.compile(r"[@#]\w+")
_LETTER = re.compile(r"[^\W\d_]")
# A letter of no Latin script, which the supported languages (English) are all written in: Cyrillic, Greek, Arabic,
# Hebrew, Chinese, Japanese, Korean, Thai, Devanagari...
_FOREIGN_LETTER = re.compile(
    r"[^\W\d_A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u2c60-\u2c7f"
    r"\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a]")
_lock = threading.Lock()
_SEPARATOR = 0xFF  # a byte UTF-8 never contains
_RADIX_COLUMNS = 1 << 16  # distinct features in a batch up to which `_log_counts` groups them by a radix sort


@dataclass(frozen=True, slots=True)
class Language:
    code: str | None  # ISO 639-1, or None when the text is too short or ambiguous to tell
    supported: bool


UNKNOWN = Language(None, True)
NOT_SUPPORTED = Language(None, False)  # which language cannot be told, but not one the classifier knows


class _Model:
    """py3langid's model as numpy arrays, for scoring many texts at once.

    The DFA is an Aho-Corasick automaton over the model's byte n-grams: its state after any text is
    the longest suffix of the text that is a prefix of some n-gram, so it depends on the last `depth`
    bytes only (`depth`: the longest n-gram). So the state at every position of every text is found
    at once, by walking `depth` steps from the start state over the window of bytes ending there, and
    not position by position. Texts are joined with `depth` bytes of 0xFF (never in UTF-8), which send
    every state back to the start: windows reaching back over a text's beginning see its start.
    """

    def __init__(self) -> None:
        self.identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident = self.identifier
        self.nextmove = np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}")  # a view, no copy
        self.rowbase = np.asarray(ident.tk_row, dtype=np.int32) << 8
        self.output = np.asarray(ident.tk_output, dtype=np.int32)
        self.features = int(self.output.max()) + 1
        self.ptc = ident.nb_ptc
        # float32 once: float16 rows converted per batch cost half of scoring's time (numpy converts in software)
        self.ptc32 = np.ascontiguousarray(ident.nb_ptc, dtype=np.float32)
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
        if not ((self.nextmove[self.rowbase + _SEPARATOR] == 0).all() and self.output[0] < 0):
            raise RuntimeError("py3langid's model: byte 0xFF no longer resets its DFA; the batch scorer needs it")
        # the first column of each of SHORT_TEXT_LANGUAGES (an alias's share is folded into it), and which are supported
        self.short_columns = np.array([self.classes.index(code) for code in SHORT_TEXT_LANGUAGES], dtype=np.int64)
        self.short_supported = np.array([code in SUPPORTED for code in SHORT_TEXT_LANGUAGES], dtype=bool)
        # py3langid's class for text of no language: emoji runs, symbols ("Happy Acme day 😃😂💟🌭🍟🍔🍕🍔" at 0.96)
        self.no_language = self.classes.index("zxx") if "zxx" in self.classes else -1
        self.depth = self._depth()
        self.separator = bytes([_SEPARATOR]) * self.depth
        # next_row[i] = the row offset of the state nextmove[i] leads to: one gather per byte instead of two
        self.next_row = self.rowbase[self.nextmove]
        # the row offset of the state two bytes lead to from the start, indexed by (byte1 << 8) | byte2
        after_one = self.next_row[self.rowbase[0] + np.arange(256)]
        self.start_pairs = self.next_row[(after_one[:, None] + np.arange(256)[None, :]).ravel()]

    def short_text_guesses(self, probs: np.ndarray) -> np.ndarray:
        """Per row of `probs`, the column of the unsupported language that stands out among
        `SHORT_TEXT_LANGUAGES` (renormalised, as py3langid's `set_languages` would score them), or -1."""
        shares = probs[:, self.short_columns]
        total = shares.sum(axis=1, keepdims=True)
        shares = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
        supported = shares[:, self.short_supported].sum(axis=1)
        others = np.where(self.short_supported, -1.0, shares)
        best = others.argmax(axis=1)
        top = others[np.arange(len(others)), best]
        stands_out = (top >= SHORT_MIN_PROBABILITY) & (top >= SHORT_ENGLISH_RATIO * supported)
        return np.where(stands_out, self.short_columns[best], -1)

    def _depth(self) -> int:
        """The most bytes any state is away from the start: the length of the longest n-gram."""
        seen = np.zeros(self.rowbase.size, dtype=bool)
        seen[0] = True
        frontier = np.zeros(1, dtype=np.int64)
        depth = 0
        while True:
            reached = np.unique(self.nextmove[(self.rowbase[frontier][:, None] + np.arange(256)).ravel()])
            fresh = reached[~seen[reached]]
            if not fresh.size:
                return max(depth, 3)  # `states` reads at least three bytes
            seen[fresh] = True
            frontier = fresh
            depth += 1

    @staticmethod
    def encode(text: str) -> bytes:
        """The bytes py3langid scores: all-caps lowered, NFC, UTF-8."""
        if text.isupper():
            text = text.lower()
        if text.isascii():  # NFC leaves ASCII as it is
            return text.encode("ascii")
        return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")

    def states(self, encoded: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """The DFA state after every byte of every text, and the offset of each text in that array."""
        depth = self.depth
        data = np.frombuffer(self.separator + self.separator.join(encoded), dtype=np.uint8)
        size = data.size - (depth - 1)  # one state per byte from the first separator's last byte on
        # In place, and `take` rather than fancy indexing: a third less time than a fresh array per step.
        rows = data[:size].astype(np.int32) << 8
        rows |= data[1 : size + 1]
        rows = self.start_pairs.take(rows)
        for k in range(2, depth - 1):
            rows += data[k : size + k]
            self.next_row.take(rows, out=rows)
        rows += data[depth - 1 : size + depth - 1]
        states = self.nextmove.take(rows)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        starts = np.cumsum(lengths + depth) - lengths - (depth - 1)  # each text's first byte, in `states`
        return states, starts

    def probabilities(self, encoded: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(texts x languages) normalised probabilities, and which texts had any feature at all."""
        count = len(encoded)
        probs = np.zeros((count, len(self.classes)), dtype=np.float32)
        has_features = np.zeros(count, dtype=bool)
        if not count:
            return probs, has_features
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=count)
        states, _ = self.states(encoded)
        all_features = self.output.take(states)
        hit = np.flatnonzero(all_features >= 0)  # separators never hit: the start state has no feature
        if not hit.size:
            return probs, has_features
        features = all_features.take(hit)
        owner = np.repeat(np.arange(count, dtype=np.int32), lengths + self.depth)[self.depth - 1 :]
        rows = owner.take(hit)  # ascending: hits are in text order
        counts, used = _log_counts(rows, features, count, self.features)
        scores = np.asarray(counts @ self.ptc32.take(used, axis=0), dtype=np.float32) + self.pc
        scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for kept, duplicate in self.aliases:
            scores[:, kept] += scores[:, duplicate]
            scores[:, duplicate] = 0.0
        has_features[rows] = True
        return scores, has_features


def _log_counts(rows: np.ndarray, features: np.ndarray, texts: int, width: int) -> tuple[sparse.spmatrix, np.ndarray]:
    """log1p of how often each (text, feature) pair occurs, and the features present (ascending).

    The matrix has one column per feature present, in that order; `rows` must be ascending. With at
    most 2**16 distinct features in the batch (every batch of posts in practice) the pairs are grouped
    by a stable radix argsort on the column (rows stay ascending within one), which gives a CSC matrix in
    canonical order directly; otherwise SciPy sorts each CSR row. The product with a dense matrix adds
    every text's terms in the same order either way (ascending feature), so the scores are the same to
    the bit.
    """
    present = np.bincount(features, minlength=width)  # cheaper than np.unique: no sort
    used = np.flatnonzero(present)
    shape = (texts, used.size)
    if used.size > _RADIX_COLUMNS:
        remap = np.empty(width, dtype=np.int64)
        remap[used] = np.arange(used.size)
        counts = sparse.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, remap[features])), shape=shape)
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        return counts, used
    rank = np.zeros(width, dtype=np.uint16)
    rank[used] = np.arange(used.size)
    columns = rank.take(features)
    order = np.argsort(columns, kind="stable")  # radix sort: 16-bit keys
    rows = rows.take(order)
    columns = columns.take(order)
    first = np.empty(rows.size, dtype=bool)
    first[0] = True
    np.not_equal(rows[1:], rows[:-1], out=first[1:])
    first[1:] |= columns[1:] != columns[:-1]
    starts = np.flatnonzero(first)
    repeats = np.diff(starts, append=rows.size).astype(np.float32)
    indptr = np.zeros(used.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(columns[starts], minlength=used.size), out=indptr[1:])
    counts = sparse.csc_matrix((np.log1p(repeats), rows[starts], indptr), shape=shape)
    counts.has_sorted_indices = True
    return counts, used


_model: _Model | None = None


def _get_model() -> _Model:
    global _model
    with _lock:
        if _model is None:
            _model = _Model()
        return _model


def release_model() -> None:
    """Drop the loaded model (some 160 MB of arrays); the next text to identify loads it again (seconds).

    A run identifies languages while it collects, then loads the classifier (some 400 MB) to classify what it
    stored: held through that, the model added its size to the run's peak memory for nothing.
    """
    global _model
    with _lock:
        _model = None


def model_loaded() -> bool:
    """Whether the model is in memory (see `release_model`)."""
    return _model is not None


def sample_for_detection(text: str) -> str:
    """The part of a text worth identifying: links, handles and hashtags removed, first few hundred characters."""
    head = text[: SAMPLE_CHARS * 2]
    if "http" not in head and "www." not in head:
        if "@" not in head and "#" not in head:
            return head[:SAMPLE_CHARS]  # nothing `_URL` could match: the substitution would change nothing
        return _HANDLE.sub(" ", head)[:SAMPLE_CHARS]  # only handles and hashtags can match: half `_URL`'s time
    return _URL.sub(" ", head)[:SAMPLE_CHARS]


def _enough_letters(sample: str) -> bool:
    """Whether a sample has letters enough to identify; long samples are not counted (the confidence test remains)."""
    if len(sample) < MIN_LETTERS:
        return False
    return len(sample) >= 4 * MIN_LETTERS or len(_LETTER.findall(sample)) >= MIN_LETTERS


def _foreign_script(sample: str) -> bool:
    """Whether most of a sample's letters are of a script no supported language is written in.

    Such a text is not English however short it is ("このケトル壊れた", "Отстой", "주전자 고장"), and the model
    tells these scripts apart from a few characters; the letter count is a bar for Latin texts only.
    """
    if sample.isascii() or _FOREIGN_LETTER.search(sample) is None:  # most texts: an emoji or a ’, no count needed
        return False
    return 2 * len(_FOREIGN_LETTER.findall(sample)) > len(_LETTER.findall(sample))


def detect_languages(texts: Sequence[str]) -> list[Language]:
    """The language of each text, and whether the classifier should see it; one batch, one pass.

    A text in a foreign script whose language the model is unsure of is still not supported: the
    English classifier would label Cyrillic or Chinese text at random. A short Latin-script one the
    model is unsure of is judged again among `SHORT_TEXT_LANGUAGES` (see the module's notes).
    """
    results = [UNKNOWN] * len(texts)
    samples = []
    positions = []
    latin = []  # whether a sample is judged among SHORT_TEXT_LANGUAGES when the model is unsure (or never tried)
    long_enough = []  # whether the model's answer among all its languages is taken when it is sure
    for i, text in enumerate(texts):
        sample = sample_for_detection(text)
        if _foreign_script(sample):
            results[i] = NOT_SUPPORTED
            latin.append(False)
            long_enough.append(True)
        elif _enough_letters(sample):
            latin.append(True)
            long_enough.append(True)
        elif _some_letters(sample):  # "Merci", "Happy 😃😂🌭": only the judgement among few languages counts
            latin.append(True)
            long_enough.append(False)
        else:
            continue
        samples.append(sample)
        positions.append(i)
    if not samples:
        return results
    model = _get_model()
    probs, has_features = model.probabilities([model.encode(s) for s in samples])
    best = probs.argmax(axis=1)
    trusted = has_features & (probs[np.arange(len(samples)), best] >= np.float32(MIN_CONFIDENCE))
    trusted &= np.array(long_enough, dtype=bool)
    trusted &= best != model.no_language  # "zxx" is the model's no-language class, not a language
    labels = model.languages
    for i, ok, column in zip(positions, trusted.tolist(), best.tolist()):
        if ok:
            results[i] = labels[column]
    unsure = np.flatnonzero(~trusted & has_features & np.array(latin, dtype=bool))
    if unsure.size:
        for row, column in zip(unsure.tolist(), model.short_text_guesses(probs[unsure]).tolist()):
            if column >= 0 and not _ENGLISH_WORD.search(samples[row]):
                results[positions[row]] = labels[column]
    return results


def _some_letters(sample: str) -> bool:
    """Whether a sample too short for `_enough_letters` still has letters enough to judge among few languages."""
    return len(sample) >= SHORT_MIN_LETTERS and len(_LETTER.findall(sample)) >= SHORT_MIN_LETTERS


def detect_language(text: str) -> Language:
    """The language of one text (see `detect_languages` for many)."""
    return detect_languages([text])[0]


def reference_classify(text: str) -> tuple[str, float]:
    """py3langid's own answer for the same sample, which the batch scorer must agree with."""
    return _get_model().identifier.classify(sample_for_detection(text))
