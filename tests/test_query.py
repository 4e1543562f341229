"""Boolean brand queries: examples, errors with positions, and property tests against a reference evaluator."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeywatch.errors import ConfigError
from journeywatch.listeners import BrandMatcher
from journeywatch.query import QueryError, compile_query, titled
from journeywatch.settings import Brand


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("acme", "I love ACME kettles", True),
        ("acme", "Acmeville is a town", False),  # whole words only
        ("acme", "thanks @acme for nothing", True),  # a bare word also finds the handle
        ("@acme", "acme support", False),
        ("@acme", "cc @Acme please", True),
        ("#acmefail", "worst day #AcmeFail", True),
        ("@acme", "write to support@acme.com", False),  # an e-mail address holds no handle
        ("@acme", "thanks,@acme!", True),
        ("#acme", "see faq.html#acme", False),
        ('"acme corp"', "Acme  Corp. announced", True),
        ('"acme corp"', "corp acme", False),
        # punctuation between the words of a phrase separates them, in the query as in the text
        ('"dr. oetker"', "Dr Oetker pizza", True),
        ('"acme, inc."', "Acme Inc is great", True),
        ('"acme corp."', "I like acme corp", True),  # a final period is a sentence's or an abbreviation's
        ('"yahoo! mail"', "yahoo mail is down", True),
        ('"yahoo!"', "yahoo mail", False),  # what ends the phrase otherwise stays,
        ('"at&t"', "at & t", False),  # and punctuation inside a word
        ('"c# developer"', "c developer", False),  # as do sigils
        ("acme inc.", "Acme Inc is great", True),  # a word's final period too
        ("acme.com", "acme com", False),
        ("acme kettle", "the kettle from acme", True),  # juxtaposition is AND
        ("acme kettle", "acme toaster", False),
        ("acme AND NOT (job OR hiring)", "acme is hiring", False),
        ("acme AND NOT (job OR hiring)", "acme is great", True),
        ("acme -job", "acme job fair", False),
        ("acme OR globex", "globex rules", True),
        ("acm*", "acmecorp rules", True),
        ("acm?", "acmecorp rules", False),
        ("acme-co", "ACME-CO delivered", True),
        ("acme-co", "acme co delivered", False),
        ("caf\u00e9", "Le Caf\u00c9 est bon", True),
        # case-folded, not only lower-cased: German capitals write \u00df as SS
        ("stra\u00dfe", "STRASSE gesperrt", True),
        ("gro\u00dfmann", "GROSSMANN hat geliefert", True),
        ("GROSSMANN", "Gro\u00dfmann hat geliefert", True),
        ("o'reilly", "O'Reilly books", True),
        # phones type a typographic apostrophe; either spelling in the query finds both in the text
        ("\"l'or\u00e9al paris\"", "L\u2019Or\u00e9al Paris launched", True),
        ("mcdonald\u2019s", "mcdonald's fries", True),
        ("mcdonald's", "McDonald\u02bcs fries", True),
        ("mcdonald's", "mcdonalds fries", False),
        # an accent typed as a combining mark (NFD, as macOS and some exports write) is the same letter
        ('"caf\u00e9 noir"', "CAFE\u0301 NOIR is open", True),
        ("cafe\u0301", "Le Caf\u00c9 est bon", True),
        # Chinese, Japanese and Korean run words together: each of their characters is a word of its own
        ("acme", "Acme\u306e\u30b1\u30c8\u30eb\u306f\u58ca\u308c\u305f", True),  # "Acmeのケトルは壊れた"
        ("apple", "\u6211\u4e70\u4e86Apple\u624b\u673a", True),  # "我买了Apple手机"
        ("apple", "\u83e0\u841dpineapple\u6c41", False),  # still whole words beside them
        ("\u534e\u4e3a", "\u6211\u4e70\u4e86\u534e\u4e3a\u624b\u673a", True),  # 华为 in "我买了华为手机"
        ("\u534e\u4e3a", "\u4e3a\u534e", False),
        ("\u30bd\u30cb\u30fc", "\u30bd\u30cb\u30fc\u306e\u30ab\u30e1\u30e9", True),  # ソニー in "ソニーのカメラ"
        ('"\u534e\u4e3a \u624b\u673a"', "\u6211\u4e70\u4e86\u534e\u4e3a\u624b\u673a", True),
        ("\uc0bc\uc131", "\uc0bc\uc131\uc804\uc790\ub294", True),  # 삼성 in "삼성전자는"
        # Turkish capitals: the dotted \u0130 folds to i, the dotless \u0131 is read as i
        ("iphone", "APPLE \u0130PHONE ALDIM", True),  # "İPHONE"
        ("\u0130stanbul", "istanbul kart", True),
        ("\u0131spanak", "ISPANAK", True),
        ("istanbul", "I\u0307STANBUL", True),  # the dot typed as a combining mark
        ("istanbul", "\u0130stanbulkart", False),  # still whole words
        # emoji are terms, found beside words too; the presentation selector and skin tones do not matter
        ("\U0001f355", "pizza night\U0001f355\U0001f355", True),  # 🍕
        ('acme "\U0001f525"', "Acme sale \U0001f525", True),  # 🔥
        ("acme \U0001f525", "Acme sale", False),
        ("\u2764\ufe0f", "love my acme \u2764", True),  # ❤️ in the query, ❤ in the text
        ("\U0001f44d", "acme \U0001f44d\U0001f3fd", True),  # 👍 finds 👍🏽
        ("\U0001f44d\U0001f3fd", "acme \U0001f44d", False),
        ("acme\u2122", "ACME\u2122 kettles", True),  # ™ after a word
        # a query pasted from a document: typographic quotes are phrase quotes, invisible characters spaces
        ("\u201cacme corp\u201d OR globex", "Acme Corp rocks", True),  # “acme corp”
        ("\u201cacme corp\u201d", "corp acme", False),
        ("\u201eacme corp\u201c", "ACME CORP", True),  # „acme corp“
        ("\u00abacme corp\u00bb", "acme, corp", True),  # «acme corp»
        ("acme\u200b", "acme kettle", True),
        ("\ufeffacme", "acme kettle", True),
    ],
)
def test_examples(query: str, text: str, expected: bool) -> None:
    assert compile_query(query).matches(text) is expected


@pytest.mark.parametrize(
    ("query", "problem", "position"),
    [
        ('acme AND "free stuff', "unbalanced quote", 9),
        ("(acme OR globex", "unbalanced parenthesis", 0),
        ("acme) OR x", "unbalanced parenthesis", 4),
        ("acme AND", "ends where a term is expected", 8),
        ("acme OR OR x", "unexpected", 8),
        ("title:acme", "field searches", 0),
        ("acme AND x~2", "fuzzy", 9),
        ("NOT acme", "none of its terms", 0),
        ("   ", "empty query", 0),
        ('acme OR ""', "empty phrase", 8),
        ("acme && globex", "not a term", 5),
        ("NOT \U0001f355", "none of its terms", 0),
        ("kettle acme, globex", "'acme,': a comma does not separate alternatives; write acme OR", 7),
        ("acme; globex", "a semicolon does not separate alternatives", 0),
        ("acme !job", "'!' is not an operator here; write NOT job or -job", 5),
        ("'acme corp'", "illegal character \"'\" (a phrase is quoted with double quotes", 0),
        ("acme AND \u201cfree stuff", "unbalanced quote", 9),
        ("(" * 1000 + "acme" + ")" * 1000, "nested too deeply", 999),  # a RecursionError and a traceback
    ],
)
def test_errors_name_the_problem_and_position(query: str, problem: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert problem in caught.value.problem
    assert caught.value.position == position


def test_brand_matcher_names_the_brand_key_and_position() -> None:
    brands = [Brand(name="Acme", query="acme"), Brand(name="Globex Corp", query="globex AND (x")]
    with pytest.raises(ConfigError) as caught:
        BrandMatcher(brands)
    assert str(caught.value) == (
        "config key 'brands[1].query' (Globex Corp): unbalanced parenthesis '(' never closed at position 11"
    )


def test_brand_matcher_matches_typographic_apostrophes_and_decomposed_accents() -> None:
    matcher = BrandMatcher([Brand(name="L'Or\u00e9al", query="\"l'or\u00e9al\" OR #loreal"),
                            Brand(name="Caf\u00e9 Noir", query='"caf\u00e9 noir"')])
    texts = ["L\u2019Or\u00e9al new serum", "cafe\u0301 noir and L'Oreal", "plain ascii text", "#LOreal"]
    assert matcher.brands_of_all(texts) == [["L'Or\u00e9al"], ["Caf\u00e9 Noir"], [], ["L'Or\u00e9al"]]


def test_brand_matcher_finds_turkish_capitals_in_a_batch() -> None:
    matcher = BrandMatcher([Brand(name="Apple", query="iphone OR #iphone"), Brand(name="Is Bank", query='"is bank"')])
    texts = ["Yeni \u0130PHONE geldi", "#\u0130Phone15 #iPhone", "\u0130\u015e BANK kart\u0131", "Ä°PHONE"]
    assert matcher.brands_of_all(texts) == [["Apple"], ["Apple"], [], []]


def test_brand_matcher_finds_emoji_in_texts_holding_no_other_term() -> None:
    matcher = BrandMatcher([Brand(name="Acme", query="acme"), Brand(name="Pizza", query="\U0001f355 OR pizza"),
                            Brand(name="Acme fans", query="acme AND \u2764\ufe0f")])
    texts = ["\U0001f355\U0001f355\U0001f355", "acme \u2764", "nothing", "acme pizza"]
    assert matcher.brands_of_all(texts) == [["Pizza"], ["Acme", "Acme fans"], [], ["Acme", "Pizza"]]


def test_brand_matcher_returns_every_matching_brand_in_config_order() -> None:
    matcher = BrandMatcher([Brand(name="Globex", query="globex"), Brand(name="Acme", query='"acme corp" OR @acme')])
    assert matcher.brands_of("@acme vs Globex") == ["Globex", "Acme"]
    assert matcher.brands_of("nothing to see") == []


# --- properties: the compiled matcher agrees with a plain evaluator over the text's words ------------

VOCAB = ["acme", "kettle", "globex", "red", "@acme", "#fail"]
NOISE = ["acmeville", "kettles", "globe", "fail", "the"]
SEPARATORS = [" ", ", ", ". ", "! ", "\n", " - ", "  "]


@dataclass(frozen=True)
class Node:
    op: str  # word, phrase, and, or, not, implicit
    parts: tuple[object, ...]

    def render(self) -> str:
        if self.op == "word":
            return str(self.parts[0])
        if self.op == "phrase":
            return '"' + " ".join(map(str, self.parts)) + '"'
        if self.op == "not":
            return f"(NOT {self.parts[0].render()})"  # type: ignore[attr-defined]
        joiner = {"and": " AND ", "or": " OR ", "implicit": " "}[self.op]
        return "(" + joiner.join(p.render() for p in self.parts) + ")"  # type: ignore[attr-defined]


def _word_matches(term: str, token: str) -> bool:
    """The documented word rule: a sigil term needs the sigil; a bare term also matches @x and #x."""
    return token == term if term[0] in "@#" else token.lstrip("@#") == term


