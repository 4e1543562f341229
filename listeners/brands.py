"""Which brands a text mentions: every brand's query compiled once, each batch of texts searched once per term."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from journeywatch.query import CompiledQuery, batch_term_finder, lowered_text
from journeywatch.settings import Brand, compiled_queries


log = logging.getLogger(__name__)
_warned: set[tuple[str, str, str]] = set()  # (brand, query, word): a run builds matchers several times


def _warn_operator_words(brand: str, query: CompiledQuery) -> None:
    """Say once per process that a lowercase `or` is searched as a word, or that words side by side bind looser
    than OR: the query still runs as written."""
    for word in query.operator_words:
        if (brand, query.source, word) not in _warned:
            _warned.add((brand, query.source, word))
            log.warning("brand '%s': lowercase '%s' is searched as a word; write %s for the operator",
                        brand, word, word.upper())
    if query.loose_and and (brand, query.source, "") not in _warned:
        _warned.add((brand, query.source, ""))
        log.warning("brand '%s': words side by side bind looser than OR: %s; add "
                    "parentheses, or quotes for a phrase (\"acme air\" OR acmeair), to say what you mean",
                    brand, query.loose_and)


class BrandMatcher:
    """Tests texts against every brand's boolean query.

    A bad query is a `ConfigError` at construction, naming the brand and the
    position, so a config is rejected before any source is read.
    """

    def __init__(self, brands: Sequence[Brand]) -> None:
        compiled = [(brand.name, query) for brand, query in zip(brands, compiled_queries(brands))]
        for name, query in compiled:
            _warn_operator_words(name, query)
        self.brands = list(brands)
        self._compiled = compiled
        # The matchers only ever ask whether one of their terms is among a text's words, so the words they
        # are handed are the text's words restricted to the terms of all queries, found for a whole batch at
        # once (`batch_term_finder`), not by splitting every text into words.
        self._find_terms = batch_term_finder(frozenset().union(*(query.terms for _, query in compiled)))
        self._matchers = [(name, query.matcher) for name, query in compiled]
        # What can match a text that holds no query term at all: only queries with wildcards (usually none).
        self._termless = [(name, query.matcher) for name, query in compiled if not query.decided_by_terms]

    def brands_of(self, text: str) -> list[str]:
        """Names of the brands whose query matches `text`, in config order."""
        return self.brands_of_all([text])[0]

    def brands_of_all(self, texts: Sequence[str]) -> list[list[str]]:
        """`brands_of` for each text; the terms of all texts are found in one pass over the batch."""
        lowered = [lowered_text(text) for text in texts]
        matchers = self._matchers
        termless = self._termless
        found = []
        for text, words in zip(lowered, self._find_terms(lowered)):
            if words:
                found.append([name for name, matcher in matchers if matcher(text, words)])
            elif termless:
                found.append([name for name, matcher in termless if matcher(text, words)])
            else:
                found.append([])
        return found
