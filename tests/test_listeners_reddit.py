"""The Reddit listener with the real praw client against a local Reddit-shaped server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions as mentions_table
from tests.servers.reddit import Comment, Failure, Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret", "REDDIT_USER_AGENT": "journeywatch-tests/1"}
T0 = 1_790_000_000.0
ACME = Brand(name="Acme", query='acme OR "acme corp"')


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _settings(server: RedditServer, **extra: object) -> RedditSource:
    values: dict[str, object] = {"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                 "oauth_url": server.base, "reddit_url": server.base, "backoff": 0.01}
    values.update(extra)
    return RedditSource.model_validate(values)


def _listener(server: RedditServer, sleeps: Sleeps | None = None, batch_size: int = 200,
              brands: list[Brand] | None = None, now: float | None = None, **extra: object) -> RedditListener:
    return RedditListener(_settings(server, **extra), [ACME] if brands is None else brands,
                          sleep=sleeps if sleeps is not None else Sleeps(), env=ENV, batch_size=batch_size,
                          **({"clock": lambda: now} if now is not None else {}))


@pytest.fixture
def kettles(reddit_server: RedditServer) -> Iterator[RedditServer]:
    """60 posts in r/kettles, every third about Acme; the newest has comments, one deleted, one behind 'more'."""
    for i in range(60):
        about = "Acme" if i % 3 == 2 else "tea"
        reddit_server.posts.append(Post(id=f"p{i}", subreddit="kettles", title=f"Post {i} about {about}",
                                        created=T0 + i * 60, selftext=f"body {i}"))
    newest = reddit_server.posts[-1]
    newest.comments = [Comment("c1", "Mine broke too", T0 + 4000), Comment("c2", "[deleted]", T0 + 4001, author=None)]
    newest.more = [Comment("c3", "Same here, third one", T0 + 4002)]
    reddit_server.posts[-4].over_18 = True
    reddit_server.posts[-7].stickied = True
    reddit_server.posts.append(Post(id="gone", subreddit="kettles", title="[deleted by user]", created=T0 + 3,
                                    selftext="[deleted]", author=None))
    yield reddit_server


def _mentions(listener: RedditListener, watermark: dict | None = None) -> list:
    return [m for b in listener.fetch(watermark) for m in b.mentions]


def test_first_run_reads_new_search_and_comments(kettles: RedditServer) -> None:
    mentions = _mentions(_listener(kettles))
    ids = [m.external_id for m in mentions]
    assert len(set(ids)) == len(ids)
    assert {i for i in ids if i.startswith("t3_")} == {f"t3_p{i}" for i in range(60)}
    assert {i for i in ids if i.startswith("t1_")} == {"t1_c1", "t1_c3"}  # c2 was deleted
    assert len(kettles.paths("/r/kettles/new")) == 3  # 61 posts in pages of 25
    assert kettles.paths("/api/morechildren")
    search_queries = [q["q"][0] for m, p, q in kettles.requests if p == "/r/kettles/search/"]
    assert search_queries and set(search_queries) == {ACME.query}
    by_id = {m.external_id: m for m in mentions}
    assert by_id["t1_c1"].parent_id == "t3_p59" and by_id["t1_c1"].brands == ["Acme"]
    assert by_id["t3_p56"].nsfw and by_id["t3_p53"].stickied and not by_id["t3_p59"].nsfw
    assert by_id["t3_p59"].url == f"{kettles.base}/r/kettles/comments/p59/x/"
    assert by_id["t3_p59"].created_at.timestamp() == T0 + 59 * 60


def test_matched_items_become_stored_rows_with_pseudonymous_authors(kettles: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([ACME])
    outcome = collect_source(engine, _listener(kettles), lambda ms: prepare_mentions(ms, matcher))
    assert outcome.new == 20 + 2  # the Acme posts and the two live comments of the newest
    with engine.connect() as connection:
        authors = set(connection.execute(select(mentions_table.c.author)).scalars())
    assert "someone" not in authors and "replier" not in authors


def test_second_run_asks_only_for_what_is_new(kettles: RedditServer) -> None:
    listener = _listener(kettles)
    mark = list(listener.fetch(None))[-1].watermark
    before = len(kettles.requests)
    kettles.posts.append(Post(id="fresh", subreddit="kettles", title="Acme again", created=T0 + 10_000))
    again = _mentions(listener, mark)
    assert [m.external_id for m in again] == ["t3_fresh"]
    listings = [p for _, p, _ in kettles.requests[before:] if p.startswith("/r/")]
    # one page each: the mark stops them
    assert sorted(listings) == ["/r/kettles/comments/", "/r/kettles/new", "/r/kettles/search/"]


def test_site_wide_search_without_subreddits(kettles: RedditServer) -> None:
    mentions = _mentions(_listener(kettles, subreddits=[], comments=False))
    assert {p for _, p, _ in kettles.requests if p.startswith("/r/")} == {"/r/all/search/"}
    assert len(mentions) == 20


def test_cut_off_run_resumes_without_gaps_or_duplicates(kettles: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([ACME])
    calls = []

    def prepare_then_break_the_server(batch: list) -> list:
        calls.append(len(batch))
        kettles.failures["/r/kettles/new"] = [Failure(503)] * 10  # the next page will not come
        return prepare_mentions(batch, matcher)

    listener = _listener(kettles, batch_size=10, retries=1, brands=[ACME])
    with pytest.raises(SourceError, match="HTTP 503"):
        collect_source(engine, listener, prepare_then_break_the_server)
    with engine.connect() as connection:
        stored_first = connection.execute(select(func.count()).select_from(mentions_table)).scalar_one()
    assert 0 < stored_first < 22 and calls
    state = get_watermark(engine, "reddit")["listings"]["new:kettles"]
    assert "created" not in state  # the listing's mark has not moved: its pass is unfinished
    cursor = state["pass"]["after"]
    kettles.failures.clear()
    before = len(kettles.requests)
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    listing_calls = [q for _, p, q in kettles.requests[before:] if p == "/r/kettles/new"]
    assert listing_calls[0]["after"] == [cursor]  # resumed after the last committed item, not from the top
    with engine.connect() as connection:
        ids = list(connection.execute(select(mentions_table.c.external_id)).scalars())
    assert len(ids) == len(set(ids)) == 22
    assert outcome.new == 22 - stored_first
    assert get_watermark(engine, "reddit")["listings"]["new:kettles"]["id"] == "t3_p59"


def test_rate_limit_and_a_server_error_are_retried(kettles: RedditServer) -> None:
    kettles.failures["/r/kettles/new"] = [Failure(429, retry_after="2"), Failure(500)]
    kettles.failures["/api/v1/access_token"] = [Failure(502)]
    sleeps = Sleeps()
    mentions = _mentions(_listener(kettles, sleeps, backoff=0.01, max_delay=5))
    assert len([m for m in mentions if m.external_id.startswith("t3_")]) == 60
    assert sleeps.count(2.0) == 1  # Retry-After honoured once; the other waits are the short backoff
    assert not any(kettles.failures.values()) and len(kettles.paths("/r/kettles/new")) == 3 + 2


def test_a_stalled_response_times_out_and_is_retried(kettles: RedditServer) -> None:
    kettles.failures["/r/kettles/new"] = [Failure(200, delay=1.5)]
    sleeps = Sleeps()
    mentions = _mentions(_listener(kettles, sleeps, timeout=0.5, comments=False, search=False))
    assert len(mentions) == 60 and len(sleeps) == 1


def test_retry_after_is_capped_and_persistent_failure_gives_up(kettles: RedditServer) -> None:
    kettles.failures["/r/kettles/new"] = [Failure(429, retry_after="600")] * 3
    sleeps = Sleeps()
    with pytest.raises(SourceError) as caught:
        _mentions(_listener(kettles, sleeps, retries=2, max_delay=4))
    assert sleeps == [4, 4] and "HTTP 429" in caught.value.reason and caught.value.retryable


def test_missing_credentials_name_the_variable(kettles: RedditServer) -> None:
    env = {k: v for k, v in ENV.items() if k != "REDDIT_CLIENT_SECRET"}
    listener = RedditListener(_settings(kettles), [ACME], env=env)
    with pytest.raises(SourceError, match="REDDIT_CLIENT_SECRET is not set") as caught:
        _mentions(listener)
    assert not caught.value.retryable and not kettles.requests


def test_unknown_subreddit_and_refused_connection_fail_with_reasons(kettles: RedditServer) -> None:
    with pytest.raises(SourceError, match="does not exist") as caught:
        _mentions(_listener(kettles, subreddits=["nosuchplace"]))
    assert not caught.value.retryable
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(SourceError, match=f"network error calling {dead} "):  # which server: a wrong URL shows
        _mentions(RedditListener(RedditSource(kind="reddit", name="r", subreddits=["x"], oauth_url=dead,
                                              reddit_url=dead, retries=1, backoff=0), [ACME], env=ENV))


def test_build_listener_passes_the_brands(kettles: RedditServer) -> None:
    listener = build_listener(_settings(kettles), brands=[ACME])
    assert isinstance(listener, RedditListener) and listener.brands == [ACME]


@pytest.mark.parametrize("cursor_vanishes", [False, True])
def test_resume_also_collects_posts_that_arrived_meanwhile(kettles: RedditServer, sqlite_url: str,
                                                         cursor_vanishes: bool) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([ACME])

    def break_after_first_batch(batch: list) -> list:
        kettles.failures["/r/kettles/new"] = [Failure(503)] * 10
        return prepare_mentions(batch, matcher)

    listener = _listener(kettles, batch_size=10, retries=0, search=False, comments=False)
    with pytest.raises(SourceError):
        collect_source(engine, listener, break_after_first_batch)
    kettles.failures.clear()
    cursor = get_watermark(engine, "reddit")["listings"]["new:kettles"]["pass"]["after"]
    if cursor_vanishes:  # the post the cursor names was deleted: Reddit answers an empty page after it
        kettles.posts = [p for p in kettles.posts if f"t3_{p.id}" != cursor]
    kettles.posts.append(Post(id="late", subreddit="kettles", title="Acme late", created=T0 + 99_999))
    collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    with engine.connect() as connection:
        ids = set(connection.execute(select(mentions_table.c.external_id)).scalars())
    expected = {f"t3_p{i}" for i in range(60) if i % 3 == 2 and f"t3_p{i}" != cursor} | {"t3_late"}
    assert expected <= ids and len(ids) == len(expected) + (cursor in ids)
    assert get_watermark(engine, "reddit")["listings"]["new:kettles"] == {"created": T0 + 99_999, "id": "t3_late"}


def test_rate_limit_headers_without_used_and_a_long_reset(kettles: RedditServer) -> None:
    """prawcore's limiter needs x-ratelimit-used and would sleep until a ten-minute reset, uncapped."""
    kettles.headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "600.0"}
    sleeps = Sleeps()
    started = time.monotonic()
    mentions = _mentions(_listener(kettles, sleeps, comments=False, search=False, max_delay=5))
    assert len(mentions) == 60 and time.monotonic() - started < 5
    assert set(sleeps) == {5}  # each wait capped at max_delay, through the source's sleep,
    assert len(sleeps) == len(kettles.requests) - 1  # and made before the next request, none after the last


