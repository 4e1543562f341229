"""The Markdown digest in a chat client that shows entities as typed (Discord, Slack): no '&amp;' or '&#124;'
where escaping is not needed, and still no markup from a post."""

from __future__ import annotations

from datetime import timedelta

import markdown
from markdown_it import MarkdownIt

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import build_digest, md_escape, parse_week, render_markdown
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import WEEK, WEEK_START

BRAND = "Hearth & Co"


def test_a_brand_with_an_ampersand_and_a_post_with_pipes_read_as_written(sqlite_url: str) -> None:
    # Discord showed '# Hearth &amp; Co: customer-journey digest' and a quote 'fees &#124; hidden &#124; avoid'.
    engine = open_database(sqlite_url)
    texts = ["Hearth & Co | fees | hidden | avoid", "Hearth & Co wrote &lt;b&gt; in my order note"]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START + timedelta(hours=2 + n)) for n, text in enumerate(texts)])
    save_predictions(engine, "v", [(n + 1, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))
                                   for n in range(len(texts))])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": '"hearth & co"'}]})
    source = render_markdown(build_digest(engine, config, BRAND, parse_week(WEEK)))
    assert source.startswith("# Hearth & Co: customer-journey digest")
    assert "> “Hearth & Co | fees | hidden | avoid”" in source
    pages = (markdown.markdown(source, extensions=["tables"]), MarkdownIt("commonmark").enable("table").render(source))
    for page in pages:
        assert page.count("<table>") == 3  # the map, the trend, the terms: a post's pipes made none
        assert "&amp;lt;b&amp;gt;" in page  # an entity a post typed shows as typed


def test_md_escape_keeps_a_table_cells_pipe_escaped() -> None:
    assert md_escape("a | b") == "a &#124; b" and md_escape("a | b", table=False) == "a | b"
    assert md_escape("AT&T & Co &amp;") == "AT&T & Co &amp;amp;"


def test_a_greater_than_sign_is_written_as_itself_where_it_cannot_quote() -> None:
    # The alerts line read '(&gt;1000×)' in chat; only a line that starts with '>' is a quote.
    assert md_escape("12 items (>1000×)") == "12 items (>1000×)"
    assert md_escape("> not a quote") == "\\> not a quote"
    assert md_escape("<script>x</script>") == "&lt;script>x&lt;/script>"
    for source in ("- " + md_escape("> a <b>bold</b> -> c"), md_escape("> a")):
        for page in (markdown.markdown(source), MarkdownIt("commonmark").render(source)):
            assert "<blockquote>" not in page and "<b>" not in page
