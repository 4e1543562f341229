"""What happens to every fetched item before it is stored: brands, language, pseudonymous author."""

from __future__ import annotations

from journeywatch.domain import Mention

from .authors import author_key, pseudonym
from .brands import BrandMatcher
from .language import detect_languages


def prepare_mentions(mentions: list[Mention], matcher: BrandMatcher, raw_authors: bool = False) -> list[Mention]:
    """The mentions that match at least one brand, each with brands, language and author set.

    Items matching no brand are dropped here, before the database sees them.
    Brands a listener set already (the Reddit listener gives comments their
    submission's brands) are kept and joined by the ones the text matches.
    Brand matching runs first because it is the cheaper test and drops most
    of a subreddit's traffic; language identification then runs once for the
    whole batch of what is left. The mentions are updated in place.
    """
    kept: list[Mention] = []
    combined: list[str] = []
    texts = [f"{mention.title}\n{mention.text}" if mention.title else mention.text for mention in mentions]
    for mention, text, brands in zip(mentions, texts, matcher.brands_of_all(texts)):
        if mention.brands:  # set by the listener from context: a reply in a brand's thread
            brands = list(dict.fromkeys([*mention.brands, *brands]))
        if brands:
            mention.brands = brands
            kept.append(mention)
            combined.append(text)
    for mention, language in zip(kept, detect_languages(combined)):
        mention.lang, mention.lang_supported = language.code, language.supported
    if not raw_authors:
        key = author_key()
        for mention in kept:
            if author := mention.author:
                mention.author = pseudonym(author, key)
    return kept
