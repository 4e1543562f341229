"""A Reddit-shaped HTTP server on 127.0.0.1, enough for the real praw client.

It serves the token endpoint (401 for credentials other than `credentials`),
`/r/NAME/new/` and `/r/NAME/search/` listings and `/r/NAME/comments/` (every
comment of the subreddit's posts, nested ones and those behind `more` included,
as `t1` things with the post's `link_id`, `link_title` and `over_18`), all
newest first with `after` pagination and `+` multireddits, `/api/info/` (posts by fullname), `/comments/ID/` with nested replies, a `more` stub and
"continue this thread" links (`/comments/ID/_/COMMENT`), `/api/morechildren/`,
a redirect for unknown subreddits, 403 for `private` and `quarantined` and 404
for `banned` ones (with Reddit's `reason`; `forbidden` ones answer 403 without
one, as a proxy might), extra `headers` on every answer (rate-limit headers), and canned
failures per path prefix (429 with Retry-After, 5xx) served before the real
answer. `Post.extra` and `Comment.extra` overwrite fields of the JSON (None is
sent as null), for the shapes real Reddit answers with.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from .local import LocalHTTPServer, QuietHandler, running

PAGE = 25  # items per listing page (Reddit's is 100; smaller pages exercise `after` with fewer posts)


@dataclass
class Post:
    id: str
    subreddit: str
    title: str
    created: float
    selftext: str = ""
    author: str | None = "someone"
    over_18: bool = False
    stickied: bool = False
    comments: list[Comment] = field(default_factory=list)
    more: list[Comment] = field(default_factory=list)  # only reachable through /api/morechildren/
    extra: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {**self._fields(), **self.extra}

    def _fields(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": f"t3_{self.id}", "title": self.title, "selftext": self.selftext,
            "author": self.author or "[deleted]", "created_utc": self.created, "subreddit": self.subreddit,
            "subreddit_name_prefixed": f"r/{self.subreddit}", "permalink": f"/r/{self.subreddit}/comments/{self.id}/x/",
            "url": f"https://www.reddit.com/r/{self.subreddit}/comments/{self.id}/x/", "over_18": self.over_18,
            "stickied": self.stickied, "num_comments": sum(1 for top in self.comments for _ in top.walk()) + len(self.more), "is_self": True,
        }


@dataclass
class Comment:
    id: str
    body: str
    created: float
    author: str | None = "replier"
    replies: list[Comment] = field(default_factory=list)
    continued: bool = False  # replies only behind a "continue this thread" link, as deep in a thread
    extra: dict[str, Any] = field(default_factory=dict)

    def data(self, post: Post, parent: str | None = None, depth: int = 0, expand: bool = False) -> dict[str, Any]:
        name = f"t1_{self.id}"
        if self.continued and not expand:
            replies: Any = _listing([{"kind": "more", "data": {
                "count": 0, "name": "t1__", "id": "_", "parent_id": name, "depth": depth + 1, "children": []}}], None)
        elif self.replies:
            replies = _listing([{"kind": "t1", "data": c.data(post, name, depth + 1)} for c in self.replies], None)
        else:
            replies = ""
        return {
            "id": self.id, "name": name, "body": self.body, "author": self.author or "[deleted]",
            "created_utc": self.created, "parent_id": parent or f"t3_{post.id}", "link_id": f"t3_{post.id}",
            "permalink": f"/r/{post.subreddit}/comments/{post.id}/x/{self.id}/", "replies": replies,
            "subreddit": post.subreddit, "stickied": False, "depth": depth, **self.extra,
        }

    def walk(self) -> Iterator[tuple[Comment, str | None, int]]:
        yield self, None, 0
        for reply in self.replies:
            for comment, parent, depth in reply.walk():
                yield comment, parent or f"t1_{self.id}", depth + 1


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    delay: float = 0.0  # seconds to stall before answering (a client timeout)


def _listing(children: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "before": None, "dist": len(children), "children": children}}


def _newest_first_page(things: list[tuple[str, str, float, dict[str, Any]]],
                       query: dict[str, list[str]]) -> dict[str, Any]:
    """One page of (kind, id, created, data) things, newest first, after the fullname in `after` (an unknown
    one: an empty page, as Reddit answers when the item it names was deleted)."""
    ordered = sorted(things, key=lambda thing: thing[2], reverse=True)
    names = [f"{kind}_{id_}" for kind, id_, _, _ in ordered]
    after = query.get("after", [None])[0]
    start = (names.index(after) + 1 if after in names else len(ordered)) if after else 0
    size = min(int(query.get("limit", [PAGE])[0]), PAGE)
    page = ordered[start : start + size]
    more = start + size < len(ordered)
    return _listing([{"kind": kind, "data": data} for kind, _, _, data in page],
                    names[start + len(page) - 1] if page and more else None)


class RedditServer(LocalHTTPServer):
    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.failures: dict[str, list[Failure]] = {}  # path prefix -> failures served first, in order
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.tokens_issued = 0
        self.credentials: tuple[str, str] | None = None  # (client id, secret) the token endpoint accepts; None: any
        self.private: set[str] = set()  # subreddits that answer 403
        self.banned: set[str] = set()  # subreddits that answer 404
        self.quarantined: set[str] = set()  # subreddits that answer 403, reason 'quarantined'
        self.forbidden: set[str] = set()  # subreddits that answer 403 with no reason (a proxy's refusal)
        self.headers: dict[str, str] = {}  # sent with every answer, e.g. x-ratelimit-remaining
        self.search_everywhere = False  # searches answer with every subreddit's posts, ignoring restrict_sr
        super().__init__(self._handler(), quiet_disconnects=True)  # clients hang up in tests

    def paths(self, prefix: str) -> list[str]:
        return [path for _, path, _ in self.requests if path.startswith(prefix)]

    # --- what the endpoints answer ----------------------------------------------------------------

    def _page(self, posts: list[Post], query: dict[str, list[str]]) -> dict[str, Any]:
        return _newest_first_page([("t3", p.id, p.created, p.data()) for p in posts], query)

    def _comments_page(self, posts: list[Post], query: dict[str, list[str]]) -> dict[str, Any]:
        """A subreddit's comments as /r/NAME/comments lists them: flat, each naming its post, no replies."""
        things = []
        for post in posts:
            link = {"link_title": post.title, "link_author": post.author or "[deleted]", "over_18": post.over_18,
                    "link_permalink": f"https://www.reddit.com/r/{post.subreddit}/comments/{post.id}/x/"}
            listed = [found for top in post.comments for found in top.walk()] + [(c, None, 0) for c in post.more]
            things += [("t1", c.id, c.created, {**link, **c.data(post, parent, depth), "replies": ""})
                       for c, parent, depth in listed]
        return _newest_first_page(things, query)

    def _refusal(self, names: str) -> tuple[int, dict[str, Any]] | None:
        """Reddit's answer when NAME or one of NAME+NAME is private, quarantined, banned or refused."""
        wanted = {n.lower() for n in names.split("+")}
        for status, reason, among in ((403, "private", self.private), (403, "quarantined", self.quarantined),
                                      (403, None, self.forbidden), (404, "banned", self.banned)):
            if wanted & {n.lower() for n in among}:
                message = "Forbidden" if status == 403 else "Not Found"
                return status, {"message": message, "error": status, **({"reason": reason} if reason else {})}
        return None

    def _subreddit_posts(self, names: str) -> list[Post] | None:
        """The posts of NAME or NAME+NAME; None when unknown."""
        wanted = {n.lower() for n in names.split("+")}
        if "all" in wanted:
            return list(self.posts)
        known = {p.subreddit.lower() for p in self.posts}
        if not wanted <= known:
            return None
        return [p for p in self.posts if p.subreddit.lower() in wanted]

    @staticmethod
    def _search_terms(q: str) -> list[str]:
        terms = q.replace('"', " ").replace("(", " ").replace(")", " ").split()
        return [t.lower() for t in terms if t not in ("AND", "OR", "NOT")]

    def answer_get(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3 and parts[0] == "r" and parts[2] in ("new", "search", "comments"):
            if refusal := self._refusal(parts[1]):
                return *refusal, {}
            posts = self._subreddit_posts(parts[1])
            if posts is None:
                return 302, "", {"Location": f"/subreddits/search?q={parts[1]}"}
            if parts[2] == "comments":
                return 200, self._comments_page(posts, query), {}
            if parts[2] == "search":
                q = query.get("q", [""])[0]
                if len(q) > 512:  # Reddit drops a longer q: a subreddit answers with all posts, r/all with none
                    return 200, self._page([] if parts[1].lower() == "all" else posts, query), {}
                terms = self._search_terms(q)
                pool = self.posts if self.search_everywhere else posts
                posts = [p for p in pool if any(t in f"{p.title} {p.selftext}".lower() for t in terms)]
            return 200, self._page(posts, query), {}
        if parts == ["api", "info"]:  # posts by fullname, as praw's reddit.info() asks: ?id=t3_a,t3_b
            wanted = query.get("id", [""])[0].split(",")
            return 200, _listing([{"kind": "t3", "data": p.data()} for p in self.posts if f"t3_{p.id}" in wanted],
                                 None), {}
        if len(parts) == 4 and parts[0] == "comments" and parts[2] == "_":  # "continue this thread"
            post = next((p for p in self.posts if p.id == parts[1]), None)
            found = [(c, parent, depth) for top in (post.comments if post else []) for c, parent, depth in top.walk()
                     if c.id == parts[3]]
            if post is None or not found:
                return 404, {"message": "Not Found", "error": 404}, {}
            comment, parent, depth = found[0]
            thread = comment.data(post, parent, depth, expand=True)
            return 200, [_listing([{"kind": "t3", "data": post.data()}], None),
                         _listing([{"kind": "t1", "data": thread}], None)], {}
        if len(parts) == 2 and parts[0] == "comments":
            post = next((p for p in self.posts if p.id == parts[1]), None)
            if post is None:
                return 404, {"message": "Not Found", "error": 404}, {}
            children = [{"kind": "t1", "data": c.data(post)} for c in post.comments]
            if post.more:
                children.append({"kind": "more", "data": {
                    "count": len(post.more), "name": "t1__", "id": "_", "parent_id": f"t3_{post.id}", "depth": 0,
                    "children": [c.id for c in post.more]}})
            return 200, [_listing([{"kind": "t3", "data": post.data()}], None), _listing(children, None)], {}
        return 404, {"message": "Not Found", "error": 404}, {}

    def answer_more(self, form: dict[str, list[str]]) -> dict[str, Any]:
        link = form["link_id"][0].removeprefix("t3_")
        wanted = set(form["children"][0].split(","))
        post = next(p for p in self.posts if p.id == link)
        things = [{"kind": "t1", "data": c.data(post)} for c in post.more if c.id in wanted]
        return {"json": {"errors": [], "data": {"things": things}}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(payload).encode() if payload != "" else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                for key, value in {**server.headers, **(headers or {})}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                # One request per connection: a client reusing a connection the server is closing would
                # see a network error the test did not ask for.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def _failure(self, path: str) -> bool:
                for prefix, queue in server.failures.items():
                    if path.startswith(prefix) and queue:
                        failure = queue.pop(0)
                        if failure.delay:
                            time.sleep(failure.delay)
                        if failure.status == 200:  # a stall, then the real answer
                            return False
                        extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                        self._send(failure.status, {"message": "failure", "error": failure.status}, extra)
                        return True
                return False

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                server.requests.append(("GET", url.path, query))
                if self._failure(url.path):
                    return
                if not self.headers.get("Authorization", "").startswith("bearer "):
                    return self._send(401, {"message": "Unauthorized", "error": 401})
                self._send(*server.answer_get(url.path, query))

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                server.requests.append(("POST", url.path, form))
                if self._failure(url.path):
                    return
                if url.path == "/api/v1/access_token":
                    expected = "Basic " + base64.b64encode(":".join(server.credentials).encode()).decode() \
                        if server.credentials else "Basic "
                    if not self.headers.get("Authorization", "").startswith(expected):
                        return self._send(401, {"message": "Unauthorized", "error": 401})
                    server.tokens_issued += 1
                    return self._send(200, {"access_token": f"token-{server.tokens_issued}", "token_type": "bearer",
                                            "expires_in": 3600, "scope": "*"})
                if url.path == "/api/morechildren/":
                    return self._send(200, server.answer_more(form))
                self._send(404, {"message": "Not Found", "error": 404})

        return Handler


@pytest.fixture
def reddit_server() -> Iterator[RedditServer]:
    with running(RedditServer()) as server:
        yield server
