"""Fetching a URL's bytes with a timeout, a size cap, conditional GET and bounded retries.

feedparser has no timeout of its own, so feeds are fetched here and parsed
from bytes. `file://` URLs are read from disk, with size and mtime standing in
for the ETag, so a local feed behaves like a remote one.

Feed URLs often carry credentials (`https://user:pass@host/feed`, `?token=...`,
`?api_key=...`). Every message, log line and stored value names a URL by
`journeywatch.redaction.masked_url`, never as written.
"""

from __future__ import annotations

import logging
import re
import ssl
import stat as stat_module
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlparse, urlsplit, urlunsplit

import httpx

from journeywatch.errors import SourceError
from journeywatch.redaction import MASK, SECRET_QUERY_KEY, LogScrubber, masked_url, url_credentials, without_values

from .retry import CLOUDFLARE_STATUS, RETRYABLE_STATUS, RetryPolicy, Sleep, default_sleep, retry_after_seconds

try:
    _VERSION = version("journeywatch")
except PackageNotFoundError:  # running from a source tree without an install
    _VERSION = "0"
USER_AGENT = f"journeywatch/{_VERSION}"
log = logging.getLogger(__name__)
_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+")


def _masked_request_line(message: str, secrets: Collection[str]) -> str:
    """httpx's request line ('HTTP Request: GET <the URL as written> ...', INFO) with its URL masked.

    Hidden by default (its logger is quiet), that line shows wherever logging is set to INFO (journeywatch
    used as a library, a worker's root logger), tokens and all: URLs in it are masked as our messages mask
    them, and the values of a feed URL's `${NAME}`s (`fetch_url(secrets=)`) wherever they stand.
    """
    return without_values(_URL_IN_TEXT.sub(lambda m: masked_url(m.group(0)), message), secrets)


_request_log = LogScrubber(_masked_request_line)
logging.getLogger("httpx").addFilter(_request_log)


