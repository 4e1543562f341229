"""A Reddit post stored while it named the brand, then edited by its author, takes its new words when read again.

Its thread read again (its comment count grew), the post came back edited ("It leaks" -> "EDIT: it stopped
working on day 2"), but only its comments were stored: the row kept its first text and classification for
ever, and a post edited so that it no longer named the brand stayed in that brand's counts, unlike an edited
feed entry or export row (README: "an item read again with another title or text ... from any source").
"""

from __future__ import annotations

from journeywatch.storage import open_database
from tests.servers.reddit import Comment, RedditServer, reddit_server  # noqa: F401
from tests.test_fix4_reddit_deleted_later import T0, _classify_all, _row, thread  # noqa: F401
from tests.test_fix5_reddit_withdrawn_summary import _collect


def test_a_post_edited_after_it_was_stored_takes_its_new_text(thread: RedditServer, database_url: str) -> None:
    engine = open_database(database_url)
    _collect(engine, thread)
    _classify_all(engine)
    post = thread.posts[0]
    post.selftext = "EDIT: it stopped working on day 2, acme support never answered"
    post.comments.append(Comment("c2", "Mine too", T0 + 120))  # the thread grows: read again

    again = _collect(engine, thread)

    row = _row(engine, "t3_p1")
    assert row["text"] == "EDIT: it stopped working on day 2, acme support never answered"
    assert (row["links"], row["classified"]) == (1, 0)  # still Acme's, to be classified again
    assert (again.new, again.edited, again.unmatched) == (1, 1, 0)


def test_a_post_edited_to_name_no_brand_leaves_the_brand(thread: RedditServer, database_url: str) -> None:
    engine = open_database(database_url)
    _collect(engine, thread)
    post = thread.posts[0]
    post.title, post.selftext = "Kettle", "Sorry, wrong brand: it is a Globex"
    post.comments.append(Comment("c2", "Acme or not, mine leaks too", T0 + 120))

    again = _collect(engine, thread)

    row = _row(engine, "t3_p1")
    assert (row["title"], row["text"], row["links"]) == ("Kettle", "Sorry, wrong brand: it is a Globex", 0)
    assert again.edited == 1