def test_null_authors_and_subreddits_are_read(kettles: RedditServer) -> None:
    newest = kettles.posts[59]
    newest.extra = {"author": None, "selftext": None, "subreddit": None, "edited": T0 + 99.5}
    newest.comments[0].extra = {"author": None, "edited": False}
    by_id = {m.external_id: m for m in _mentions(_listener(kettles))}
    assert by_id["t3_p59"].author is None and by_id["t3_p59"].text == "Post 59 about Acme"
    assert by_id["t1_c1"].author is None and by_id["t1_c1"].text == "Mine broke too"


def test_removed_posts_are_not_stored_by_their_title(kettles: RedditServer) -> None:
    kettles.posts[58].extra = {"removed_by_category": "moderator", "selftext": "[removed]"}
    kettles.posts[57].extra = {"removed_by_category": "deleted", "selftext": "", "is_self": False}  # a link post
    kettles.posts[55].extra = {"selftext": "", "is_self": False, "url": "https://example.org/a"}  # a live link post
    batches = list(_listener(kettles, comments=False).fetch(None))
    by_id = {m.external_id: m for b in batches for m in b.mentions}
    assert "t3_p58" not in by_id and "t3_p57" not in by_id and by_id["t3_p55"].text == "Post 55 about tea"
    assert sum(b.skipped for b in batches) == 3  # with the fixture's deleted post


