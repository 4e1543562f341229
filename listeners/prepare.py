"""What happens to every fetched item before it is stored: brands, language, pseudonymous author."""

from __future__ import annotations

import re

from journeywatch.domain import Mention
from journeywatch.query import titled

from .authors import author_key, author_name, pseudonym
from .brands import BrandMatcher
from .language import detect_languages


_SEPARATORS = re.compile(r"\s*[,;|]\s*")
MAX_AUTHOR_CHARS = 256  # the mentions.author column's length


def _configured(names: list[str], known: dict[str, str]) -> list[str]:
    """The configured brands among names a listener gave, as the config spells them.

    An export's brand column ("Query Name") says "acme air", "Acme Air; Globex" or a brand the config
    does not have: a name is matched whole, ignoring case, else split at `,` `;` `|`; the rest is dropped.
    """
    found: list[str] = []
    for name in names:
        whole = known.get(name.strip().casefold())
        parts = [whole] if whole else [known.get(part.casefold()) for part in _SEPARATORS.split(name.strip())]
        found += [brand for brand in parts if brand]
    return list(dict.fromkeys(found))


def prepare_mentions(mentions: list[Mention], matcher: BrandMatcher, raw_authors: bool = False) -> list[Mention]:
    """The mentions that match at least one brand, each with brands, language and author set.

    Items matching no brand are dropped here, before the database sees them.
    Brands a listener set already (the Reddit listener gives comments their
    submission's brands; a file export's brand column names them) are kept,
    if configured, and joined by the ones the text matches.
    Brand matching runs first because it is the cheaper test and drops most
    of a subreddit's traffic; language identification then runs once for the
    whole batch of what is left. The mentions are updated in place.
    """
    known = {brand.name.casefold(): brand.name for brand in matcher.brands}
    kept: list[Mention] = []
    combined: list[str] = []
    texts = [f"{mention.title}\n{mention.text}" if mention.title else mention.text for mention in mentions]
    matched = matcher.brands_of_all([titled(mention.title, mention.text) for mention in mentions])
    for mention, text, brands in zip(mentions, texts, matched):
        if mention.brands:  # set by the listener from context: a reply in a brand's thread, an export's column
            brands = list(dict.fromkeys([*_configured(mention.brands, known), *brands]))
        if brands:
            mention.brands = brands
            kept.append(mention)
            combined.append(text)
    for mention, language in zip(kept, detect_languages(combined)):
        mention.lang, mention.lang_supported = language.code, language.supported
    key = None if raw_authors else author_key()
    for mention in kept:
        if mention.author:
            mention.author = _stored_author(author_name(mention.author), key)
    return kept


def _stored_author(name: str, key: bytes | None) -> str | None:
    """What is stored of an author's `name` (see `author_name`): its pseudonym, or with no `key` the name itself.
    A name of invisible characters only is no name."""
    if not name:
        return None
    return pseudonym(name, key) if key else _fitting(name)


def _fitting(author: str) -> str:
    """A name as written, cut to the column (with …): a longer one ("By A, B, C ... and 40 others", a
    spreadsheet cell) failed the whole batch on PostgreSQL (value too long for character varying(256))."""
    return author[: MAX_AUTHOR_CHARS - 1] + "\u2026" if len(author) > MAX_AUTHOR_CHARS else author
