"""Plain text out of whatever a source hands us: HTML fragments, entities, ragged whitespace.

Feed summaries and review bodies arrive as HTML; the classifier and the brand
queries want words. selectolax's lexbor parser does the HTML5 parsing and
entity decoding; this module only decides where words must stay apart, and
reads markup simple enough to give the parser's text without it (see
`_simple_markup_text`).
"""

from __future__ import annotations

import re
from html.entities import html5

from selectolax.lexbor import LexborHTMLParser

# Elements that end a line when rendered: their text must not run into the next word. A space is put
# before each of their tags in the markup itself (one regex pass; each such tag's "<" becomes " <", a
# constant, so no template is expanded per tag) rather than into the parsed tree. The pattern starts with
# the literal "<" so the regex engine skips to the next "<" instead of trying a lookahead at every character.
_BLOCK_TAG = re.compile(
    r"<(?=(/?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|"
    r"main|nav|ol|p|pre|section|table|td|th|tr|ul))(?=[\s/>]))",
    re.IGNORECASE,
)


# Characters no stored text may hold: C0 controls that are not whitespace (NUL, which PostgreSQL refuses), DEL,
# and lone UTF-16 surrogates (a JSON export cut mid-emoji, "\ud83d"), which cannot be written as UTF-8 at all.
_UNWANTED = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without the characters no database can store (control characters, lone surrogates)."""
    return _UNWANTED.sub("", text)


# Every character `str.split()` splits on except the space (all C0 controls are among them or in `_UNWANTED`),
# and `_UNWANTED`'s: a text holding none of these, no two spaces in a row and no space at either end is already
# clean and collapsed. Checking that (one regex scan, one substring search) costs half of splitting and joining
# a typical post's words, and most posts pass.
_NOT_PLAIN = re.compile("[\x00-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff]")


def _already_plain(text: str) -> bool:
    """Whether `text` (not empty) is its own clean, collapsed form: no unwanted character, only single inner spaces."""
    return text[0] != " " and text[-1] != " " and "  " not in text and _NOT_PLAIN.search(text) is None


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends (str.split: several times faster than a regex)."""
    if text and _already_plain(text):
        return text
    return " ".join(text.split())


# What is left after one pass when a source escaped its HTML twice ("&amp;lt;p&amp;gt;", some blog and review
# feeds): a closing tag, a <br>, an entity. Such text gets one more pass, never more.
_MARKUP_LEFT = re.compile(
    r"</(?:a|b|i|p|em|strong|span|div|li|ul|ol|h[1-6]|script|style|table|tr|td|blockquote|pre|code)>|<br\s*/?>|"
    r"&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)


def html_to_text(html: str | None) -> str:
    """The readable text of an HTML fragment: scripts and styles dropped, entities decoded, whitespace collapsed.

    Control characters and lone surrogates are removed; HTML escaped twice is unescaped twice.
    Text without `<` or `&` is not HTML, so it skips the parser (most social posts), which keeps
    ingest fast.
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:  # removing `_UNWANTED` characters cannot add either
        if _already_plain(html):
            return html
        return " ".join(_UNWANTED.sub("", html).split())  # collapse_whitespace, inlined: this is most texts
    html = _UNWANTED.sub("", html)
    text = _parsed_text(html)
    return _parsed_text(text) if _MARKUP_LEFT.search(text) else text


def _parsed_text(html: str) -> str:
    """The text of `html` (already free of `_UNWANTED` characters), words kept apart at block elements."""
    text = _simple_markup_text(html)
    if text is not None:
        return " ".join(text.split())  # clean already (see `_simple_markup_text`); block tags left spaces to collapse
    tree = LexborHTMLParser(_BLOCK_TAG.sub(" <", html))
    tree.strip_tags(["script", "style", "noscript", "template"])
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    return collapse_whitespace(_UNWANTED.sub("", root.text(separator="")))  # again: "&#7;" decodes to one


# --- simple markup without the parser ------------------------------------------------------------------
# Most feed HTML is a few paragraphs, links and emphasis with common entities. For such markup the HTML5
# parser's text is the markup's text between the tags, references decoded, in order: in the "in body"
# insertion mode, character tokens are neither dropped nor moved except by foster parenting (tables), the
# newline after <pre>, <listing> and <textarea>, the raw-text and foreign elements and whitespace before
# the body (stripped anyway); none of those elements is in `_SIMPLE_TAGS`. So when every `<` of a text
# opens a tag of `_SIMPLE_TAGS` in plain tokenizer syntax and every `&` is a complete reference the
# tokenizer reads one way only, the text is built here, at a third of the parser's cost; anything else
# goes to the parser. tests/test_enrich.py checks the two agree on generated tag soup.
_WS = "\t\n\x0c\r "  # the tokenizer's whitespace (re's \s would also take \xa0, which ends no tag name)
_SIMPLE_PIECE = re.compile(
    rf"<(/?)([a-zA-Z][a-zA-Z0-9]*)"  # a start or end tag: ASCII name, attributes in plain syntax only
    rf"(?:[{_WS}]+[^{_WS}\"'<>/=]+(?:[{_WS}]*=[{_WS}]*(?:\"[^\"]*\"|'[^']*'|[^{_WS}\"'<>=`]+))?)*[{_WS}]*/?>"
    r"|&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{0,31}));"  # a reference ending in ";"
)
# Tags whose elements hold ordinary text: the block ones (a space before, as `_BLOCK_TAG` gives) and inline ones.
_SIMPLE_BLOCKS = frozenset("address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
                           "h5 h6 header hr li main nav ol p section ul".split())
_SIMPLE_INLINE = frozenset("a abbr b big cite code del em font i img ins kbd mark q s small span strike strong sub "
                           "sup time tt u wbr".split())
_SIMPLE_TAGS = _SIMPLE_BLOCKS | _SIMPLE_INLINE


def _code_point(number: int) -> str | None:
    """A numeric reference's character where HTML takes the number as it is: not NUL, controls, C1 or surrogates."""
    if 0x20 <= number <= 0x7E or 0xA0 <= number <= 0xD7FF or 0xE000 <= number <= 0x10FFFF:
        return chr(number)
    return None


def _simple_markup_text(html: str) -> str | None:
    """The text the parser would give for simple markup (see above), or None when `html` is not that simple.

    Decoded characters are never `_UNWANTED` ones (named references give only printable text, tab and
    newline; numeric ones outside `_code_point`'s ranges go to the parser).
    """
    parts = []
    position = 0
    for match in _SIMPLE_PIECE.finditer(html):
        between = html[position : match.start()]
        if "<" in between or "&" in between:  # a `<` or `&` no piece accounts for
            return None
        parts.append(between)
        position = match.end()
        name = match[2]
        if name is not None:
            name = name.lower()
            if name in _SIMPLE_BLOCKS:
                parts.append(" ")
            elif name not in _SIMPLE_INLINE:
                return None
            continue
        if match[5] is not None:
            character = html5.get(match[5] + ";")
        else:
            character = _code_point(int(match[3]) if match[3] is not None else int(match[4], 16))
        if character is None:
            return None
        parts.append(character)
    rest = html[position:]
    if "<" in rest or "&" in rest:
        return None
    parts.append(rest)
    return "".join(parts)
