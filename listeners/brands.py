"""Which brands a text mentions: every brand's query compiled once, each text split into words once."""

from __future__ import annotations

from collections.abc import Sequence

from journeywatch.errors import ConfigError
from journeywatch.settings import Brand

from .query import CompiledQuery, QueryError, compile_query, words_of


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

    def brands_of(self, text: str) -> list[str]:
        """Names of the brands whose query matches `text`, in config order."""
        lowered = text.lower()
        words = words_of(lowered)
        return [name for name, query in self._compiled if query.matcher(lowered, words)]
