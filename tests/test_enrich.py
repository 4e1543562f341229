"""What happens to items before storage: HTML to text, brands, language, pseudonymous authors."""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from journeywatch.domain import Mention
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners import authors as authors_module
from journeywatch.listeners.authors import AUTHOR_KEY_ENV
from journeywatch.listeners import language as language_module
from journeywatch.listeners.language import (
    MIN_CONFIDENCE,
    _get_model,
    detect_language,
    detect_languages,
    reference_classify,
    sample_for_detection,
)
from journeywatch.listeners.text import collapse_whitespace, html_to_text
from journeywatch.settings import Brand
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.tables import mentions as mentions_table

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
# Printable text: controls (other than tab and newline) are not something HTML carries.
plain = st.text(st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t\n "), max_size=80)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_escaped_text_comes_back_as_itself(text: str) -> None:
    assert html_to_text(html.escape(text)) == collapse_whitespace(text)


@settings(max_examples=200, deadline=None)
@given(plain, plain)
def test_scripts_and_styles_never_reach_the_text(before: str, after: str) -> None:
    doc = (f"<div>{html.escape(before)}</div><script>var SCRIPTMARK = 1;</script>"
           f"<style>.STYLEMARK {{}}</style><p>{html.escape(after)}</p>")
    out = html_to_text(doc)
    assert "SCRIPTMARK" not in out and "STYLEMARK" not in out
    assert out == out.strip() and "  " not in out and "\n" not in out


# Any text without markup: every kind of whitespace, controls, lone surrogates, runs of spaces at either end.
_plain_parts = st.sampled_from([" ", "  ", "\t", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", "\x00",
                                "\x1b", "\x7f", "\ud83d", "a", "b\u00e9", "\u200b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_plain_parts, max_size=12).map("".join))
def test_text_without_markup_is_cleaned_and_collapsed_as_before(text: str) -> None:
    """The shortcut that returns an already-plain text as it is agrees with removing and splitting."""
    assert html_to_text(text) == " ".join(re.sub("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]", "", text).split())
    assert collapse_whitespace(text) == " ".join(text.split())


def test_blocks_keep_words_apart_and_entities_decode() -> None:
    assert html_to_text("<p>Acme</p><p>kettle&nbsp;&amp;&#233;</p><ul><li>a</li><li>b</li></ul>x<br>y") == \
        "Acme kettle &\u00e9 a b x y"
    assert html_to_text("<b>Ac</b>me") == "Acme"  # inline markup does not split a word


def _mention(i: int, text: str, title: str | None = None, author: str | None = "Some_User") -> Mention:
    return Mention(source="s", external_id=str(i), text=text, title=title, created_at=T0, author=author)


MATCHER = BrandMatcher([Brand(name="Acme", query="acme"), Brand(name="Globex", query="globex AND NOT hiring")])


def test_brands_come_from_title_and_text_and_unmatched_items_are_dropped() -> None:
    items = [
        _mention(1, "the lid cracked after two weeks", title="Acme kettle"),
        _mention(2, "Globex is hiring engineers"),
        _mention(3, "globex and acme both answered my email"),
        _mention(4, "nothing about any brand"),
    ]
    kept = prepare_mentions(items, MATCHER)
    assert [(m.external_id, m.brands) for m in kept] == [("1", ["Acme"]), ("3", ["Acme", "Globex"])]


def test_a_phrase_is_matched_in_the_title_or_the_text_not_across_them() -> None:
    matcher = BrandMatcher([Brand(name="Phrase", query='"acme air"'), Brand(name="Terms", query="acme AND air")])
    items = [_mention(1, "air fryer arrived today", title="Weekend haul, love my acme"),
             _mention(2, "acme air was on time", title="Nice")]
    kept = prepare_mentions(items, matcher)
    assert [(m.external_id, m.brands) for m in kept] == [("1", ["Terms"]), ("2", ["Phrase", "Terms"])]


def test_language_is_stored_and_only_english_is_supported() -> None:
    english = "My Acme kettle stopped working after two weeks and support never answered my emails."
    german = "Mein Acme Wasserkocher ist nach zwei Wochen kaputt gegangen und der Kundendienst antwortet nicht."
    french = "Ma bouilloire Acme est tomb\u00e9e en panne apr\u00e8s deux semaines et le service client ne r\u00e9pond pas."
    short = "acme lol"
    kept = prepare_mentions([_mention(i, t) for i, t in enumerate([english, german, french, short])], MATCHER)
    assert [(m.lang, m.lang_supported) for m in kept] == [("en", True), ("de", False), ("fr", False), (None, True)]


SENTENCES = [
    "Mein Wasserkocher ist nach zwei Wochen kaputt gegangen und der Kundendienst antwortet nicht.",
    "Ma bouilloire est tomb\u00e9e en panne apr\u00e8s deux semaines, le service client ne r\u00e9pond pas.",
    "El servicio al cliente es terrible, nunca me devolvieron el dinero del pedido.",
    "Questo bollitore \u00e8 fantastico, lo consiglio a tutti quelli che cercano qualit\u00e0.",
    "De klantenservice reageert niet en mijn bestelling is nog steeds niet geleverd.",
    "\u042d\u0442\u043e \u0443\u0436\u0430\u0441\u043d\u044b\u0439 \u0447\u0430\u0439\u043d\u0438\u043a, "
    "\u043d\u0435 \u043f\u043e\u043a\u0443\u043f\u0430\u0439\u0442\u0435 \u0435\u0433\u043e.",
    "\u3053\u306e\u88fd\u54c1\u306f\u7d20\u6674\u3089\u3057\u3044\u3067\u3059\u3002\u6bce\u65e5\u4f7f\u3063\u3066\u3044\u307e\u3059\u3002",
    "O atendimento foi p\u00e9ssimo e o produto chegou quebrado, n\u00e3o recomendo.",
    "Third call to support and my router still drops every hour.",
    "SIX MONTHS IN AND THE BATTERY STILL LASTS TWO DAYS, LOVE IT",
    "ok",
    "12345 67890 !!! ???",
    "Merci beaucoup",  # py3langid: French at 0.48, under the bar; flagged French among SHORT_TEXT_LANGUAGES
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES) | plain, min_size=1, max_size=8))
def test_batch_identification_agrees_with_py3langid(texts: list[str]) -> None:
    """The numpy batch scorer is an optimisation of py3langid's classify: same model, same answers."""
    got = detect_languages(texts)
    model = _get_model()
    for text, language in zip(texts, got):
        if language.code is None:
            continue  # too short to try, or below the confidence bar: checked below where it was tried
        code, confidence = reference_classify(text)
        sample = sample_for_detection(text)
        if not language.supported and not language_module._foreign_script(sample) and (
                not language_module._enough_letters(sample) or confidence < MIN_CONFIDENCE + 1e-3 or code == "zxx"):
            continue  # a short text judged among SHORT_TEXT_LANGUAGES (test_language_short.py)
        assert (language.code, language.supported) == (code, code == "en")
        assert confidence >= MIN_CONFIDENCE - 1e-3
    tried = [sample_for_detection(t) for t in texts]
    probs, has_features = model.probabilities([model.encode(s) for s in tried])
    for sample, row, featured in zip(tried, probs, has_features):
        if featured:
            code, confidence = model.identifier.classify(sample)
            assert row.max() == pytest.approx(confidence, abs=1e-3)
            assert model.classes[int(row.argmax())] == code or abs(confidence - sorted(row)[-2]) < 1e-3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=60) | plain.map(lambda t: t.encode("utf8", errors="surrogatepass")), max_size=6))
