"""A real HTTP server on 127.0.0.1 serving feeds, for the feed listener's tests.

Each route is a `Route`: a body with its headers, an optional ETag or
Last-Modified (answered with 304 when the request matches), and a queue of
canned failures (status codes, Retry-After, delays) served before the body.
Every request's headers are recorded so tests can check conditional GETs.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .local import LocalHTTPServer, QuietHandler, running

if TYPE_CHECKING:
    from journeywatch.flows.steps import SourceOutcome
    from journeywatch.settings import Config


@dataclass
class Failure:
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0  # seconds to sleep before answering (a timeout test)


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    failures: list[Failure] = field(default_factory=list)
    chunk: int = 0  # >0: send the body in chunks without Content-Length
    chunk_delay: float = 0.0  # seconds to sleep before each chunk (a server trickling its answer)
    status: int = 200  # e.g. 301 with a Location in `headers`, or 410
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (Location, Content-Encoding)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer(LocalHTTPServer):
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        super().__init__(self._handler(), quiet_disconnects=True)  # clients that hang up are part of the tests

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.failures:
                    failure = route.failures.pop(0)
                    if failure.delay:
                        time.sleep(failure.delay)
                    extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    return self._send(failure.status, b"try later", "text/plain", extra)
                validators = dict(route.headers)
                if route.etag:
                    validators["ETag"] = route.etag
                if route.last_modified:
                    validators["Last-Modified"] = route.last_modified
                etag_match = route.etag and self.headers.get("If-None-Match") == route.etag
                date_match = route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                if etag_match or (date_match and not route.etag):
                    return self._send(304, b"", None, validators)
                if route.chunk:
                    return self._send_chunked(route, validators)
                return self._send(route.status, route.body, route.content_type, validators)

            def _send(self, status: int, body: bytes, content_type: str | None,
                      extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                # One request per connection: a client reusing a connection the server is closing would
                # see a network error the test did not ask for.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def _send_chunked(self, route: Route, extra: dict[str, str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.close_connection = True
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                for start in range(0, len(route.body), route.chunk):
                    piece = route.body[start : start + route.chunk]
                    if route.chunk_delay:
                        time.sleep(route.chunk_delay)
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")

        return Handler


TLS_CERT = Path(__file__).resolve().parents[1] / "data" / "feeds" / "tls-cert.pem"  # self-signed, 127.0.0.1, to 2126
TLS_KEY = TLS_CERT.with_name("tls-key.pem")


class TLSFeedServer(FeedServer):
    """The same server over HTTPS, with a self-signed certificate no client trusts unless told to (`TLS_CERT`)."""

    def __init__(self) -> None:
        super().__init__()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS_CERT, TLS_KEY)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    @property
    def base(self) -> str:
        return f"https://{self.host}:{self.port}"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with running(FeedServer()) as server:
        yield server


def collect_from(config: Config, source_name: str | None = None) -> SourceOutcome:
    """Collect one of a config's sources (its only one, or the one named) into the config's database, as a run's
    collect step does: brands matched, language and pseudonymous author set, batches committed."""
    from journeywatch.flows.steps import collect_source
    from journeywatch.listeners import BrandMatcher, build_listener
    from journeywatch.listeners.prepare import prepare_mentions
    from journeywatch.storage import open_database

    [source] = [s for s in config.sources if source_name in (None, s.name)]
    matcher = BrandMatcher(config.brands)
    engine = open_database(config.database)
    try:
        return collect_source(engine, build_listener(source, brands=config.brands),
                              lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    finally:
        engine.dispose()