def evaluate(node: Node, tokens: list[str]) -> bool:
    if node.op == "word":
        return any(_word_matches(str(node.parts[0]), t) for t in tokens)
    if node.op == "phrase":
        words = [str(p) for p in node.parts]
        return any(all(_word_matches(w, tokens[i + j]) for j, w in enumerate(words))
                   for i in range(len(tokens) - len(words) + 1))
    if node.op == "not":
        return not evaluate(node.parts[0], tokens)  # type: ignore[arg-type]
    results = [evaluate(p, tokens) for p in node.parts]  # type: ignore[arg-type]
    return any(results) if node.op == "or" else all(results)


words = st.sampled_from(VOCAB).map(lambda w: Node("word", (w,)))
phrases = st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3).map(lambda ws: Node("phrase", tuple(ws)))
queries = st.recursive(
    words | phrases,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or", "implicit"]), st.lists(inner, min_size=2, max_size=3))
        .map(lambda t: Node(t[0], tuple(t[1]))),
        inner.map(lambda n: Node("not", (n,))),
    ),
    max_leaves=8,
)
texts = st.lists(
    st.tuples(st.sampled_from(VOCAB + NOISE), st.sampled_from([str.lower, str.upper, str.title]),
              st.sampled_from(SEPARATORS)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(queries, texts)
def test_matcher_agrees_with_reference_evaluator(query: Node, pieces: list[tuple[str, object, str]]) -> None:
    text = "".join(case(word) + sep for word, case, sep in pieces)  # type: ignore[operator]
    tokens = [word for word, _, _ in pieces]
    if evaluate(query, []):
        with pytest.raises(QueryError):
            compile_query(query.render())
        return
    compiled = compile_query(query.render())
    assert compiled.matches(text) is evaluate(query, tokens)
    assert compiled.matches(text.upper()) is compiled.matches(text.lower())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_string_compiles_or_fails_with_a_position(query: str) -> None:
    try:
        compiled = compile_query(query)
    except QueryError as exc:
        assert 0 <= exc.position <= len(query)
    else:
        assert isinstance(compiled.matches(query), bool)


# --- the brand matcher's shortcut: only the queries' own terms are looked for in a text ---------------

BRAND_QUERIES = [
    'acme OR "acme corp" OR @acme',
    "globex AND NOT (job OR hiring)",
    "#acmefail OR acm?",
    "acme* -kettle",
    '"tps report" AND initech',
    "o'brien OR acme.com",
    '"@acme support"',
    "\u00fcber OR stra\u00dfe",
    "x_y OR #x",
]
TRICKY = ["acme", "Acme", "@acme", "#acme", "#acmefail", "acmefail", "acmeville", "acm", "kettle", "globex", "job",
          "hiring", "tps", "report", "initech", "o'brien", "acme.com", "ACME", "\u00dcber", "STRASSE", "stra\u00dfe",
          "x_y", "#x", "@@acme", "a@acme", "\u00e9", "_acme", "acme_", "1acme", "@acme_x", "support", "corp"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TRICKY) | st.text(max_size=4),
                          st.sampled_from(["", " ", ",", "\n", "@", "#", "'", "."])), max_size=14))
