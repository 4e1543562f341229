"""Emerging terms: words used this week more than their baseline, by a statistic with a known behaviour.

Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words"): the prior follows the combined word frequencies of
both periods, with a total strength of PRIOR_STRENGTH × their word count, so
rare words are shrunk towards "no change" instead of topping the list with
one lucky use. Only over-use is reported, so the test is one-sided: a term
is listed when its z-score passes `min_z` (1.645, one-sided 5%) and at least
`min_count` of this week's items use it.

The z-score is on uses; the threshold (met by as many authors, so one
customer's twelve posts about a voucher code make no term) and the figure shown beside a term
("waiting 3") are items, a text counting once however often it repeats the
term, so one long post (a copied complaint, spam saying a word a hundred
times) cannot make a term emerge on its own, nor show as "122×" in a stage
of six items.

Counting is scikit-learn's CountVectorizer (words and two-word phrases),
fitted once on all texts so every group shares one vocabulary and counting a
group is a sparse row sum. Its own analyzer drops stop words first and then
pairs what is left, so "the app has been down all day" gave the phrase "app
day" and "avoid Acme, their outage" gave "avoid outage", phrases nobody wrote;
ours (`phrase_analyzer`) pairs only words that stand next to each other in the
text, within one clause, and drops links, e-mail addresses and @handles, whose
pieces ("https", "co", a support account's name) are no term a brand manager can act on.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from .model import Term

_TOKEN = r"(?u)\b[^\W\d_][^\W\d_']+\b"  # words of two or more letters; numbers and ids are noise here
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+")  # links, e-mail addresses, @handles
_WORD = re.compile(r"(?u)\b[^\W\d_]+(?:'[^\W\d_]+)*\b")  # a word with its apostrophes: "doesn't", "o'brien"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
_CONTRACTED = frozenset({"t", "re", "ve", "ll", "d", "m"})  # don't, they're, we've, we'll, I'd, I'm
# ...and the same typed without the apostrophe, as posts often do
_CONTRACTIONS_BARE = frozenset({"dont", "doesnt", "didnt", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "isnt",
                                "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "im", "ive", "youre",
                                "theyre", "thats", "whats", "theres", "lets"})
# Chat fillers scikit-learn's list (written for prose) lacks: "honestly" rose in a share stage's terms.
_FILLERS = frozenset({"lol", "lmao", "tbh", "imo", "imho", "honestly", "literally", "basically", "actually", "omg",
                      "pls", "plz", "really", "just", "gonna", "wanna", "yeah", "ok", "okay", "guys"})
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"“”…|/\n]+")  # a phrase never spans these
PRIOR_STRENGTH = 0.1  # prior pseudo-counts as a share of the observed words: shrinks, never drowns
# Phrasal verbs a product's talk turns on: "in", "up" and "out" are stop words, so "can't log in" counted "log"
# and "top up" nothing ("top" is one too). Each is one term, whatever its tense ("logged in", "topped up") or
# spelling ("login", "sign-up", "checkout"): a brand manager reads one problem, not three.
_PHRASAL: dict[str, tuple[str, ...]] = {
    "log": ("in", "out", "on"), "sign": ("in", "up", "out", "on"), "check": ("in", "out"), "top": ("up",),
    "set": ("up",), "opt": ("in", "out"), "pick": ("up",), "cash": ("out",), "roll": ("out",), "drop": ("off",),
}


def _verb_forms(verb: str) -> set[str]:
    """'log' -> log, logs, logged, logging (and loged, loging, as typed): the tenses a post writes."""
    return {stem + ending for stem in (verb, verb + verb[-1]) for ending in ("", "s", "ed", "ing")}


_PHRASAL_FORMS = {form: verb for verb in _PHRASAL for form in _verb_forms(verb)}
_CLOSED_COMPOUNDS = {verb + particle: f"{verb} {particle}" for verb, particles in _PHRASAL.items()
                     for particle in particles}  # "login", "signup", "checkout", "topup", "setup"


def _phrasal(tokens: list[str | None]) -> list[str | None]:
    """The tokens with each phrasal verb (or its one-word spelling) as one token: 'log in', 'top up'."""
    out: list[str | None] = []
    i = 0
    while i < len(tokens):
        token, following = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None
        verb = _PHRASAL_FORMS.get(token or "")
        if verb and following in _PHRASAL[verb]:
            out.append(f"{verb} {following}")
            i += 2
            continue
        out.append(_CLOSED_COMPOUNDS.get(token or "", token))
        i += 1
    return out




def stop_words_of(phrases: Iterable[str]) -> list[str]:
    """The tokens of `phrases` as the counter cuts texts, plus each phrase's tokens run together.

    A stop word only stops a token it equals: "Rolls-Royce" or "Pipe|Brand"
    taken whole would stop nothing (and scikit-learn warns about it on the
    user's terminal), so a brand is cut like the texts are: "rolls", "royce"
    and the handle "rollsroyce". Each is stopped with and without its accents
    too: posts write "Nestlé" as "Nestle" and "Café" as "cafe".
    """
    out: list[str] = []
    for phrase in phrases:
        lowered = phrase.lower()
        bare = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
        for variant in dict.fromkeys((lowered, bare)):
            tokens = re.findall(_TOKEN, variant)
            out.extend(tokens)
            if len(tokens) > 1:
                out.append("".join(tokens))
    return out


def _word(token: str) -> str | None:
    """A text's word as counted: a possessive is its noun, a contraction is a stop word, else itself.

    Cut at the apostrophe, "doesn't", "won't" and "they've" left "doesn",
    "won" and "ve" as a complaint week's terms ("app doesn", "doesn work").
    """
    if "'" not in token:
        return token
    stem, _, suffix = token.rpartition("'")
    if suffix == "s":
        return stem
    return None if suffix in _CONTRACTED else token


def phrase_analyzer(stop: frozenset[str]) -> Callable[[str], list[str]]:
    """A CountVectorizer analyzer: words, and two-word phrases of words adjacent in the text.

    A stop word, a brand word or a clause mark between two words breaks the
    phrase instead of being skipped over (see the module docstring); a phrasal
    verb ("log in") is a term of its own, paired with neither neighbour.
    """
    def analyze(text: str) -> list[str]:
        features: list[str] = []
        # Exports often carry HTML entities as text ("Tom &amp; Jerry", "&nbsp;"): "amp" and "nbsp" are no terms.
        plain = html.unescape(text).lower().translate(_APOSTROPHES)
        for clause in _CLAUSE.split(_NOISE.sub(" . ", plain)):
            run: list[str] = []
            for token in [*_phrasal(list(map(_word, _WORD.findall(clause)))), ""]:
                if token and len(token) > 1 and token not in stop and " " not in token:
                    run.append(token)
                    continue
                features.extend(run)
                features.extend(f"{a} {b}" for a, b in zip(run, run[1:]))
                # A phrasal verb is a phrase already: paired, "checkout kept failing" gave "check out kept".
                run = []
                if token and " " in token:
                    features.append(token)
        return features
    return analyze


def _author_ids(authors: Sequence[str | None] | None, size: int) -> NDArray[np.int64]:
    """Each text's author as a number; a text with no author (or none given) is an author of its own."""
    if authors is None:
        return np.arange(size, dtype=np.int64)
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(a, len(ids)) if a is not None else -1 - n for n, a in enumerate(authors)],
                    dtype=np.int64)