def test_a_thread_that_cannot_be_continued_keeps_the_comments_already_loaded(kettles: RedditServer) -> None:
    deep = Comment("c4", "deep reply", T0 + 4003, continued=True, replies=[Comment("c5", "deeper", T0 + 4004)])
    kettles.posts[59].comments[0].replies = [deep]
    kettles.failures["/comments/p59/_/"] = [Failure(404)]
    batches = list(_listener(kettles).fetch(None))
    ids = {m.external_id for b in batches for m in b.mentions}
    assert {"t1_c1", "t1_c3", "t1_c4"} <= ids and "t1_c5" not in ids
    assert [w for b in batches for w in b.warnings if w.startswith("comments of t3_p59: loading more failed")]
    assert sum(b.skipped for b in batches) == 2  # the deleted post and comment, not the link left unexpanded


def test_credentials_reddit_refuses_name_what_to_check(kettles: RedditServer) -> None:
    kettles.credentials = ("test-id", "another-secret")
    with pytest.raises(SourceError, match="refused the credentials.*REDDIT_CLIENT_SECRET") as caught:
        _mentions(_listener(kettles))
    assert not caught.value.retryable and ENV["REDDIT_CLIENT_SECRET"] not in str(caught.value)
    assert kettles.paths("/api/v1/access_token") and not kettles.paths("/r/")


