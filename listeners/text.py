"""Plain text out of whatever a source hands us: HTML fragments, entities, ragged whitespace.

Feed summaries and review bodies arrive as HTML; the classifier and the brand
queries want words. selectolax's lexbor parser does the HTML5 parsing and
entity decoding; this module only decides where words must stay apart.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_MARKUP = re.compile(r"[<&]")
# Elements that end a line when rendered: their text must not run into the next word.
_BLOCKS = (
    "address,article,aside,blockquote,br,dd,div,dl,dt,figcaption,figure,footer,h1,h2,h3,h4,h5,h6,"
    "header,hr,li,main,nav,ol,p,pre,section,table,td,th,tr,ul"
)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends (str.split: several times faster than a regex)."""
    return " ".join(text.split())


def html_to_text(html: str | None) -> str:
    """The readable text of an HTML fragment: scripts and styles dropped, entities decoded, whitespace collapsed.

    Text without `<` or `&` is not HTML, so it skips the parser (most social
    posts), which keeps ingest fast.
    """
    if not html:
        return ""
    if not _MARKUP.search(html):
        return collapse_whitespace(html)
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript", "template"])
    for node in tree.css(_BLOCKS):
        node.insert_before(" ")
        node.insert_after(" ")
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    return collapse_whitespace(root.text(separator=""))
