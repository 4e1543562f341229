"""A Reddit-shaped HTTP server on 127.0.0.1, enough for the real praw client.

It serves the token endpoint, `/r/NAME/new/` and `/r/NAME/search/` listings
(`after` pagination, `+` multireddits), `/comments/ID/` with a `more` stub,
`/api/morechildren/`, a redirect for unknown subreddits, and canned failures
per path prefix (429 with Retry-After, 5xx) served before the real answer.
"""

from __future__ import annotations

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

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": f"t3_{self.id}", "title": self.title, "selftext": self.selftext,
            "author": self.author or "[deleted]", "created_utc": self.created, "subreddit": self.subreddit,
            "subreddit_name_prefixed": f"r/{self.subreddit}", "permalink": f"/r/{self.subreddit}/comments/{self.id}/x/",
            "url": f"https://www.reddit.com/r/{self.subreddit}/comments/{self.id}/x/", "over_18": self.over_18,
            "stickied": self.stickied, "num_comments": len(self.comments) + len(self.more), "is_self": True,
        }


@dataclass
class Comment:
    id: str
    body: str
    created: float
    author: str | None = "replier"

    def data(self, post: Post) -> dict[str, Any]:
        return {
            "id": self.id, "name": f"t1_{self.id}", "body": self.body, "author": self.author or "[deleted]",
            "created_utc": self.created, "parent_id": f"t3_{post.id}", "link_id": f"t3_{post.id}",
            "permalink": f"/r/{post.subreddit}/comments/{post.id}/x/{self.id}/", "replies": "",
            "subreddit": post.subreddit, "stickied": False, "depth": 0,
        }


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    delay: float = 0.0  # seconds to stall before answering (a client timeout)


def _listing(children: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "before": None, "dist": len(children), "children": children}}


class RedditServer(LocalHTTPServer):
    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.failures: dict[str, list[Failure]] = {}  # path prefix -> failures served first, in order
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.tokens_issued = 0
        super().__init__(self._handler(), quiet_disconnects=True)  # clients hang up in tests

    def paths(self, prefix: str) -> list[str]:
        return [path for _, path, _ in self.requests if path.startswith(prefix)]

    # --- what the endpoints answer ----------------------------------------------------------------

    def _page(self, posts: list[Post], query: dict[str, list[str]]) -> dict[str, Any]:
        ordered = sorted(posts, key=lambda p: p.created, reverse=True)
        after = query.get("after", [None])[0]
        start = 0
        if after:
            names = [f"t3_{p.id}" for p in ordered]
            start = names.index(after) + 1 if after in names else len(ordered)
        size = min(int(query.get("limit", [PAGE])[0]), PAGE)
        page = ordered[start : start + size]
        more = start + size < len(ordered)
        return _listing([{"kind": "t3", "data": p.data()} for p in page], f"t3_{page[-1].id}" if page and more else None)

    def _subreddit_posts(self, names: str) -> list[Post] | None:
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
        if len(parts) == 3 and parts[0] == "r" and parts[2] in ("new", "search"):
            posts = self._subreddit_posts(parts[1])
            if posts is None:
                return 302, "", {"Location": f"/subreddits/search?q={parts[1]}"}
            if parts[2] == "search":
                terms = self._search_terms(query.get("q", [""])[0])
                posts = [p for p in posts if any(t in f"{p.title} {p.selftext}".lower() for t in terms)]
            return 200, self._page(posts, query), {}
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
                for key, value in (headers or {}).items():
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
                    if not self.headers.get("Authorization", "").startswith("Basic "):
                        return self._send(401, {"error": "invalid_client"})
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