def test_brand_matcher_agrees_with_matching_on_all_words(pieces: list[tuple[str, str]]) -> None:
    """BrandMatcher hands the matchers only the text's words that some query uses: same answers as all words."""
    matcher = BrandMatcher([Brand(name=str(i), query=q) for i, q in enumerate(BRAND_QUERIES)])
    text = "".join(word + sep for word, sep in pieces)
    expected = [str(i) for i, q in enumerate(BRAND_QUERIES) if compile_query(q).matches(text)]
    assert matcher.brands_of(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(TRICKY) | st.text(max_size=4),
                                   st.sampled_from(["", " ", ",", "\n", "@", "#", "'", ".", "\x00"])), max_size=6),
                max_size=6),
       st.booleans())
def test_a_batch_matches_as_its_texts_one_by_one(texts: list[list[tuple[str, str]]], wildcards: bool) -> None:
    """Terms are found in the batch joined with NUL: no term may run across two texts or be credited to the wrong one.

    Without wildcard queries, texts holding no query term skip the matchers: the answers must not change.
    """
    queries = BRAND_QUERIES if wildcards else [q for q in BRAND_QUERIES if "*" not in q and "?" not in q]
    matcher = BrandMatcher([Brand(name=str(i), query=q) for i, q in enumerate(queries)])
    batch = ["".join(word + sep for word, sep in pieces) for pieces in texts]
    expected = [[str(i) for i, q in enumerate(queries) if compile_query(q).matches(text)] for text in batch]
    assert matcher.brands_of_all(batch) == expected


