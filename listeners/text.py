"""Plain text out of whatever a source hands us: HTML fragments, entities, ragged whitespace.

Feed summaries and review bodies arrive as HTML; the classifier and the brand
queries want words. selectolax's lexbor parser does the HTML5 parsing and
entity decoding; this module only decides where words must stay apart.
"""

from __future__ import annotations

import html
import re

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
    return _NOT_PLAIN.search(text) is None and "  " not in text and text[0] != " " and text[-1] != " "


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends (str.split: several times faster than a regex)."""
    if text and _already_plain(text):
        return text
    return " ".join(text.split())


# What is left after one pass when a source escaped its HTML twice ("&amp;lt;p&amp;gt;", some blog and review
# feeds): a closing tag, a <br> or <hr>, an <img ...>, an entity. Such text gets one more pass, never more.
_MARKUP_LEFT = re.compile(
    r"</(?:a|b|i|p|em|strong|span|div|li|ul|ol|h[1-6]|script|style|noscript|template|iframe|noembed|noframes|table|"
    r"tr|td|blockquote|pre|code)>|<(?:br|hr)\s*/?>|<img\s[^<>]*>|"
    r"&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)


# A real tag. HTML escaped twice has none (every "<" of it arrives as "&lt;"); HTML that has one was escaped
# once, and the "&lt;script&gt;" in its text is what its author typed: a second pass deleted it from a forum
# post ("set my device name to <script>alert('x')</script> as a joke" lost the words it is about).
_TAG = re.compile(r"<[A-Za-z/!]")


def html_to_text(html: str | None) -> str:
    """The readable text of an HTML fragment: scripts, styles and iframes dropped, entities decoded, whitespace collapsed.

    Control characters and lone surrogates are removed; HTML escaped twice (no real tag, markup in its
    text) is unescaped twice.
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
    if _MARKUP_LEFT.search(text) and not _TAG.search(html):
        return _parsed_text(text)
    return text


# Nesting deeper than this is no markup a person wrote; Chrome's HTML parser stops nesting there too (deeper
# elements become siblings). lexbor walks its open elements at every block tag (a <div>, <section> or <ul>),
# so parsing took time quadratic in the depth: 100,000 nested <div>s, 34 s for one feed entry. Up to this
# depth the walk is short (200,000 tags nested 512 deep: 0.15 s).
MAX_DEPTH = 512
# Tags that open no level: void elements, and those a sibling closes (lexbor nests 10,000 unclosed <p>s in no time)
_LEVELLESS = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option"))
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_HIDDEN = ("script", "style", "noscript", "template", "iframe", "noembed", "noframes")  # text a browser never shows
# Any tag but those of `_HIDDEN` (kept, so the parser still drops what they hold). `[^<>]*`, not `[^>]*`: a match
# attempt stops at the next "<", so a body of a million "<" is one pass, not a million.
_FLATTENED_TAG = re.compile(rf"<(?!/?(?:{'|'.join(_HIDDEN)})[\s/>])[A-Za-z/!?][^<>]*>", re.IGNORECASE)


def _too_deep(html: str) -> bool:
    """Whether `html` nests elements over `MAX_DEPTH` deep, counting opening tags less closing ones.

    A fragment with fewer tags than that cannot, and is not scanned (nearly every one).
    """
    if html.count("<") <= MAX_DEPTH:
        return False
    depth = 0
    for tag in _TAG_START.finditer(html):
        closing, name = tag.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif name.lower() not in _LEVELLESS:
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def _parsed_text(html: str) -> str:
    marked = _BLOCK_TAG.sub(" <", html)
    if _too_deep(html):  # parsed without its tags (`_HIDDEN`'s kept): words stay apart by the marks, entities decode
        marked = _FLATTENED_TAG.sub("", marked)
    tree = LexborHTMLParser(marked)
    # iframe, noembed and noframes hold fallback markup a browser never shows, as raw text: kept, a feed's
    # "<iframe>Your browser does not support iframes</iframe>" became words of the post.
    tree.strip_tags(list(_HIDDEN))
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    return collapse_whitespace(_UNWANTED.sub("", root.text(separator="")))  # again: "&#7;" decodes to one


# Markup that shows a value declared plain text (Atom's type="text", feedparser's text/plain: an RSS or Atom title,
# an App Store review) holds HTML after all, mislabelled: a closing tag, a <br>, a link or an image. Not a
# <script>, which in plain text is what someone typed ("named my account <script>alert(1)</script>").
_MISLABELLED_HTML = re.compile(
    r"</(?:a|b|i|u|p|em|strong|span|div|li|ul|ol|h[1-6]|table|tr|td|blockquote|pre|code)>|"
    r"<(?:br|hr)\s*/?>|<(?:a|img)\s[^<>]*>",
    re.IGNORECASE,
)


def plain_to_text(value: str | None) -> str:
    """The text of a value declared plain text: its `<` is a character ("<sigh>", "I <3 it", "rating < 3").

    Read as HTML, "<sigh>" and "<b>" vanished as unknown tags. Entities are still decoded once (Reddit's
    Atom titles hold `&quot;`, some RSS titles `&amp;amp;`), and a value holding real markup (a closing
    tag, a <br>, a link) is HTML mislabelled, read by `html_to_text`.
    """
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return html_to_text(value)  # the same plain-text shortcut
    if _MISLABELLED_HTML.search(value):
        return html_to_text(value)
    return collapse_whitespace(clean_text(html.unescape(value)))
