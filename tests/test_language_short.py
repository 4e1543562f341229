"""Short posts in another Latin-script language ("Merci beaucoup", "Grazie mille") were stored with no language and
as supported, so the English classifier labelled them; short English slang must stay supported."""

from __future__ import annotations

from sqlalchemy import select

from journeywatch.listeners.language import detect_languages
from journeywatch.storage import iter_pending, open_database
from journeywatch.storage.tables import mentions
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_fix_shared_source_edits import WRITTEN, _collect, _config
from tests.test_undated_feeds import _rss

FOREIGN = {
    "fr-1": ("Merci beaucoup Acme", "fr"),
    "fr-2": ("Acme c'est nul", "fr"),
    "es-1": ("¿Alguien sabe si Acme vale la pena?", "es"),
    "es-2": ("Acme es lo peor", "es"),
    "it-1": ("Grazie mille Acme", "it"),
    "pt-1": ("Obrigado Acme!", "pt"),
    "sv-1": ("Acme är bäst", "sv"),
}
SCRIPTS = {"ru-1": "Спасибо Acme!", "ja-1": "Acmeの対応最悪"}  # a script check tells these however short
SLANG = ["lol Acme thx 🙏", "ngl Acme's app slaps", "Acme is mid tbh", "wtf acme", "Acme u good??", "Acme pls fix",
         "Acme fr fr best airline", "no cap Acme seats are comfy", "bruh acme wifi down again", "Acme = 💯",
         "Acme 😃😂💟🌭🍟🍔🍕🍔"]


def test_short_posts_in_other_languages_are_stored_flagged_and_not_classified(
    prefect_harness: None, database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    engine = open_database(database_url)
    items = [(guid, text, WRITTEN) for guid, (text, _) in FOREIGN.items()]
    items += [(guid, text, WRITTEN) for guid, text in SCRIPTS.items()]
    items += [(f"en-{i}", text, WRITTEN) for i, text in enumerate(SLANG)]
    feed_server.routes["/reviews"] = Route(_rss(items))

    assert _collect(_config(database_url, feed_server, "Acme")).new == len(items)

    with engine.connect() as connection:
        stored = {guid: (lang, supported) for guid, lang, supported in connection.execute(
            select(mentions.c.external_id, mentions.c.lang, mentions.c.lang_supported))}
    assert {guid: stored[guid] for guid in FOREIGN} == {guid: (code, False) for guid, (_, code) in FOREIGN.items()}
    assert [stored[guid][1] for guid in SCRIPTS] == [False, False]
    assert [stored[f"en-{i}"] in ((None, True), ("en", True)) for i in range(len(SLANG))] == [True] * len(SLANG)
    pending = [p.text for batch in iter_pending(engine, 100) for p in batch]
    assert sorted(pending) == sorted(SLANG)  # only the English reaches the classifier


def test_english_with_a_foreign_looking_word_stays_supported() -> None:
    """The tie-breaker: an English function word keeps a short text the model leans away from English on."""
    texts = ["OMG OMG OMG !!! I JUST DID!!", "The Bad Hombres", "okaaaaay UGH IM 8 MIN AWAY"]
    assert all(language.supported for language in detect_languages(texts))


def test_short_text_shares_are_py3langids_own_restricted_scores() -> None:
    """The judgement among SHORT_TEXT_LANGUAGES is py3langid's `set_languages` on the same model, not a new one."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from journeywatch.listeners.language import SHORT_TEXT_LANGUAGES, _get_model, sample_for_detection

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(SHORT_TEXT_LANGUAGES)
    model = _get_model()
    texts = [text for text, _ in FOREIGN.values()] + SLANG[:-1]
    samples = [sample_for_detection(text) for text in texts]
    probs, _ = model.probabilities([model.encode(sample) for sample in samples])
    for sample, row in zip(samples, probs):
        shares = row[model.short_columns] / row[model.short_columns].sum()
        expected = dict(reference.rank(sample))
        assert max(abs(float(share) - expected[code]) for share, code in zip(shares, SHORT_TEXT_LANGUAGES)) < 1e-4


def test_emoji_beside_words_do_not_make_a_post_languageless() -> None:
    """py3langid's no-language class ("zxx") took English with a run of emoji at 0.96, and the post went unclassified."""
    english = detect_languages(["Happy Acme day 😃😂💟🌭🍟🍔🍕🍔", "The next Muhammad Ali 💯💪🏾👊🏾🏆"])
    assert [(language.code, language.supported) for language in english] == [(None, True), (None, True)]
    (russian,) = detect_languages(["Спасибо Acme 😃😂💟🌭🍟🍔🍕🍔"])
    assert not russian.supported and russian.code != "zxx"