def test_dfa_states_of_a_batch_are_py3langids_walk(texts: list[bytes]) -> None:
    """The windowed walk over a whole batch yields, text by text, the features py3langid's own walk counts."""
    from py3langid.langid import visit_counts

    model = _get_model()
    ident = model.identifier
    states, starts = model.states(texts)
    for text, start in zip(texts, starts):
        features = model.output[states[start : start + len(text)]]
        reference = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, text)
        assert sorted(features[features >= 0].tolist()) == (sorted(reference.elements()) if reference else [])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES) | plain, min_size=1, max_size=8))
def test_both_ways_of_counting_features_score_the_same(texts: list[str]) -> None:
    """Radix-grouped CSC counts and SciPy's sorted CSR counts give bit-identical probabilities."""
    model = _get_model()
    encoded = [model.encode(sample_for_detection(t)) for t in texts]
    radix = model.probabilities(encoded)
    old = language_module._RADIX_COLUMNS
    language_module._RADIX_COLUMNS = -1
    try:
        csr = model.probabilities(encoded)
    finally:
        language_module._RADIX_COLUMNS = old
    assert (radix[0] == csr[0]).all() and (radix[1] == csr[1]).all()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60) | st.sampled_from(["see https://x.example/a", "www.acme.com", "@acme hi", "#tag"]))
