"""An entry's HTML nested absurdly deep is still read, its words the same as at a sane depth.

lexbor's parse time grows with the square of the nesting depth of block elements: one feed entry of
100,000 nested <div>s took 34 s to turn into text. Markup over `MAX_DEPTH` deep is read without its tags.
"""

from __future__ import annotations

from html import escape

from journeywatch.listeners.feeds import FeedListener
from journeywatch.listeners.text import MAX_DEPTH, html_to_text
from journeywatch.settings import FeedSource
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

CONTENT = ("<p>Acme&amp;Co <b>lost</b> my bag</p><script>track('<div>')</script><style>p {color: red}</style>"
           "<ul><li>twice<li>no refund</ul><div>Avoid &lt;them&gt;</div>")
WORDS = "Acme&Co lost my bag twice no refund Avoid <them>"


def _nested(depth: int, inner: str, tag: str = "div") -> str:
    return f"<{tag} class='x'>" * depth + inner + f"</{tag}>" * depth


def test_the_words_of_markup_nested_past_the_bound_are_those_of_sane_markup() -> None:
    assert html_to_text(_nested(10, CONTENT)) == WORDS
    assert html_to_text(_nested(MAX_DEPTH + 1, CONTENT)) == WORDS
    assert html_to_text(_nested(MAX_DEPTH + 1, CONTENT, "section") + CONTENT) == f"{WORDS} {WORDS}"


def test_unclosed_and_void_tags_in_a_long_entry_are_no_depth() -> None:
    """A long review written with <p> and <br> and never a closing tag is parsed as it always was."""
    long = "".join(f"<p>point {i}<br>more <img src='x{i}.png'>" for i in range(3 * MAX_DEPTH))
    text = html_to_text(long)
    assert text.startswith("point 0 more point 1 more") and text.endswith(f"point {3 * MAX_DEPTH - 1} more")


def test_html_escaped_twice_and_nested_deep_is_read() -> None:
    assert html_to_text(escape(_nested(20_000, "deep words"))) == "deep words"


def test_a_feed_entry_of_100000_nested_divs_is_read(feed_server: FeedServer) -> None:  # noqa: F811
    description = escape(_nested(100_000, "Acme lost my bag"))
    feed_server.routes["/deep"] = Route(
        ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><guid>deep-1</guid>"
         f"<title>Deep</title><description>{description}</description></item></channel></rss>").encode())
    source = FeedSource(kind="feed", name="deep", url=feed_server.url("/deep"), source_kind="review")
    [batch] = FeedListener(source, sleep=lambda _: None).fetch(None)
    assert [mention.text for mention in batch.mentions] == ["Acme lost my bag"]
