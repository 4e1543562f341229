"""Boolean brand queries: parsed by luqum, compiled to a matcher that tests one text in microseconds.

The syntax is the one listening tools share (Lucene's):

- `acme`, `Acme` — a word, case-insensitive, whole words only (`acme` does not match `acmeville`);
- `"acme corp"` — a phrase: the words in this order, separated only by spaces or punctuation; punctuation
  between the query's words separates them too (`"dr. oetker"` finds "Dr Oetker"), inside a word it stays;
  a phrase is found in an item's title or in its text, never across the two (see `titled`);
- `@acme`, `#acmefail` — a handle or hashtag, matched with its sigil; a plain `acme` also matches `@acme`;
- `acme*`, `acm?` — wildcards inside one word;
- `🔥`, `❤️` — emoji (and symbols such as `™`), found anywhere, beside a word or not; `👍` also finds
  `👍🏽`, and `❤️` finds `❤` (the emoji presentation selector is ignored);
- `AND`, `OR`, `NOT` (upper case), `-word` (= NOT word), `+word`, parentheses;
- two terms side by side mean AND: `acme kettle` is `acme AND kettle`. This is stricter than
  OR: a brand watch that collects too little is noticed, one that floods the database is not.
  Write OR when you mean it.

Field searches (`title:x`), ranges, fuzzy (`~`) and boosts (`^`) mean nothing here and are rejected
with the position of the offending part, as are queries that would match a text containing none of
their terms (`NOT acme`).

Queries and texts are compared in one canonical form (`canonical`): Unicode NFC, so an `é` typed as
`e` plus a combining accent is the same letter, and typographic apostrophes (`’`, which phones
type, `ʼ`, `‘`) as `'`, so `"l'oréal"` and `mcdonald's` match the posts that spell them `L’Oréal`
and `McDonald’s`. Chinese, Japanese and Korean, written without spaces, count each of their
characters as a word: `acme` matches "Acmeのケトル" and `华为` matches "我买了华为手机". Turkish `İ` and
`ı` are read as `I` and `i`, so `iphone` matches "İPHONE" as Turkish keyboards write it in capitals.

Accents are part of a letter: `cafe` does not match "café", nor `nestle` "Nestlé" (in Spanish, `año` and
`ano` are different words). Case is not: `café` matches "CAFÉ". To find both spellings, write both:
`nestlé OR nestle`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from luqum.exceptions import IllegalCharacterError, ParseError
from luqum.parser import parser
from luqum.tree import (
    AndOperation,
    Group,
    Item,
    Not,
    OrOperation,
    Phrase,
    Plus,
    Prohibit,
    UnknownOperation,
    Word,
)

# What the matcher sees of a text: the lower-cased text, and its words (with and without @/#).
Matcher = Callable[[str, frozenset[str]], bool]

_WORD = re.compile(r"\w+")
_SIGIL_WORD = re.compile(r"(?<!\w)[@#]\w+")  # not after a letter: "support@acme.com" holds no handle @acme
_PLAIN_TERM = re.compile(r"[@#]?\w+")
_POSITION = re.compile(r"at position (\d+)")
_PARSER_LOCK = threading.Lock()  # luqum has one shared ply parser; sources compile queries in parallel threads


class QueryError(ValueError):
    """A query that cannot be used, with the 0-based position of the problem."""

    def __init__(self, problem: str, position: int) -> None:
        super().__init__(f"{problem} at position {position}")
        self.problem = problem
        self.position = position


def canonical(text: str) -> str:
    """`text` in the form queries are compared in: NFC, typographic apostrophes as `'` (ASCII is as it is).

    Turkish's dotted and dotless i (`İ`, `ı`) are read as `I` and `i` too: Turkish keyboards write `İPHONE`
    and `İSTANBUL` in capitals, whose case folding (`i` plus a combining dot) held no word `iphone`, and
    `ısparta` written `ISPARTA` in capitals folded to `isparta`.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    if "\u0130" in text or "\u0131" in text or "\u0307" in text:
        text = unicodedata.normalize("NFC", text.replace("\u0130", "I").replace("\u0131", "i")
                                     .replace("i\u0307", "i").replace("I\u0307", "I"))
    return text.replace("\u2019", "'").replace("\u02bc", "'").replace("\u2018", "'")


# Chinese, Japanese and Korean are written without spaces between words ("我买了华为手机", "Acmeのケトル"), so
# whole-word matching never found a brand in them. Each character of these scripts counts as a word of its own:
# a space is put between it and any letter or digit beside it, in texts and query terms alike, so `acme` finds
# "Acmeのケトル" and `华为` finds "我买了华为手机" (the characters in that order).
_CJK = ("\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f")
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_EDGE = re.compile(f"(?<=[{_CJK}])(?=\\w)|(?<=\\w)(?=[{_CJK}])")