def test_sample_shortcut_changes_nothing(text: str) -> None:
    assert sample_for_detection(text) == language_module._URL.sub(" ", text[:480])[:240]


def test_links_and_handles_do_not_decide_the_language() -> None:
    text = "Acme support fixed it in a day, very happy https://example.de/gutschein/bestellung/kaufen @acme_de"
    assert detect_language(text).code == "en"


def test_authors_are_keyed_pseudonyms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTHOR_KEY_ENV, "first-secret")
    a = prepare_mentions([_mention(1, "acme", author="Alice"), _mention(2, "acme", author="alice")], MATCHER)
    b = prepare_mentions([_mention(3, "acme", author="Bob")], MATCHER)
    assert a[0].author == a[1].author != b[0].author
    handles = prepare_mentions([_mention(4, "acme", author=name) for name in ("@Alice", "u/alice", "/u/ALICE")],
                               MATCHER)
    assert {m.author for m in handles} == {a[0].author}  # one person across a tweet export and Reddit
    assert prepare_mentions([_mention(5, "acme", author="@")], MATCHER)[0].author != a[0].author
    assert re.fullmatch(r"h:[0-9a-f]{32}", a[0].author or "")
    monkeypatch.setenv(AUTHOR_KEY_ENV, "second-secret")
    c = prepare_mentions([_mention(1, "acme", author="Alice")], MATCHER)
    assert c[0].author != a[0].author
    raw = prepare_mentions([_mention(1, "acme", author="Alice"), _mention(2, "acme", author=None)], MATCHER,
                           raw_authors=True)
    assert [m.author for m in raw] == ["Alice", None]


def test_missing_key_warns_once_and_still_hashes(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(AUTHOR_KEY_ENV, raising=False)
    monkeypatch.setattr(authors_module, "_warned", False)
    with caplog.at_level(logging.WARNING):
        first = prepare_mentions([_mention(1, "acme", author="Alice")], MATCHER)
        prepare_mentions([_mention(2, "acme", author="Alice")], MATCHER)
    assert first[0].author != "Alice"
    assert sum(AUTHOR_KEY_ENV in r.getMessage() for r in caplog.records) == 1


def test_neither_names_nor_key_reach_the_database(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv(AUTHOR_KEY_ENV, "s3cret-key-value")
    engine = open_database(sqlite_url)
    store_batch(engine, prepare_mentions([_mention(1, "acme rocks", author="RealName42")], MATCHER))
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(select(mentions_table))]
    dump = repr(rows)
    assert "RealName42" not in dump and "s3cret-key-value" not in dump


def test_invisible_characters_and_normalisation_forms_do_not_make_another_author(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTHOR_KEY_ENV, "first-secret")
    spellings = {"bob": ["\u200bbob", "bob\u200c", "b\u200dob", "\u2060bob", "\ufeffbob", " \u200bbob\n"],
                 "Jos\u00e9": ["Jose\u0301", "\u200bJose\u0301 "]}
    for name, others in spellings.items():
        found = prepare_mentions([_mention(i, "acme", author=a) for i, a in enumerate([name, *others])], MATCHER)
        assert len({m.author for m in found}) == 1, name
        raw = prepare_mentions([_mention(i, "acme", author=a) for i, a in enumerate([name, *others])], MATCHER,
                               raw_authors=True)
        assert {m.author for m in raw} == {name}
    assert prepare_mentions([_mention(1, "acme", author="\u200b\ufeff ")], MATCHER)[0].author is None


def test_pseudonyms_of_plain_names_stay_as_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTHOR_KEY_ENV, "first-secret")
    stored = {"Alice": "h:30177f430bfc9a51b610faa4f282e432", "@Bob_99": "h:8234ca9beb9ecf2481d434c51e5b0d5a",
              " carol.d ": "h:77b251a27138a302145e701e10a42415", "u/Dan-Ex": "h:3f9fbb79410199d179f96cfc911dd9ef"}
    found = prepare_mentions([_mention(i, "acme", author=name) for i, name in enumerate(stored)], MATCHER)
    assert [m.author for m in found] == list(stored.values())