def test_private_and_unknown_subreddits_are_named_and_the_others_still_read(kettles: RedditServer) -> None:
    kettles.private = {"secret"}
    listener = _listener(kettles, subreddits=["secret", "nosuchplace", "kettles"], comments=False)
    got = []
    with pytest.raises(SourceError) as caught:
        for batch in listener.fetch(None):
            got.extend(batch.mentions)
    reason = caught.value.reason
    assert "serve r/secret: private" in reason and "the search of" not in reason  # the others' search was made
    assert "r/nosuchplace: does not exist" in reason and "remove them" in reason and not caught.value.retryable
    assert {m.external_id for m in got} == {f"t3_p{i}" for i in range(60)}
    assert kettles.paths("/r/kettles/search/") and not kettles.paths("/r/secret+nosuchplace+kettles/search")


def test_search_results_from_other_subreddits_are_left_out(kettles: RedditServer) -> None:
    kettles.search_everywhere = True  # the server ignores restrict_sr
    kettles.posts.append(Post(id="elsewhere", subreddit="toasters", title="Acme toaster", created=T0 + 9_000))
    ids = {m.external_id for m in _mentions(_listener(kettles, subreddits=["Kettles"]))}
    assert "t3_elsewhere" not in ids and "t3_p59" in ids and "t1_c1" in ids
    assert not kettles.paths("/comments/elsewhere")


def test_items_without_a_name_or_a_time_do_not_stop_the_source(kettles: RedditServer) -> None:
    kettles.posts[59].extra = {"name": None}
    kettles.posts[59].comments[0].extra = {"name": None}
    kettles.posts[58].extra = {"created_utc": None}
    kettles.posts[59].more[0].extra = {"created_utc": None}
    batches = list(_listener(kettles).fetch(None))
    ids = {m.external_id for b in batches for m in b.mentions}
    assert {"t3_p59", "t1_c1", "t3_p57"} <= ids and "t3_p58" not in ids and "t1_c3" not in ids
    assert sum(b.skipped for b in batches) == 4  # with the fixture's deleted post and comment


def test_more_new_posts_than_the_limit_are_read_over_the_next_runs(kettles: RedditServer) -> None:
    listener = _listener(kettles, limit=10, comments=False, search=False)
    mark = list(listener.fetch(None))[-1].watermark  # a first run reads the newest `limit` posts only
    kettles.posts += [Post(id=f"n{i}", subreddit="kettles", title=f"new {i}", created=T0 + 10_000 + i)
                      for i in range(25)]
    runs = []
    for _ in range(4):
        batches = list(listener.fetch(mark))
        mark = batches[-1].watermark
        runs.append([m.external_id for b in batches for m in b.mentions])
    assert [len(ids) for ids in runs] == [10, 10, 5, 0]
    assert sorted(i for ids in runs for i in ids) == sorted(f"t3_n{i}" for i in range(25))
    assert mark["listings"]["new:kettles"] == {"created": T0 + 10_024, "id": "t3_n24"}