def without_credentials(url: str) -> str:
    """`url` with its user info and secret-looking query parameters removed: a base for an entry's relative link.

    `urljoin` keeps a base's `user:pass@` (and, for a `#fragment` link, its query) in the links it makes, which
    would store the feed's credentials in every entry's link.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not SECRET_QUERY_KEY.search(k)])
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, query, parts.fragment))


def _hide(text: str, url: str, secrets: Collection[str] = ()) -> str:
    """`text` (an exception's message, say) with `url` and its secret parts masked, should it quote them,
    and any of `secrets` (the values of the URL's `${NAME}`s) wherever it stands."""
    text = text.replace(url, masked_url(url))
    for secret in sorted((s for s in url_credentials(url) if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return without_values(text, secrets)


@dataclass(slots=True)
class Fetched:
    """A response body, or `not_modified` with no body; `validators` go into the next conditional GET.

    `url` is where the body came from after redirects: the base for the feed's relative links. `parsed` is
    what `fetch_url`'s `read` made of the body (None without one, or for a 304).
    """

    body: bytes
    headers: dict[str, str]
    validators: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    url: str = ""
    parsed: Any = None


def _validators_of(headers: httpx.Headers) -> dict[str, str]:
    out = {}
    if etag := headers.get("etag"):
        out["etag"] = etag
    if modified := headers.get("last-modified"):
        out["last_modified"] = modified
    return out


def _read_file(source: str, url: str, previous: dict[str, str], max_bytes: int) -> Fetched:
    path = Path(unquote(urlparse(url).path))
    try:
        stat = path.stat()
    except OSError as exc:
        raise SourceError(source, f"cannot read {path}: {exc.strerror or exc}", retryable=False) from exc
    if path.is_dir():  # read_bytes would raise a bare IsADirectoryError, shown as the source's whole reason
        raise SourceError(source, f"{path} is a directory; a feed source reads one feed file", retryable=False)
    if not stat_module.S_ISREG(stat.st_mode):  # /dev/zero or a pipe: read_bytes never ends (size says 0)
        raise SourceError(source, f"{path} is not a regular file (a device or a pipe); a feed source reads one "
                          "feed file", retryable=False)
    validators = {"etag": f"file:{stat.st_size}:{stat.st_mtime_ns}"}
    if previous.get("etag") == validators["etag"]:
        return Fetched(b"", {}, validators, not_modified=True)
    if stat.st_size > max_bytes:
        raise SourceError(source, f"{path} is {stat.st_size} bytes, over the {max_bytes}-byte limit{_RAISE_MAX_BYTES}",
                          retryable=False)
    try:
        body = path.read_bytes()
    except OSError as exc:  # no permission to read it, or it went away after stat
        raise SourceError(source, f"cannot read {path}: {exc.strerror or exc}", retryable=False) from exc
    return Fetched(body, {}, validators, url=url)


# The limit is the source's own setting: the failure said "over the 33554432-byte limit" and not which key sets it.
_RAISE_MAX_BYTES = " (the source's max_bytes: raise it if the feed is meant to be this large)"


def _read_capped(source: str, response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """The body, up to `max_bytes`, read by `deadline` (time.monotonic()).

    httpx's timeout bounds each read, not the whole body: a server trickling a byte now and then held a
    run for as long as it liked, though `timeout` says when a fetch gives up.
    """
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(source, f"response is {declared} bytes, over the {max_bytes}-byte limit{_RAISE_MAX_BYTES}",
                          retryable=False)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(source, f"response exceeds the {max_bytes}-byte limit{_RAISE_MAX_BYTES}", retryable=False)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the body took longer than the timeout", request=response.request)
    return b"".join(chunks)


def _certificate_problem(exc: BaseException) -> str | None:
    """Why the server's certificate failed verification (self-signed, expired, another host's), if that is the error.

    Retried as a refused connection before: four attempts, seven seconds of backoff, each run.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


def _target_of(exc: httpx.RequestError, secrets: Collection[str] = ()) -> str:
    """The URL a failed request was for (after redirects), masked; "another URL" when httpx kept none."""
    try:
        return without_values(masked_url(str(exc.request.url)), secrets)
    except RuntimeError:  # no request attached
        return "another URL"


# Cloudflare's bot check ("Just a moment...", marked `cf-mitigated: challenge`, on a 403 or a 503) wants a browser
# running its script: the 403 said to check the URL's token, the 503 was retried four times as an outage.
_CHALLENGED = ("; the site's bot protection (Cloudflare) asks for a browser check, which a feed reader cannot pass: "
               "ask the site to let feed readers through, or find another feed URL")

# What to do about the statuses a user can act on; no retry mends them.
_WHAT_TO_DO = {
    401: "; the server wants credentials: check the user and password or token in the URL",
    403: "; the server refused access: check the token in the URL, or whether the feed is private",
    404: "; check the URL (open it in a browser), or remove the source",
    410: "; the feed was removed: remove the source or find its new URL",
}


def _failed_status(source: str, response: httpx.Response, shown: str) -> tuple[str, float | None]:
    """The reason for an error status and the wait it asks for (Retry-After); `SourceError` at once when no retry
    can mend it."""
    status = response.status_code
    phrase = response.reason_phrase or (f"({CLOUDFLARE_STATUS[status]})" if status in CLOUDFLARE_STATUS else "")
    reason = " ".join(filter(None, [f"HTTP {status}", phrase, f"from {shown}"]))
    if response.headers.get("cf-mitigated", "").lower() == "challenge":
        raise SourceError(source, reason + _CHALLENGED, retryable=False)
    if status not in RETRYABLE_STATUS:
        raise SourceError(source, reason + _WHAT_TO_DO.get(status, ""), retryable=False)
    return reason, retry_after_seconds(response.headers.get("retry-after"))


def fetch_url(
    source: str,
    url: str,
    *,
    previous: dict[str, str] | None = None,
    timeout: float = 20.0,
    max_bytes: int = 32 * 1024 * 1024,
    policy: RetryPolicy | None = None,
    sleep: Sleep = default_sleep,
    read: Callable[[Fetched], Any] | None = None,
    secrets: Collection[str] = (),
) -> Fetched:
    """GET `url` (conditionally, given the previous validators), retrying what may pass; else `SourceError`.

    `read` (the feed's parser) is given every 2xx body; what it returns is `Fetched.parsed`. A `SourceError` it
    raises marked retryable (an HTML page or broken XML in the feed's place) is retried like a 5xx, within the
    same attempts: a CDN's error page or a half-written file served for a moment failed the source at once,
    its new entries waiting for the next run. A `file://` body is read once.
    """
    previous = previous or {}
    if url.startswith("file://"):
        local = _read_file(source, url, previous, max_bytes)
        if read is not None and not local.not_modified:
            local.parsed = read(local)
        return local
    # What messages name: the URL may hold a password or token, and `secrets` (the values of its `${NAME}`s)
    # are masked wherever they stand, in its path too.
    shown = without_values(masked_url(url), secrets)
    _request_log.add(secrets)
    policy = policy or RetryPolicy()
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if etag := previous.get("etag"):
        headers["If-None-Match"] = etag
    if modified := previous.get("last_modified"):
        headers["If-Modified-Since"] = modified
    reason = "no attempt made"
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        for attempt in range(1, policy.attempts + 1):
            retry_after = None
            deadline = time.monotonic() + timeout
            got: Fetched | None = None
            try:
                with client.stream("GET", url) as response:
                    status = response.status_code
                    if status == 304:
                        return Fetched(b"", dict(response.headers), {**previous, **_validators_of(response.headers)},
                                       not_modified=True)
                    if 200 <= status < 300:
                        body = _read_capped(source, response, max_bytes, deadline)
                        got = Fetched(body, dict(response.headers), _validators_of(response.headers),
                                      url=str(response.url))
                    else:
                        reason, retry_after = _failed_status(source, response, shown)
            except httpx.TimeoutException:
                reason = f"timed out after {timeout:g} s fetching {shown}"
            except httpx.ConnectError as exc:
                if untrusted := _certificate_problem(exc):  # no retry mends a certificate
                    raise SourceError(source, f"cannot connect to {shown}: its TLS certificate is not trusted "
                                      f"({_hide(untrusted, url, secrets)}); fix the server's certificate, or, "
                                      "for a private CA, set SSL_CERT_FILE to its certificate bundle",
                                      retryable=False) from None
                reason = f"cannot connect to {shown}: {_hide(str(exc), url, secrets)}"
            except httpx.UnsupportedProtocol as exc:  # a redirect to file://, ftp://: no retry reaches a feed
                raise SourceError(source, f"{shown} redirects to {_target_of(exc, secrets)}, which is not an "
                                  "http(s) URL; use the feed's http(s) address", retryable=False) from None
            except httpx.TooManyRedirects:
                raise SourceError(source, f"too many redirects from {shown} (a redirect loop?)",
                                  retryable=False) from None
            except httpx.DecodingError as exc:  # a body that says gzip and is not
                raise SourceError(source, f"cannot decode the response from {shown} ({_hide(str(exc), url, secrets)})",
                                  retryable=False) from None
            except httpx.TransportError as exc:
                reason = f"network error fetching {shown}: {type(exc).__name__}: {_hide(str(exc), url, secrets)}"
            except httpx.InvalidURL as exc:
                raise SourceError(source, f"cannot fetch {shown}: invalid URL ({_hide(str(exc), url, secrets)})",
                                  retryable=False) from None
            if got is not None:
                if read is None:
                    return got
                try:
                    got.parsed = read(got)
                    return got
                except SourceError as exc:
                    if not exc.retryable:
                        if (hidden := without_values(exc.reason, secrets)) != exc.reason:
                            raise SourceError(source, hidden, retryable=False) from None
                        raise
                    reason = without_values(exc.reason, secrets)
            if attempt < policy.attempts:
                delay = policy.delay(attempt, retry_after)
                log.info("source %r: %s; retrying in %.2f s (attempt %d of %d)", source, reason, delay,
                         attempt + 1, policy.attempts)
                sleep(delay)
    reason += policy.wait_refused("the server", retry_after, "Retry-After")
    raise SourceError(source, f"{reason} ({policy.gave_up()})")