class TermCounter:
    """Counts of every text over one shared vocabulary; groups are boolean masks over the texts."""

    def __init__(self, texts: Sequence[str], extra_stop_words: Iterable[str] = (),
                 authors: Sequence[str | None] | None = None) -> None:
        self.authors = _author_ids(authors, len(texts))
        self._columns: sparse.csc_matrix | None = None
        stop = (frozenset(ENGLISH_STOP_WORDS) | _CONTRACTIONS_BARE | _FILLERS
                | frozenset(stop_words_of(extra_stop_words)))
        self.vocabulary: NDArray[np.str_]
        if not texts:
            self.matrix: sparse.csr_matrix = sparse.csr_matrix((0, 0))
            self.vocabulary = np.array([], dtype=str)
            return
        vectorizer = CountVectorizer(analyzer=phrase_analyzer(stop), min_df=2, dtype=np.int32)
        try:
            self.matrix = vectorizer.fit_transform(texts).tocsr()
            self.vocabulary = vectorizer.get_feature_names_out()
        except ValueError:  # nothing survives min_df / stop words
            self.matrix = sparse.csr_matrix((len(texts), 0))
            self.vocabulary = np.array([], dtype=str)

    def counts(self, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Per-term uses summed over the texts where `mask` is true."""
        if self.matrix.shape[1] == 0 or not mask.any():
            return np.zeros(self.matrix.shape[1], dtype=np.int64)
        return np.asarray(self.matrix[mask].sum(axis=0)).ravel().astype(np.int64)

    def authors_using(self, mask: NDArray[np.bool_], term: int) -> int:
        """How many authors of the texts where `mask` is true use the term at column `term`."""
        if self._columns is None:  # column slices of the row-major matrix cost a pass over it each
            self._columns = self.matrix.tocsc()
        using = mask & (self._columns[:, term].toarray().ravel() > 0)
        return len(np.unique(self.authors[using]))

    def items(self, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Per-term number of the texts where `mask` is true that use the term (once each)."""
        if self.matrix.shape[1] == 0 or not mask.any():
            return np.zeros(self.matrix.shape[1], dtype=np.int64)
        return np.asarray((self.matrix[mask] > 0).sum(axis=0)).ravel().astype(np.int64)


def log_odds_z(
    focus: NDArray[np.int64], reference: NDArray[np.int64], strength: float = PRIOR_STRENGTH
) -> NDArray[np.float64]:
    """z-scores of the log-odds ratio focus vs reference, prior ∝ their combined counts."""
    prior = (focus + reference).astype(np.float64) * strength
    a0 = prior.sum()
    n_f, n_r = float(focus.sum()), float(reference.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        f = focus + prior
        r = reference + prior
        delta = np.log(f / (n_f + a0 - f)) - np.log(r / (n_r + a0 - r))
        z = delta / np.sqrt(1.0 / f + 1.0 / r)
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


def top_terms(
    counter: TermCounter, focus_mask: NDArray[np.bool_], reference_mask: NDArray[np.bool_], *,
    limit: int, min_count: int = 3, min_z: float = 1.645,
) -> list[Term]:
    """The `limit` terms most over-used by the focus texts compared with the reference texts.

    A term sharing a word with one already listed is left out, so a list reads
    "battery drain" once rather than "battery", "drain", "battery drain", "drain fast".
    """
    if limit <= 0 or counter.matrix.shape[1] == 0:
        return []
    focus = counter.counts(focus_mask)
    reference = counter.counts(reference_mask)
    if focus.sum() == 0 or reference.sum() == 0:
        return []
    z = log_odds_z(focus, reference)
    focus_items, reference_items = counter.items(focus_mask), counter.items(reference_mask)
    words = np.array([term.count(" ") + 1 for term in counter.vocabulary])
    order = np.lexsort((-words, -np.round(z, 6)))  # by z, phrases first where they tie with their words
    picked: list[Term] = []
    for index in order:
        if z[index] < min_z or len(picked) >= limit:
            break
        if focus_items[index] < min_count or counter.authors_using(focus_mask, int(index)) < min_count:
            continue
        term = str(counter.vocabulary[index])
        words = set(term.split())
        if any(words & set(p.term.split()) for p in picked):
            continue
        picked.append(Term(term, int(focus_items[index]), int(reference_items[index]), round(float(z[index]), 2)))
    return picked