def test_text_removed_by_reddit_itself_is_not_stored(kettles: RedditServer) -> None:
    kettles.posts[59].comments[0].body = "[ Removed by Reddit ]"
    kettles.posts[58].selftext = "[ Removed by Reddit on account of violating the content policy. ]"
    ids = {m.external_id for m in _mentions(_listener(kettles))}
    assert "t1_c1" not in ids and "t3_p58" not in ids and {"t1_c3", "t3_p59"} <= ids


def test_short_replies_in_other_scripts_are_not_sent_to_the_english_classifier(kettles: RedditServer) -> None:
    """A reply in a brand's thread is kept whatever its language; a short one in Japanese or Russian is not English."""
    kettles.posts[59].comments += [Comment("c6", "\u3053\u306e\u30b1\u30c8\u30eb\u58ca\u308c\u305f", T0 + 4005),
                                   Comment("c7", "\u041e\u0442\u0441\u0442\u043e\u0439", T0 + 4006),
                                   Comment("c8", "\U0001f525\U0001f525\U0001f525", T0 + 4007),
                                   Comment("c9", "great kettle", T0 + 4008)]
    kept = prepare_mentions(_mentions(_listener(kettles)), BrandMatcher([ACME]))
    by_id = {m.external_id: (m.lang, m.lang_supported) for m in kept}
    assert by_id["t1_c6"] == ("ja", False)  # "このケトル壊れた": 8 characters, a whole sentence
    assert by_id["t1_c7"] == ("ru", False)
    assert by_id["t1_c8"] == by_id["t1_c9"] == (None, True)  # emoji only, or too short to tell: kept for the classifier


