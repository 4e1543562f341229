"""Which brands a text mentions: every brand's query compiled once, each text searched once for their terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from journeywatch.errors import ConfigError
from journeywatch.settings import Brand

from .query import CompiledQuery, QueryError, compile_query, term_finder


class BrandMatcher:
    """Tests texts against every brand's boolean query.

    A bad query is a `ConfigError` at construction, naming the brand and the
    position, so a config is rejected before any source is read.
    """

    def __init__(self, brands: Sequence[Brand]) -> None:
        compiled: list[tuple[str, CompiledQuery]] = []
        for i, brand in enumerate(brands):
            try:
                compiled.append((brand.name, compile_query(brand.query)))
            except QueryError as exc:
                raise ConfigError(f"config key 'brands[{i}].query' ({brand.name}): {exc}") from None
        self.brands = list(brands)
        self._compiled = compiled
        # The matchers only ever ask whether one of their terms is among a text's words, so the words
        # they are handed are the text's words restricted to the terms of all queries: found by substring
        # tests plus a boundary check, not by splitting every text into words (most of matching's time).
        self._find_terms = term_finder(frozenset().union(*(query.terms for _, query in compiled)))
        self._matchers = [(name, query.matcher) for name, query in compiled]

    def brands_of(self, text: str) -> list[str]:
        """Names of the brands whose query matches `text`, in config order."""
        lowered = text.lower()
        words = self._find_terms(lowered)
        return [name for name, matcher in self._matchers if matcher(lowered, words)]

    def brands_of_all(self, texts: Iterable[str]) -> list[list[str]]:
        """`brands_of` for each text, in one loop (a batch's worth of calls saved)."""
        find = self._find_terms
        matchers = self._matchers
        found = []
        for text in texts:
            lowered = text.lower()
            words = find(lowered)
            found.append([name for name, matcher in matchers if matcher(lowered, words)])
        return found
