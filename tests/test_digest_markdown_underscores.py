"""Markdown for chat: an underscore inside a word is written as typed, not 'ultimate\\_moment'.

md_escape backslash-escaped every '_', though a run of them between two letters or digits opens and closes
no emphasis (CommonMark's flanking rules, Python-Markdown's smart emphasis). Chat clients that show
backslashes as typed read the digest's own 'Not on this map: ultimate\\_moment', and every quoted
'snake_case' or '@jane_doe'.
"""

from __future__ import annotations

import markdown
import pytest
from markdown_it import MarkdownIt

from journeywatch.reports import md_escape


@pytest.mark.parametrize("text", ["Not on this map: ultimate_moment (3 items)", "ping @jane_doe about it",
                                  "my_file__v2.txt", "café_crème", "ticket_2026_11"])
def test_an_underscore_inside_a_word_is_written_as_typed(text: str) -> None:
    assert md_escape(text) == text


@pytest.mark.parametrize(("text", "escaped"), [("_so_ bad", "\\_so\\_ bad"), ("__bold__", "\\_\\_bold\\_\\_"),
                                               ("a _b", "a \\_b"), ("b_ a", "b\\_ a"), ("x*_y", "x\\*\\_y"),
                                               ("_", "\\_")])
def test_where_an_underscore_could_make_emphasis_it_is_still_escaped(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


@pytest.mark.parametrize("text", ["ultimate_moment and _so_ bad", "__init__ of my_mod", "a_b_c _d_ e__f__g"])
def test_the_text_shows_as_typed(text: str) -> None:
    for html in (markdown.markdown(md_escape(text)), MarkdownIt("commonmark").render(md_escape(text))):
        assert html.replace("<p>", "").replace("</p>", "").strip() == text, html
