"""A Reddit item stored while live, then deleted or removed, counts once in the run summary: as `withdrawn`.

Its thread read again, the item comes as a stand-in that blanks its row (test_fix4_reddit_deleted_later). The
summary counted that one item three times: fetched (read from Reddit), unmatched (it names no brand now) and
edited (its stored text was replaced), beside a comment that was new; a data engineer read "2 fetched, 1
unmatched, 1 edited" as a third item, or a comment edited and one off-topic. What is stored does not change.
"""

from __future__ import annotations

import pytest

from journeywatch.cli.core import print_summary
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.storage import open_database
from tests.servers.reddit import Comment, RedditServer, reddit_server  # noqa: F401
from tests.test_fix4_reddit_deleted_later import ACME, _listener, _row, thread  # noqa: F401


def _collect(engine, server: RedditServer):  # type: ignore[no-untyped-def]
    matcher = BrandMatcher([ACME])
    return collect_source(engine, _listener(server), lambda batch: prepare_mentions(batch, matcher),
                          brands=[ACME.name])


def _figures(outcome) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {k: getattr(outcome, k) for k in ("fetched", "new", "seen", "edited", "skipped", "unmatched",
                                             "withdrawn")}


@pytest.mark.parametrize("stand_in", ["[deleted]", "[removed]"])
def test_a_comment_deleted_after_it_was_stored_counts_once_as_withdrawn(
        thread: RedditServer, database_url: str, stand_in: str) -> None:  # noqa: F811
    engine = open_database(database_url)
    first = _collect(engine, thread)
    assert (first.fetched, first.new, first.withdrawn) == (2, 2, 0)
    post = thread.posts[0]
    post.comments[0].body, post.comments[0].author = stand_in, None
    post.comments.append(Comment("c2", "Acme replaced mine", thread.posts[0].created + 120))  # the thread grows

    again = _collect(engine, thread)

    assert _figures(again) == {"fetched": 2, "new": 1, "seen": 1, "edited": 0, "skipped": 0, "unmatched": 0,
                               "withdrawn": 1}  # seen: the post, read again with its thread, as it was
    row = _row(engine, "t1_c1")  # stored as before this change: blanked, unlinked, kept
    assert (row["text"], row["title"], row["author"], row["links"], row["lang_supported"]) == ("", None, None, 0,
                                                                                              False)


def test_a_stand_in_that_blanks_nothing_is_not_counted(thread: RedditServer, sqlite_url: str) -> None:  # noqa: F811
    """A comment deleted before any run stored it, then its thread read again: nothing stored, nothing to count
    (it was counted as skipped when its thread was first read with it deleted, or never existed here)."""
    engine = open_database(sqlite_url)
    _collect(engine, thread)
    post = thread.posts[0]
    post.comments.append(Comment("c2", "[deleted]", post.created + 120, author=None))
    again = _collect(engine, thread)
    assert _figures(again) == {"fetched": 2, "new": 0, "seen": 2, "edited": 0, "skipped": 0, "unmatched": 0,
                               "withdrawn": 0}  # c1 and the post, read again as they were


def test_the_sources_table_names_withdrawn_items(capsys: pytest.CaptureFixture[str]) -> None:
    source = {"source": "reddit", "status": "ok", "fetched": 1, "new": 1, "seen": 0, "edited": 0, "skipped": 0,
              "unmatched": 0, "withdrawn": 1, "error": None, "warnings": []}
    print_summary({"brands": {}, "sources": [source], "classification": {"classified": 1},
                   "alerts": {"fired": [], "notes": []}})
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "fetched" in line)
    row = next(line for line in out.splitlines() if "reddit" in line and " ok " in line)
    cells = dict(zip(header.replace("┃", " ").split(), row.replace("│", " ").split()))
    assert (cells["fetched"], cells["unmatched"], cells["edited"], cells["withdrawn"]) == ("1", "0", "0", "1"), out
    assert "Classified 1 new mention" in out


def test_a_run_with_nothing_withdrawn_keeps_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The column shows when a source withdrew something: at 80 columns the usual table stays as wide as it was."""
    source = {"source": "reviews", "status": "ok", "fetched": 3, "new": 3, "seen": 0, "edited": 0, "skipped": 0,
              "unmatched": 0, "error": None, "warnings": []}  # a summary stored before `withdrawn` was counted
    print_summary({"brands": {}, "sources": [source], "classification": {"classified": 3},
                   "alerts": {"fired": [], "notes": []}})
    assert "withdrawn" not in capsys.readouterr().out
