"""A text starting with a number and ')' opens no ordered list in the Markdown digest."""

from __future__ import annotations

import markdown
from markdown_it import MarkdownIt

from journeywatch.reports import md_escape


def test_a_number_and_a_closing_bracket_open_no_list() -> None:
    # CommonMark reads '1)' at a list item's start as an ordered list marker, as it reads '1.':
    # '- 1) the grinder broke' rendered a list inside the list.
    for text in ("1)", "12) the grinder broke", "3. refund"):
        line = "- " + md_escape(text)
        for page in (markdown.markdown(line), MarkdownIt("commonmark").render(line)):
            assert "<ol" not in page and text in page, page