def _cjk_spaced(text: str) -> str:
    """`text` with a space between each Chinese, Japanese or Korean character and a letter or digit beside it."""
    if text.isascii() or _HAS_CJK.search(text) is None:
        return text
    return _CJK_EDGE.sub(" ", text)


# What stands between an item's title and its text in the text brand queries are matched against: not a word
# character, so terms are found on either side of it, and no phrase's words are found across it. Joined by a
# newline, the title "... love my acme" and the text "air fryer ..." matched "acme air". Sources' texts never
# hold it (`listeners.text.clean_text` drops NUL, as no database stores it).
TITLE_BREAK = "\0"


def titled(title: str | None, text: str) -> str:
    """The text brand queries are matched against for an item with `title` (or none) and `text`."""
    return f"{title}{TITLE_BREAK}{text}" if title else text


def lowered_text(text: str) -> str:
    """What matchers are handed of a text: case-folded (`ß` as `ss`), in `canonical` form, CJK characters apart."""
    return _cjk_spaced(canonical(text.casefold()))


def words_of(lowered: str) -> frozenset[str]:
    """The words a query can test for in a lower-cased text: `\\w+` runs, plus `@x`/`#x` forms."""
    words = frozenset(_WORD.findall(lowered))
    if "@" in lowered or "#" in lowered:
        return words.union(_SIGIL_WORD.findall(lowered))
    return words


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A parsed query ready to test texts; `matches` takes any text, `matches_prepared` a pre-split one."""

    source: str
    matcher: Matcher
    # Every word the matcher ever looks up in the word set (plain terms, `@x`/`#x` terms, regex guards).
    # Handing the matcher only those of a text's words that are in `terms` gives the same answers.
    terms: frozenset[str] = frozenset()
    # True unless the query has wildcards (the only parts that search the text without a word guard): then a
    # text holding none of `terms` never matches, and the matcher need not be asked.
    decided_by_terms: bool = False
    # Words spelled like an operator but not in upper case (`or`, `Not`): searched as words, as documented,
    # though the author most likely meant the operator.
    operator_words: tuple[str, ...] = ()
    # How a query that puts words side by side with an unbracketed OR is read ("'acme air OR acmeair' reads as
    # acme AND (air OR acmeair)"), else None: side by side binds looser than OR, unlike a written AND.
    loose_and: str | None = None

    def matches(self, text: str) -> bool:
        lowered = lowered_text(text)
        return self.matcher(lowered, words_of(lowered))

    def matches_prepared(self, lowered: str, words: frozenset[str]) -> bool:
        return self.matcher(lowered, words)


def _check_balance(query: str) -> None:
    """Quotes and parentheses, checked first so the error points at the opening one, not 'the end'."""
    quote_at: int | None = None
    opened: list[int] = []
    escaped = False
    for i, char in enumerate(query):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == '"':
            quote_at = i if quote_at is None else None
        elif quote_at is None and char == "(":
            opened.append(i)
        elif quote_at is None and char == ")":
            if not opened:
                raise QueryError("unbalanced parenthesis ')' with no '(' before it", i)
            opened.pop()
    if quote_at is not None:
        raise QueryError('unbalanced quote (a phrase must end with ")', quote_at)
    if opened:
        raise QueryError("unbalanced parenthesis '(' never closed", opened[-1])


def _parse(query: str) -> Item:
    if not query.strip():
        raise QueryError("empty query", 0)
    _check_balance(query)
    try:
        with _PARSER_LOCK:
            return parser.parse(query)
    except IllegalCharacterError as exc:
        match = _POSITION.search(str(exc))
        position = int(match.group(1)) if match else 0
        char = query[position] if position < len(query) else ""
        hint = " (a phrase is quoted with double quotes: \"acme corp\")" if char == "'" else ""
        raise QueryError(f"illegal character {char!r}{hint}", position) from None
    except ParseError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        position = int(match.group(1)) if match else len(query)
        if "end of expression" in message or not match:
            raise QueryError("the query ends where a term is expected (after AND, OR or NOT?)", position) from None
        unexpected = message.split("unexpected", 1)[-1].split(" at position")[0].strip()
        raise QueryError(f"unexpected {unexpected}", position) from None
    except (ValueError, ArithmeticError):  # luqum reading the number after a `~`: `acme~.` raised decimal's
        # InvalidOperation, `"a b"~.` int()'s ValueError, each a traceback where a config error was due
        raise QueryError("fuzzy terms and proximity phrases (~) are not supported", max(query.find("~"), 0)) from None


def _term_pattern(term: str, wildcards: bool) -> str:
    """A regex for one word-like term with word boundaries on both sides."""
    parts = []
    for char in term:
        if wildcards and char == "*":
            parts.append(r"\w*")
        elif wildcards and char == "?":
            parts.append(r"\w")
        else:
            parts.append(re.escape(char))
    return r"(?<!\w)" + "".join(parts) + r"(?!\w)"


def _regex_matcher(pattern: str, required: frozenset[str]) -> Matcher:
    """Regex search guarded by a cheap word-set test: most texts fail the set test and never reach the regex."""
    regex = re.compile(pattern)
    search = regex.search
    if required:
        need = required

        def match(lowered: str, words: frozenset[str]) -> bool:
            return need <= words and search(lowered) is not None
    else:
        def match(lowered: str, words: frozenset[str]) -> bool:
            return search(lowered) is not None
    return match


_EMOJI_JOINERS = frozenset("\ufe0e\ufe0f\u200d\u20e3")  # text/emoji presentation, zero-width joiner, keycap


def _is_symbols(value: str) -> bool:
    """Whether `value` is emoji or symbols (`🍕`, `❤️`, `👍🏽`, `™`) and nothing else: searched as it is written."""
    if not value or value.isascii():
        return False
    has_symbol = False
    for char in value:
        category = unicodedata.category(char)
        if category == "So":
            has_symbol = True
        elif category != "Sk" and char not in _EMOJI_JOINERS:
            return False
    return has_symbol


def _symbols(value: str) -> Matcher:
    """A matcher for emoji: found anywhere, beside words or not ('love it🔥'), in any skin tone unless one is given.

    The emoji presentation selector is dropped from the query, as texts write `❤` with or without it.
    """
    needle = value.replace("\ufe0f", "").replace("\ufe0e", "")

    def match(lowered: str, words: frozenset[str]) -> bool:
        return needle in lowered
    return match


def _word(node: Word, terms: set[str]) -> Matcher:
    value = _cjk_spaced(canonical(node.value.casefold().replace("\\", "")))
    if _is_symbols(value):
        return _symbols(value)
    if not _WORD.search(value):
        raise QueryError(f"{node.value!r} is not a term (operators are AND, OR, NOT in upper case)", node.pos)
    if value.startswith("!"):  # Lucene's NOT, which luqum reads as part of the word: `acme !job` was acme AND "!job"
        raise QueryError(f"{node.value!r}: '!' is not an operator here; write NOT {node.value[1:]} or "
                         f"-{node.value[1:]}", node.pos)
    if value[-1] in ",;":  # `acme, globex` read as acme AND globex, each needing the comma: it matched nearly nothing
        mark = "a comma" if value[-1] == "," else "a semicolon"
        raise QueryError(f"{node.value!r}: {mark} does not separate alternatives; write {node.value[:-1]} OR ... "
                         f"(or quote a phrase: \"{node.value} ...\")", node.pos)
    if value.endswith(".") and _WORD.fullmatch(value.rstrip(".")):  # `inc.`: a sentence's or abbreviation's period
        value = value.rstrip(".")
    if _PLAIN_TERM.fullmatch(value):
        terms.add(value)

        def match(lowered: str, words: frozenset[str]) -> bool:
            return value in words
        return match
    wildcards = "*" in value or "?" in value
    required = frozenset() if wildcards else frozenset(_WORD.findall(value))
    terms.update(required)
    return _regex_matcher(_term_pattern(value, wildcards), required)


def _is_punctuation(char: str) -> bool:
    return char not in "@#" and unicodedata.category(char).startswith("P")


def _phrase_piece(piece: str, first: bool, last: bool) -> str:
    """One space-separated piece of a phrase, without the punctuation that only separates it from its neighbours.

    Words in a phrase are separated by spaces or punctuation, in the query as in the text: `"dr. oetker"`
    finds "Dr Oetker" and `"acme, inc"` "Acme Inc". Punctuation inside a word stays (`"at&t"`, `"e.on"`),
    as do sigils, a trailing `!` (`"yahoo!"`) and the phrase's opening; a final `.` (`"acme corp."`) is
    an abbreviation's or a sentence's and is left out.
    """
    start, end = 0, len(piece)
    if not first:
        while start < end and _is_punctuation(piece[start]):
            start += 1
    if not last:
        while end > start and _is_punctuation(piece[end - 1]):
            end -= 1
    else:
        while end > start + 1 and piece[end - 1] == ".":
            end -= 1
    return piece[start:end]


def _phrase(node: Phrase, terms: set[str]) -> Matcher:
    inner = _cjk_spaced(canonical(node.value[1:-1].casefold().replace('\\"', '"')))
    pieces = inner.split()
    if len(pieces) == 1 and _is_symbols(pieces[0]):
        return _symbols(pieces[0])
    if not pieces or not _WORD.search(inner):
        raise QueryError("empty phrase", node.pos)
    pieces = [kept for i, piece in enumerate(pieces)
              if (kept := _phrase_piece(piece, first=i == 0, last=i == len(pieces) - 1))]
    if len(pieces) == 1 and _PLAIN_TERM.fullmatch(pieces[0]):
        return _word(Word(pieces[0]), terms)
    body = r"[^\w\0]+".join(re.escape(p) for p in pieces)  # not across TITLE_BREAK
    required = frozenset(_WORD.findall(inner))
    terms.update(required)
    return _regex_matcher(r"(?<!\w)" + body + r"(?!\w)", required)


def _all(parts: list[Matcher]) -> Matcher:
    def match(lowered: str, words: frozenset[str]) -> bool:
        for part in parts:
            if not part(lowered, words):
                return False
        return True
    return match


def _any(parts: list[Matcher]) -> Matcher:
    def match(lowered: str, words: frozenset[str]) -> bool:
        for part in parts:
            if part(lowered, words):
                return True
        return False
    return match


def _negate(part: Matcher) -> Matcher:
    def match(lowered: str, words: frozenset[str]) -> bool:
        return not part(lowered, words)
    return match


_UNSUPPORTED = {
    "SearchField": "field searches (name:value) are not supported; quote the text: \"name:value\"",
    "Range": "ranges ([a TO b]) are not supported",
    "From": "ranges are not supported",
    "To": "ranges are not supported",
    "Fuzzy": "fuzzy terms (~) are not supported",
    "Proximity": "proximity phrases (\"...\"~N) are not supported",
    "Boost": "boosts (^) are not supported",
    "Regex": "regular expressions (/.../) are not supported",
    "FieldGroup": "field searches are not supported",
}


def _compile(node: Item, terms: set[str]) -> Matcher:
    if isinstance(node, Word):
        return _word(node, terms)
    if isinstance(node, Phrase):
        return _phrase(node, terms)
    if isinstance(node, (AndOperation, UnknownOperation)):
        return _all([_compile(child, terms) for child in node.children])
    if isinstance(node, OrOperation):
        return _any([_compile(child, terms) for child in node.children])
    if isinstance(node, (Not, Prohibit)):
        return _negate(_compile(node.children[0], terms))
    if isinstance(node, (Group, Plus)):
        return _compile(node.children[0], terms)
    name = type(node).__name__
    problem = _UNSUPPORTED.get(name, f"{name} is not supported in a brand query")
    raise QueryError(problem, getattr(node, "pos", None) or 0)


# Typographic double quotes, which word processors and phones put in a query pasted from a document, are phrase
# quotes; invisible characters pasted with it (zero-width space, word joiner, byte order mark) are spaces. Both
# were parts of words before: `“acme corp”` searched for the words `“acme` and `corp”` and matched nothing.
_QUERY_CHARACTERS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
                                   "\u00bb": '"', "\u200b": " ", "\u2060": " ", "\ufeff": " "})


def compile_query(query: str) -> CompiledQuery:
    """Parse and compile `query`; raises `QueryError` (problem + position) when it cannot be used."""
    terms: set[str] = set()
    written = canonical(query).translate(_QUERY_CHARACTERS)
    try:
        tree = _parse(written)
        matcher = _compile(tree, terms)
    except QueryError as exc:
        if exc.problem != _UNSUPPORTED["SearchField"]:
            raise
        raise _field_search(written, exc.position) from None
    except RecursionError:  # parsing and compiling recurse once per nesting level: a crash with a traceback
        raise QueryError("parentheses nested too deeply (a few hundred levels)", _deepest(query)) from None
    if matcher("", frozenset()):
        raise QueryError("the query matches texts that contain none of its terms (only NOT parts?)", 0)
    words = list(_words(tree))
    return CompiledQuery(
        query, matcher, frozenset(terms),
        # wildcards (read as `_word` reads them) and emoji are searched for in texts holding none of `terms`
        decided_by_terms=not any("*" in w or "?" in w or _has_symbols(w) for w in words) and not any(
            _has_symbols(p) for p in _phrases(tree)),
        operator_words=tuple(dict.fromkeys(w for w in words if w.upper() in _OPERATORS and w != w.upper())),
        loose_and=_loose_and(tree),
    )


def _loose_and(node: Item) -> str | None:
    """How the first words-side-by-side operation in `node` holding an unbracketed OR reads, else None.

    luqum binds OR tighter than words side by side but looser than AND: `acme air OR acmeair` is
    `acme AND (air OR acmeair)` and never matched "acmeair is great", while `acme AND air OR acmeair`
    is `(acme AND air) OR acmeair`. Said plainly, the author can bracket or quote what was meant.
    """
    if isinstance(node, UnknownOperation) and any(isinstance(child, OrOperation) for child in node.children):
        reading = " AND ".join(f"({str(child).strip()})" if isinstance(child, OrOperation) else str(child).strip()
                               for child in node.children)
        return f"'{str(node).strip()}' reads as {reading}"
    return next((found for child in node.children if (found := _loose_and(child))), None)


_OPERATORS = frozenset({"AND", "OR", "NOT"})


def _field_search(written: str, position: int) -> QueryError:
    """The error for a `name:value` in `written`, quoting what was written there as the phrase to search for.

    The hint read `quote the text: "name:value"` whatever was written, and a brand's web address
    (`https://acme.com`) was called a field search with no word of how to search for it.
    """
    token = (written[position:].split() or [""])[0].strip("()")
    problem = "field searches (name:value) are not supported"
    if '"' in token:  # name:"a phrase": the phrase cannot be quoted again
        return QueryError(f"{problem}; search for the value alone, without '{token.partition(':')[0]}:'", position)
    if re.match(r"[a-z][a-z0-9+.-]*://", token, re.IGNORECASE):
        problem = "a web address is read as a field search (name:value)"
    return QueryError(f"{problem}; to search for the text, quote it: \"{token}\"", position)


def _deepest(query: str) -> int:
    """The position of the innermost '(' of the most deeply nested group."""
    depth = best = at = 0
    for i, char in enumerate(query):
        if char == "(":
            depth += 1
            if depth > best:
                best, at = depth, i
        elif char == ")":
            depth -= 1
    return at


def _words(node: Item) -> Iterator[str]:
    """Every unquoted word of a parsed query, as written."""
    if isinstance(node, Word):
        yield node.value
    for child in node.children:
        yield from _words(child)


def _phrases(node: Item) -> Iterator[str]:
    """Every quoted phrase of a parsed query, quotes included."""
    if isinstance(node, Phrase):
        yield node.value
    for child in node.children:
        yield from _phrases(child)


def _has_symbols(value: str) -> bool:
    """Whether a word or phrase as written holds a part `_symbols` searches for."""
    return any(_is_symbols(piece) for piece in canonical(value.strip('"')).split())


def batch_term_finder(terms: frozenset[str] | set[str]) -> Callable[[Sequence[str]], list[frozenset[str]]]:
    """A function giving `words_of(lowered) & terms` for each of many lower-cased texts at once.

    A plain term is one of a text's words when it occurs as a whole `\\w+` run; an `@x`/`#x` term when it
    occurs neither after nor before a word character (as `_SIGIL_WORD` finds it). The texts are joined
    with NUL (not a word character, so no term runs across two texts) and each term is searched for once in the whole
    batch, by a pattern that starts with the term itself so the regex engine jumps from one occurrence to
    the next in C; each occurrence is mapped back to its text by bisecting the texts' offsets. Testing
    every term against every text in Python was most of brand matching's time.
    """
    searches = []
    for term in sorted(terms):
        escaped = re.escape(term)
        # "(?<!\w)term", written with the lookbehind after the term so the pattern opens with a literal; for an
        # "@x"/"#x" term too: "support@acme.com" holds no handle @acme
        pattern = escaped + r"(?<!\w" + escaped + r")(?!\w)"
        searches.append((term, re.compile(pattern).finditer))
    empty: frozenset[str] = frozenset()

    def find(lowered: Sequence[str]) -> list[frozenset[str]]:
        starts = []
        offset = 0
        for text in lowered:
            starts.append(offset)
            offset += len(text) + 1
        joined = "\0".join(lowered)
        found: dict[int, set[str]] = {}
        for term, finditer in searches:
            for match in finditer(joined):
                found.setdefault(bisect_right(starts, match.start()) - 1, set()).add(term)
        result = [empty] * len(lowered)
        for i, words in found.items():
            result[i] = frozenset(words)
        return result
    return find
