"""Plain text out of whatever a source hands us: HTML fragments, entities, ragged whitespace.

Feed summaries and review bodies arrive as HTML; the classifier and the brand
queries want words. selectolax's lexbor parser does the HTML5 parsing and
entity decoding; this module only decides where words must stay apart.
"""

from __future__ import annotations

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


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends (str.split: several times faster than a regex)."""
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
    html = _UNWANTED.sub("", html)
    if "<" not in html and "&" not in html:
        return " ".join(html.split())  # collapse_whitespace, inlined: this is most texts
    text = _parsed_text(html)
    return _parsed_text(text) if _MARKUP_LEFT.search(text) else text


def _parsed_text(html: str) -> str:
    tree = LexborHTMLParser(_BLOCK_TAG.sub(" <", html))
    tree.strip_tags(["script", "style", "noscript", "template"])
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    return collapse_whitespace(_UNWANTED.sub("", root.text(separator="")))  # again: "&#7;" decodes to one
