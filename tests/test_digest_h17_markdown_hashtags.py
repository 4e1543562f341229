"""Markdown for chat: a hashtag, an exclamation mark or a zone's '+14' is written as typed, not '\\#dinnersorted'.

md_escape backslash-escaped '#', '+' and '!' wherever they stood, though mid-line none of them makes markup
('!' opens an image only before '[', which is escaped; '#' and '+' only at the start of a line, and '#' in
a heading's closing run). Chat clients that show backslashes as typed read every quoted hashtag as
'\\#dinnersorted' and a Kiritimati digest's alert as 'Thu 19 Nov 04:00 \\+14'.
"""

from __future__ import annotations

import markdown
import pytest
from markdown_it import MarkdownIt

from journeywatch.reports import md_escape


@pytest.mark.parametrize("text", ["that's it i'm ordering #dinnersorted", "never again!", "Thu 19 Nov 04:00 +14",
                                  "5 + 5 stars!!! #1"])
def test_mid_line_hash_plus_and_bang_are_written_as_typed(text: str) -> None:
    assert md_escape(text) == text


@pytest.mark.parametrize(("text", "escaped"), [("#1 fan of acme", "\\#1 fan of acme"),
                                               ("+1 for acme", "\\+1 for acme"),
                                               ("I write C#", "I write C\\#"),
                                               ("##", "\\#\\#"),
                                               ("![x](http://e.org/i.png)", "!\\[x\\](http://e.org/i.png)")])
def test_where_they_would_make_markup_they_are_still_escaped(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


@pytest.mark.parametrize("text", ["C#", "#acme", "+1", "a #", "wow!"])
def test_a_heading_or_list_item_shows_the_text_itself(text: str) -> None:
    for source in (f"### {md_escape(text)}", md_escape(text)):
        for html in (markdown.markdown(source), MarkdownIt("commonmark").render(source)):
            shown = html.replace("<h3>", "").replace("</h3>", "").replace("<p>", "").replace("</p>", "").strip()
            assert shown == text, (source, html)