@pytest.mark.parametrize(("title", "text", "phrase", "terms"), [
    ("Weekend haul, love my acme", "air fryer arrived today", False, True),  # the phrase only across the two
    ("Acme air", "delayed again", True, True),
    ("Delayed", "acme\nair, again", True, True),  # a line break inside the text is no title boundary
    ("Acme air", "", True, True),  # no text: the title alone
    (None, "acme air", True, True),  # no title
    ("My \"Acme #", "air\" fryer", False, True),
])
def test_a_phrase_is_not_found_across_an_items_title_and_text(title: str | None, text: str, phrase: bool,
                                                                terms: bool) -> None:
    """Title and text are one text to terms (`acme AND air`), but a phrase is found in one or the other."""
    queries = ['"acme air"', "acme AND air", '"acme air" OR globex']
    matcher = BrandMatcher([Brand(name=q, query=q) for q in queries])
    expected = [q for q, found in zip(queries, [phrase, terms, phrase]) if found]
    item = titled(title, text)
    assert [q for q in queries if compile_query(q).matches(item)] == expected
    assert matcher.brands_of_all([item, "acme air"]) == [expected, queries]  # the batch path agrees


def test_only_wildcard_queries_are_asked_about_texts_without_their_terms() -> None:
    assert compile_query("acme OR \"acme corp\" OR @acme").decided_by_terms
    assert not compile_query("acm* OR globex").decided_by_terms
    matcher = BrandMatcher([Brand(name="A", query="acme"), Brand(name="W", query="acm*")])
    assert matcher.brands_of_all(["acmeville", "nothing", "ACME"]) == [["W"], [], ["A", "W"]]