def test_replies_to_matched_posts_are_collected_by_later_runs(kettles: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([ACME])

    def run(now: float) -> int:
        return collect_source(engine, _listener(kettles, now=now), lambda ms: prepare_mentions(ms, matcher)).new

    assert run(T0 + 86400) == 20 + 2
    kettles.posts[59].comments.append(Comment("c6", "They sent a new one", T0 + 90000))
    kettles.posts[59].comments[0].replies = [Comment("c7", "lucky you", T0 + 90001)]
    kettles.posts[56].comments = [Comment("c8", "mine too", T0 + 90002)]  # another Acme post
    kettles.posts[55].comments = [Comment("c9", "tea is fine", T0 + 90003)]  # a post about tea: not read
    assert run(T0 + 2 * 86400) == 3
    trees = len(kettles.paths("/comments/"))
    assert run(T0 + 2 * 86400) == 0
    assert len(kettles.paths("/comments/")) == trees  # no thread has new comments: one /api/info, no tree read
    kettles.posts[59].comments[0].replies[0].replies = [Comment("c7b", "same here", T0 + 90004)]
    assert run(T0 + 2 * 86400) == 1
    assert kettles.paths("/comments/")[trees:] == ["/comments/p59/"]  # only the thread that grew
    with engine.connect() as connection:
        rows = dict(connection.execute(select(mentions_table.c.external_id, mentions_table.c.parent_id)).all())
    assert {rows["t1_c6"], rows["t1_c7"], rows["t1_c8"]} == {"t3_p59", "t3_p56"} and "t1_c9" not in rows
    before = len(kettles.paths("/comments/"))
    stored = collect_source(engine, _listener(kettles, now=T0 + 2 * 86400, comments=False), lambda ms: ms)
    assert stored.new == 0 and len(kettles.paths("/comments/")) == before  # comments turned off: not revisited
    kettles.posts[59].comments.append(Comment("c10", "a week later", T0 + 7 * 86400))
    before = len(kettles.paths("/comments/"))
    assert run(T0 + 7 * 86400) == 0  # threads older than THREAD_DAYS are left alone
    assert len(kettles.paths("/comments/")) == before


def test_a_query_too_long_for_reddits_search_is_not_searched_and_says_so(kettles: RedditServer) -> None:
    """Reddit drops a search query over 512 characters: the subreddit's every post, or site-wide nothing, came back."""
    many = Brand(name="Many", query=" OR ".join(f"brand{i}" for i in range(200)))
    batches = list(_listener(kettles, brands=[ACME, many]).fetch(None))
    searched = [q["q"][0] for m, p, q in kettles.requests if p == "/r/kettles/search/"]
    assert searched and set(searched) == {ACME.query}
    warnings = [w for b in batches for w in b.warnings]
    assert [w for w in warnings if w.startswith("brand 'Many': its query is 2286 characters and Reddit searches at "
                                                "most 512, so it is not searched; only the listed subreddits'")]
    site_wide = list(_listener(kettles, brands=[many], subreddits=[]).fetch(None))
    assert not kettles.paths("/r/all/search") and not [m for b in site_wide for m in b.mentions]
    assert "nothing is read for it, as no subreddits are listed" in " ".join(w for b in site_wide for w in b.warnings)


def test_markdown_entities_are_decoded_and_unstorable_characters_removed(kettles: RedditServer,
                                                                          sqlite_url: str) -> None:
    """Reddit's editor writes '&#x200B;' for a blank paragraph; a NUL or a lone surrogate cannot be stored."""
    kettles.posts[59].selftext = "Acme kettle\n\n&#x200B;\n\nTea &amp; biscuits &lt;3 &notanentity; AT&T"
    kettles.posts[59].comments[0].body = "Mine broke\u0000 too \ud83d"
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([ACME])
    assert collect_source(engine, _listener(kettles), lambda ms: prepare_mentions(ms, matcher)).new == 22
    with engine.connect() as connection:
        texts = dict(connection.execute(select(mentions_table.c.external_id, mentions_table.c.text)).all())
    assert texts["t3_p59"] == "Acme kettle Tea & biscuits <3 &notanentity; AT&T"
    assert texts["t1_c1"] == "Mine broke too"


@pytest.mark.parametrize("written", ["r/kettles", "/r/kettles/", "https://www.reddit.com/r/kettles/new/"])
def test_subreddits_written_as_on_reddit_are_read(kettles: RedditServer, written: str) -> None:
    ids = {m.external_id for m in _mentions(_listener(kettles, subreddits=[written], comments=False))}
    assert {f"t3_p{i}" for i in range(60)} <= ids
    assert set(kettles.paths("/r/")) == {"/r/kettles/new", "/r/kettles/search/"}


def test_automoderator_comments_are_not_mentions(kettles: RedditServer) -> None:
    rules = Comment("c0", "Thanks for posting to r/kettles! Please read the rules. *I am a bot.*", T0 + 3999,
                    author="AutoModerator", extra={"stickied": True, "distinguished": "moderator"})
    kettles.posts[59].comments.insert(0, rules)
    batches = list(_listener(kettles).fetch(None))
    ids = {m.external_id for b in batches for m in b.mentions}
    assert "t1_c0" not in ids and {"t1_c1", "t1_c3"} <= ids
    assert sum(b.skipped for b in batches) == 2  # the deleted post and comment; the bot is no deleted item


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_rate_limit_headers_that_are_not_numbers_are_ignored(kettles: RedditServer, value: str) -> None:
    kettles.headers = {"x-ratelimit-remaining": value, "x-ratelimit-used": "1", "x-ratelimit-reset": value}
    sleeps = Sleeps()
    assert len(_mentions(_listener(kettles, sleeps, comments=False, search=False))) == 60
    assert not sleeps


def test_gallery_captions_are_part_of_the_posts_text(kettles: RedditServer) -> None:
    kettles.posts.append(Post(id="g1", subreddit="kettles", title="My new kitchen", created=T0 + 9000, selftext=""))
    kettles.posts[-1].extra = {"is_gallery": True, "is_self": False, "url": "https://www.reddit.com/gallery/g1",
                               "gallery_data": {"items": [{"media_id": "a", "id": 1, "caption": "the Acme kettle"},
                                                          {"media_id": "b", "id": 2}, {"media_id": "c", "id": 3,
                                                                                       "caption": "  "}]}}
    kettles.posts[58].extra = {"gallery_data": None}  # a removed gallery's
    kept = prepare_mentions(_mentions(_listener(kettles, comments=False)), BrandMatcher([ACME]))
    by_id = {m.external_id: m for m in kept}
    assert by_id["t3_g1"].text == "the Acme kettle" and by_id["t3_g1"].brands == ["Acme"]