def test_lowercase_operators_are_words_with_a_warning_naming_the_brand(caplog: pytest.LogCaptureFixture) -> None:
    """Operators are upper case (as documented); a lowercase `or` still searches the word, and says so once."""
    brands = [Brand(name="Lower Or Co", query="acme or acmeair"), Brand(name="Fine", query='globex OR "this or that"')]
    with caplog.at_level(logging.WARNING, logger="journeywatch.listeners.brands"):
        matcher = BrandMatcher(brands)
        BrandMatcher(brands)  # the CLI, the flow and every source build one: one warning is enough
    assert [r.getMessage() for r in caplog.records] == [
        "brand 'Lower Or Co': lowercase 'or' is searched as a word; write OR for the operator"]
    assert matcher.brands_of("acme or acmeair") == ["Lower Or Co"]  # all three words, side by side: AND
    assert matcher.brands_of("acme acmeair") == []
    assert compile_query("a Not b and c").operator_words == ("Not", "and")


def test_queries_compile_correctly_from_parallel_threads() -> None:
    """Sources are collected in threads, each compiling the brands' queries; luqum's parser is shared."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ['(acme OR "acme corp") AND NOT (job OR hiring)', '@acme OR #acmefail', 'globex AND (a OR (b AND c))']

    def compile_many(offset: int) -> list[bool]:
        return [compile_query(queries[(offset + i) % 3]).matches("acme corp is hiring") for i in range(500)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        in_threads = list(pool.map(compile_many, range(8)))  # a garbled parse raised QueryError here
    assert in_threads == [compile_many(offset) for offset in range(8)]
