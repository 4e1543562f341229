"""Reddit through praw: new posts of listed subreddits, searches for each brand, comments of matched posts,
and the listed subreddits' new comments that name a brand themselves.

A comment naming the brand under a post that does not ("my Baratza died after
two months" under "Which grinder should I buy?") is found only in its
subreddit's comment listing (/r/NAME/comments): Reddit's search finds posts
only, so a site-wide source (no subreddits listed) cannot see such comments.

Incremental: every listing (a subreddit's /new, one brand's search, a subreddit's
comments) keeps its own high-water mark, the newest `created_utc` and fullname it has seen.
Listings come newest-first, so a mark may only move once its listing has been
read down to the previous mark: intermediate batches carry the old mark plus
a `pass` cursor (the newest item of this pass and the last one committed),
and the listing's final batch the new mark. A run cut off half-way resumes
after the last committed item (Reddit's `after` parameter), finishes that pass
down to the old mark, then reads what arrived since from the top: nothing is
skipped, and the upsert drops anything read twice. A pass that reaches the
source's `limit` before the old mark keeps its cursor the same way, so a burst
of more than `limit` posts is read over the next runs.

Faults: the HTTP layer is a praw `requestor_class` that retries 429 (honouring
Retry-After, capped), 5xx, timeouts, refused connections and answers that are
not JSON (an HTML page served with 200) with the source's backoff, then raises
`SourceError`. Credentials come from the environment only.
"""

from __future__ import annotations

import copy
import html
import html.entities
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime, timezone
import logging
import math
from typing import Any
from urllib.parse import urlsplit

import praw
import prawcore
import requests

from journeywatch.domain import Mention
from journeywatch.errors import SourceError
from journeywatch.query import titled
from journeywatch.redaction import masked_url
from journeywatch.settings import Brand, RedditSource

from .base import Batch, Watermark
from .brands import BrandMatcher
from .retry import RETRYABLE_STATUS, RetryPolicy, Sleep, default_sleep, retry_after_seconds
from .text import clean_text, collapse_whitespace

CREDENTIAL_ENV = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT")
TOKEN_PATH = "/api/v1/access_token"  # asked of reddit_url, every other request of oauth_url
_GONE = re.compile(r"\[\s*(deleted|removed)(\s+by\s+\w+|\s+on account of[^\]]*)*\s*\.?\s*\]", re.IGNORECASE)
BATCH_SIZE = 200
# Matched posts whose comment trees later runs read again, for replies written after the post was first read:
# for this long after the post was written (most of a thread's replies come in its first days), and at most this
# many, the newest (each costs a request or more per run).
THREAD_DAYS = 3
MAX_THREADS = 50
# Reddit's search takes a query of at most this many characters; a longer one is dropped ("q: too long") and the
# search answers with every post of the subreddits, or with nothing at all site-wide.
MAX_SEARCH_CHARS = 512
# Accounts whose comments are boilerplate, not people: AutoModerator posts its subreddit's rules (often stickied)
# under every post, so each matched post counted one more mention, classified like a customer's.
BOTS = frozenset({"automoderator"})
# Threads per run whose comments Reddit failed to serve (a 5xx after the retries) left for the next run; one more
# such failure is taken as Reddit's trouble, not the thread's, and fails the source.
MAX_DEFERRED_THREADS = 2
# Listings per run (one subreddit's /new, search or comments) Reddit kept failing with a 5xx, left for the next run
# while the others are read; one more is taken as Reddit's own trouble and fails the source at once.
MAX_DEFERRED_LISTINGS = 2
# Reddit's search index lags: a post can show up in search minutes after newer ones. A brand search reads this
# far below its mark (a post written then but indexed after the last run is still read), skipping the posts it
# read there before, which its mark keeps (`recent`: fullname -> created, at most MAX_RECENT, the newest).
SEARCH_LAG = 3600.0
MAX_RECENT = 1000
log = logging.getLogger(__name__)
_NETWORK_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                   requests.exceptions.ChunkedEncodingError)
# praw turns every `author` and `subreddit` into an object and fails on null or "" (Reddit writes "[deleted]").
_UNBUILDABLE = re.compile(rb'"(?:author|subreddit)"\s*:\s*(?:null|"")')


def _buildable(value: Any) -> Any:
    """Reddit JSON with null or empty authors as "[deleted]" and null or empty subreddits left out."""
    if isinstance(value, list):
        return [_buildable(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _buildable(item) for key, item in value.items() if not (key == "subreddit" and not item)}
    if "author" in out and not out["author"]:
        out["author"] = "[deleted]"
    return out


def _asked_wait(response: requests.Response) -> tuple[float | None, str]:
    """Seconds Reddit asked to wait before a retry, and the header that asked: `Retry-After`, or on a 429
    without one the rate-limit window's `x-ratelimit-reset`; (None, "") when it asked nothing."""
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if retry_after is not None:
        return retry_after, "Retry-After"
    reset = _rate_limit_reset(response.headers) if response.status_code == 429 else None
    return (reset, "x-ratelimit-reset") if reset is not None else (None, "")


def _rate_limit_reset(headers: Mapping[str, str]) -> float | None:
    """Seconds until Reddit's rate-limit window resets (`x-ratelimit-reset`), for a 429 that sends no Retry-After.

    Retried after the short backoff alone, each attempt fell inside the used-up window and the source failed,
    though the window reset within `max_delay`. None when the header is missing or unreadable.
    """
    try:
        reset = float(headers.get("x-ratelimit-reset") or "")
    except ValueError:
        return None
    return max(reset, 0.0) if math.isfinite(reset) else None


class GaveUp(SourceError):
    """The retries are used up; `status` is Reddit's last HTTP status (None after a network error or timeout)."""

    def __init__(self, source: str, reason: str, *, status: int | None) -> None:
        super().__init__(source, reason)
        self.status = status


class RetryingRequestor(prawcore.Requestor):
    """praw's HTTP layer with journeywatch's bounded retries; gives up with `SourceError`.

    Plugged in through praw's documented `requestor_class`, so prawcore's own
    retry (a few seconds of random sleep, then an exception of its own) never
    sees a retryable failure.
    """

    def __init__(self, *, source: str, policy: RetryPolicy, sleep: Sleep = default_sleep, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source = source
        self._policy = policy
        self._sleep = sleep
        self._rate_limit_wait = 0.0  # before the next request: Reddit said none remain

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        if self._rate_limit_wait:
            log.info("source %r: Reddit's rate limit is used up; waiting %.0f s", self._source, self._rate_limit_wait)
            self._sleep(self._rate_limit_wait)
            self._rate_limit_wait = 0.0
        reason, status, asked = "no attempt made", None, ""
        for attempt in range(1, self._policy.attempts + 1):
            retry_after, status = None, None
            try:  # the source's timeout, not prawcore's fixed default
                response = super().request(*args, timeout=self.timeout, **kwargs)
            except prawcore.RequestException as exc:
                original = exc.original_exception
                if not isinstance(original, _NETWORK_ERRORS):
                    raise
                kind = "timed out" if isinstance(original, requests.exceptions.Timeout) else "network error"
                url = urlsplit(str(args[1] if len(args) > 1 else kwargs.get("url", "")))
                server = masked_url(f"{url.scheme}://{url.netloc}")  # a proxy's user and password stay out
                if url.path.endswith(TOKEN_PATH):  # oauth_url set to a proxy, reddit_url left: "why www.reddit.com?"
                    server += " for an access token (the source's reddit_url)"
                reason = f"{kind} calling {server} ({type(original).__name__})"
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    self._tame_rate_limit_headers(response.headers)
                    if response.status_code not in prawcore.Session.SUCCESS_STATUSES:
                        return response  # prawcore raises by the status
                    try:  # what prawcore would raise BadJSON for: a proxy's or CDN's page, a captcha, served with 200
                        payload = response.json()
                    except ValueError:
                        reason, status = _not_json(response), response.status_code
                    else:
                        if _UNBUILDABLE.search(response.content):
                            response._content = json.dumps(_buildable(payload)).encode()
                        return response
                else:
                    reason, status = f"HTTP {response.status_code} from Reddit", response.status_code
                    retry_after, asked = _asked_wait(response)
            if attempt < self._policy.attempts:
                delay = self._policy.delay(attempt, retry_after)
                log.info("source %r: %s; retrying in %.2f s (attempt %d of %d)", self._source, reason, delay,
                         attempt + 1, self._policy.attempts)
                self._sleep(delay)
        reason += self._policy.wait_refused("Reddit", retry_after, asked)  # said, or it reads as a short outage
        raise GaveUp(self._source, f"{reason} ({self._policy.gave_up()})", status=status)

    def _tame_rate_limit_headers(self, headers: MutableMapping[str, str]) -> None:
        """Rate-limit headers as prawcore's limiter can read them; when none remain, wait here instead.

        The limiter needs all three of `x-ratelimit-remaining`, `-used` and
        `-reset` once the first is there, `-reset` as a whole number, and it
        sleeps until the reset when nothing remains (up to ten minutes, with
        `time.sleep`). That wait is made here before the next request, capped
        at the source's `max_delay`; a 429 after it is retried as any other. Unreadable
        values are dropped: the limiter then just counts requests.
        """
        names = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")
        if names[0] not in headers:
            return
        try:
            remaining, used, reset = (float(headers.get(name) or 0) for name in names)
            if not all(map(math.isfinite, (remaining, used, reset))):
                raise ValueError("not a number")  # 'nan' and 'inf' parse, then int() raised out of the request
        except ValueError:
            for name in names:
                headers.pop(name, None)
            return
        if remaining <= 0:
            self._rate_limit_wait = min(max(reset, 0), self._policy.max_delay)
            remaining, reset = 1, 0  # otherwise the limiter paces requests itself, at most 10 s apart
        headers.update({names[0]: str(remaining), names[1]: str(int(used)), names[2]: str(int(reset))})


def credentials(source: str, env: Mapping[str, str]) -> dict[str, str]:
    """Client id, secret and user agent from the environment; a missing one fails the source by name, and by the
    near name it was set under, if any (see `_set_as`)."""
    values = {}
    for name in CREDENTIAL_ENV:
        value = env.get(name, "").strip()
        if not value:
            near = _set_as(name, env)
            hint = f"; {near} is set: rename it {name}" if near else ""
            raise SourceError(source, f"environment variable {name} is not set (Reddit needs "
                                      f"{', '.join(CREDENTIAL_ENV)}){hint}", retryable=False)
        values[name] = value
    return values


def _set_as(name: str, env: Mapping[str, str]) -> str | None:
    """A variable set (not blank) under a name near `name`: REDDIT_SECRET, REDDIT_USERAGENT, or praw's own
    praw_client_secret. Told only that REDDIT_CLIENT_SECRET was not set, a user sure they had exported it looked
    for a shell or cron problem. Only the name is given, never the value."""
    last = name.rsplit("_", 1)[-1]  # ID, SECRET, AGENT: REDDIT_ID, REDDIT_APP_SECRET, REDDIT_USERAGENT end so
    for other in sorted(env):
        spelt = other.upper()
        if other in CREDENTIAL_ENV or not env[other].strip() or not spelt.startswith(("REDDIT", "PRAW")):
            continue
        if spelt.removeprefix("REDDIT").removeprefix("PRAW").replace("_", "").endswith(last):
            return other
    return None


# An HTML entity in Reddit markdown, which Reddit shows decoded: "&#x200B;" (the blank paragraphs Reddit's own editor
# writes), "&amp;", "&gt;". Only the ones ended by ';', as Reddit's markdown reads them.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _entity(match: re.Match[str]) -> str:
    """One entity decoded; a name HTML does not know stays as written ("&notanentity;" is not "¬anentity;")."""
    entity = match.group()
    if entity[1] != "#" and entity[1:] not in html.entities.html5:
        return entity
    return html.unescape(entity)


# Invisible characters inside a word (a soft hyphen or word joiner pasted from a web page, a zero-width space
# typed to dodge a filter): 'Ac\u00adme' reads as 'Acme', so it is stored and matched as 'Acme'.
_INVISIBLE_IN_WORD = re.compile(r"(?<=\w)[\u200b\u00ad\u2060\ufeff]+(?=\w)")
_INVISIBLE = re.compile("[\u00ad\u2060\ufeff]")


def _plain(text: str) -> str:
    """Reddit markdown or a title as stored text: entities decoded, invisible characters inside a word dropped,
    other zero-width spaces (the editor's blank paragraph, '&#x200B;') made spaces, NULs and lone surrogates
    (which PostgreSQL, or UTF-8 itself, refuses) removed, whitespace collapsed."""
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    text = _INVISIBLE.sub("", _INVISIBLE_IN_WORD.sub("", text))
    return collapse_whitespace(clean_text(text.replace("\u200b", " ")))


_SUBREDDIT_PREFIX = re.compile(r"^(?:(?:https?://)?(?:[a-z]+\.)?reddit\.com)?/*r/+", re.IGNORECASE)


def subreddit_name(written: str) -> str:
    """A subreddit as configured, as Reddit names it: 'r/Coffee', '/r/Coffee/' and its address are 'Coffee'.

    Written as people see it on Reddit, it was read as a subreddit called 'r/Coffee' that does not exist.
    """
    if "+" in written:  # several at once, as Reddit's own r/Coffee+Tea
        return "+".join(subreddit_name(part) for part in written.split("+"))
    name = written.strip().strip("/")
    prefix = _SUBREDDIT_PREFIX.match(name)
    return name[prefix.end():].split("/")[0] if prefix else name  # 'r/Coffee/new/' is r/Coffee too


def _count(value: Any) -> int | None:
    """A comment count as Reddit gives it, or None when it gives none that reads as one."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _created(data: Mapping[str, Any]) -> datetime | None:
    """`created_utc` as a UTC time; None when it is missing or unreadable."""
    try:
        return datetime.fromtimestamp(float(data["created_utc"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _gone(text: str) -> bool:
    """Reddit's stand-ins for deleted or removed text: [deleted], [removed], [deleted by user], [ Removed by Reddit ]."""
    return _GONE.fullmatch(text.strip()) is not None


def _author(data: Mapping[str, Any]) -> str | None:
    author = data.get("author")
    name = None if author is None else str(author)
    return None if not name or _gone(name) else name


def _captions(data: Mapping[str, Any]) -> list[str]:
    """A gallery post's image captions: its words as much as a body's ('Acme box', under 'My new kitchen')."""
    gallery = data.get("gallery_data")
    items = gallery.get("items") if isinstance(gallery, Mapping) else None
    if not isinstance(items, list):
        return []
    return [item["caption"] for item in items
            if isinstance(item, Mapping) and isinstance(item.get("caption"), str) and item["caption"].strip()]


def submission_mention(source: str, data: Mapping[str, Any], site: str) -> Mention | None:
    """A submission as a Mention; None when it was deleted or removed (nothing left to store) or has no time."""
    title = _plain(data.get("title") or "")
    body = data.get("selftext") or ""
    created = _created(data)
    if created is None or _gone(title) or _gone(body) or data.get("removed_by_category"):
        return None  # a removed post keeps its title (and a removed link post an empty selftext)
    text = _plain(" ".join([body, *_captions(data)]))
    return Mention(
        source=source,
        external_id=data["name"],
        text=text or title,
        created_at=created,
        source_kind="reddit",
        title=title or None,
        url=site + data["permalink"] if data.get("permalink") else data.get("url"),
        author=_author(data),
        nsfw=bool(data.get("over_18")),
        stickied=bool(data.get("stickied")),
    )


def _comment(source: str, data: Mapping[str, Any], site: str, parent_id: str | None, nsfw: bool) -> Mention | None:
    """A comment as a Mention tied to the post `parent_id`; None when deleted or removed, or when it has no time."""
    body = _plain(data.get("body") or "")
    created = _created(data)
    if not body or _gone(body) or created is None:
        return None
    return Mention(
        source=source,
        external_id=data["name"],
        text=body,
        created_at=created,
        source_kind="reddit",
        url=site + data["permalink"] if data.get("permalink") else None,
        author=_author(data),
        parent_id=parent_id,
        nsfw=nsfw,
        stickied=bool(data.get("stickied")),
    )


def comment_mention(source: str, data: Mapping[str, Any], parent: Mention, site: str) -> Mention | None:
    """A comment of a matched post's thread; it takes the post's brands: a reply in a brand's thread is about it."""
    mention = _comment(source, data, site, parent.external_id, parent.nsfw)
    if mention is not None:
        mention.brands = list(parent.brands)
    return mention


def withdrawn_mention(source: str, data: Mapping[str, Any]) -> Mention | None:
    """A stand-in for an item read again deleted or removed: no title, text or author, and no brand.

    Storage takes it like an edit of the stored row (see `stored_with_other_text`), so the words and the
    author the item had are blanked; an item not stored before is dropped unmatched as ever. None when it
    has no time (it could not have been stored).
    """
    created = _created(data)
    if created is None or not data.get("name"):
        return None
    return Mention(source=source, external_id=str(data["name"]), text="", created_at=created,
                   source_kind="reddit", lang_supported=False)


def listed_comment_mention(source: str, data: Mapping[str, Any], site: str) -> Mention | None:
    """A comment from a subreddit's comment listing, which names its post (`link_id`) and the post's `over_18`.

    The same item, by the same fullname, as when the comment is read in its post's thread.
    """
    return _comment(source, data, site, str(data["link_id"]) if data.get("link_id") else None,
                    bool(data.get("over_18")))


def _not_json(response: requests.Response) -> str:
    """Why an answer that is not JSON (a maintenance or CDN page served with 200, the web site where the API should
    be) failed the source: the reason said 'HTTP 200 from Reddit', which reads as success. The query is left out."""
    url = urlsplit(str(response.url or ""))
    kind = str(response.headers.get("content-type") or "").split(";")[0].strip() or "no content type"
    where = masked_url(f"{url.scheme}://{url.netloc}{url.path}")
    # The token is asked of reddit_url, the listings of oauth_url: name the setting that made this request.
    setting, meant = (("reddit_url", "Reddit's token endpoint at https://www.reddit.com")
                      if url.path.endswith(TOKEN_PATH) else ("oauth_url", "Reddit's API, https://oauth.reddit.com"))
    return (f"Reddit answered {where} with HTTP {response.status_code} and {kind}, "
            f"not JSON (an outage or maintenance page, or {setting} pointing at a web page rather than {meant}); "
            f"check {setting}, or let the next run try again")


def _source_error(source: str, exc: Exception) -> SourceError:
    """praw's and prawcore's failures as the reason a brand manager can act on."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, prawcore.OAuthException):
        return SourceError(source, f"Reddit refused the credentials ({exc}); check REDDIT_CLIENT_ID and "
                                   "REDDIT_CLIENT_SECRET", retryable=False)
    if isinstance(exc, prawcore.ResponseException) and exc.response.status_code == 401:  # e.g. the token endpoint's
        return SourceError(source, "Reddit refused the credentials (HTTP 401); check REDDIT_CLIENT_ID and "
                                   "REDDIT_CLIENT_SECRET (a 'script' app's id and secret)", retryable=False)
    if isinstance(exc, prawcore.BadJSON):
        return SourceError(source, _not_json(exc.response))
    if isinstance(exc, prawcore.ResponseException):
        status = exc.response.status_code
        return SourceError(source, f"HTTP {status} from Reddit", retryable=status >= 500 or status == 429)
    return SourceError(source, f"Reddit call failed: {type(exc).__name__}: {exc}")


_PRAW_ERRORS = (prawcore.PrawcoreException, praw.exceptions.PRAWException)
# What Reddit means when it will not serve one subreddit's listing.
_UNSERVED = ((prawcore.Forbidden, "private, quarantined or banned (HTTP 403)"),
             (prawcore.NotFound, "banned or does not exist (HTTP 404)"),
             (prawcore.Redirect, "does not exist (Reddit redirected to its subreddit search)"))
# The `reason` Reddit gives in such an answer, in words; only these known values are shown (it is internet text).
_REASONS = {"private": "private", "quarantined": "quarantined", "banned": "banned",
            "gold_only": "for Reddit Premium members only"}


def _unserved_meaning(exc: Exception) -> str:
    """Why Reddit would not serve a subreddit: the reason it names in its answer (`{"reason": "private"}`) when it
    names one, so the user knows what to fix, else what the status can mean."""
    response = getattr(exc, "response", None)
    try:
        reason = response.json().get("reason") if response is not None else None
    except (ValueError, AttributeError):  # not JSON (a redirect, a proxy's page), or JSON that is not an object
        reason = None
    if isinstance(reason, str) and reason in _REASONS:
        return f"{_REASONS[reason]} (HTTP {response.status_code})"
    return next(meaning for kind, meaning in _UNSERVED if isinstance(exc, kind))


def _stop(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """A listing's mark (`created`, `id` and a search's `recent`) without its pass cursor; None before any mark."""
    if "created" not in state:
        return None
    return {name: state[name] for name in ("created", "id", "recent") if name in state}


def _recent(read: Mapping[str, float], since: float) -> dict[str, float]:
    """The posts a search read that were written since `since`, at most `MAX_RECENT`, the newest."""
    kept = sorted(((created, name) for name, created in read.items() if created >= since), reverse=True)
    return {name: created for created, name in kept[:MAX_RECENT]}


def _listing_name(key: str) -> str:
    """A listing's watermark key in words: 'r/NAME', 'the comments of r/NAME' or 'the search of r/NAME for BRAND'."""
    kind, _, rest = key.partition(":")
    target, _, brand = rest.partition(":")
    if kind == "comments":
        return f"the comments of r/{rest}"
    return f"r/{rest}" if kind == "new" else f"the search of r/{target} for {brand}"
# A listing opens newest-first, optionally after a fullname (to resume a pass that was cut off).
Opener = Callable[[str | None], Iterable[Any]]
# What one listed item gives, from praw's object and its data (with `name`), the site's base URL and the
# batch's warnings: the mentions to store and how many items were deleted, removed or undated.
Reader = Callable[[Any, dict[str, Any], str, list[str]], tuple[list[Mention], int]]
Listing = tuple[str, Opener, Reader]


class RedditListener:
    """One Reddit source: its subreddits' /new, a search per brand, and comments of what matched."""

    def __init__(self, settings: RedditSource, brands: Sequence[Brand] = (), *, sleep: Sleep = default_sleep,
                 env: Mapping[str, str] | None = None, batch_size: int = BATCH_SIZE,
                 clock: Callable[[], float] = time.time) -> None:
        self.name = settings.name
        self.settings = settings
        self.brands = list(brands)
        self.matcher = BrandMatcher(self.brands) if self.brands else None
        self.policy = RetryPolicy(attempts=settings.retries + 1, backoff=settings.backoff, max_delay=settings.max_delay)
        self._sleep = sleep
        self._env = env
        self._batch_size = batch_size
        self.subreddits = [subreddit_name(name) for name in settings.subreddits]
        self._subreddits = {name.lower() for name in self.subreddits}
        self._clock = clock
        # During a fetch: matched posts whose comments later runs read again, by fullname:
        # {"created": epoch seconds, "comments": Reddit's comment count when last read, or None}.
        self._threads: dict[str, dict[str, Any]] = {}
        self._unserved: set[str] = set()  # during a fetch: subreddits (lower case) whose /new Reddit refused
        self._deferred = 0  # during a fetch: threads whose comments were left for the next run (see `_defer`)

    def client(self) -> praw.Reddit:
        """A read-only praw client pointed at the configured URLs, never checking for updates."""
        creds = credentials(self.name, os.environ if self._env is None else self._env)
        return praw.Reddit(
            client_id=creds["REDDIT_CLIENT_ID"],
            client_secret=creds["REDDIT_CLIENT_SECRET"],
            user_agent=creds["REDDIT_USER_AGENT"],
            oauth_url=self.settings.oauth_url.rstrip("/"),
            reddit_url=self.settings.reddit_url.rstrip("/"),
            check_for_updates=False,
            check_for_async=False,  # listeners are synchronous by design; Prefect runs them in worker threads
            requestor_class=RetryingRequestor,
            requestor_kwargs={"source": self.name, "policy": self.policy, "sleep": self._sleep,
                              "timeout": self.settings.timeout},
        )

    def listings(self, reddit: praw.Reddit) -> list[Listing]:
        """(watermark key, listing, reader of its items) for each subreddit's /new, each brand's search and each
        subreddit's comments, newest first."""
        limit = self.settings.limit
        out: list[Listing] = []

        def after_params(after: str | None) -> dict[str, Any]:
            return {"params": {"after": after}} if after else {}

        for name in self.subreddits:
            out.append((f"new:{name}",
                        lambda after, n=name: reddit.subreddit(n).new(limit=limit, **after_params(after)),
                        self._post))
        if self.settings.search:
            target = "+".join(self.subreddits) or "all"

            def search(query: str, after: str | None) -> Iterable[Any]:
                served = self._served_target()
                if not served:
                    return []  # none of the subreddits is served: not site-wide instead
                return reddit.subreddit(served).search(query, sort="new", time_filter="all", limit=limit,
                                                       **after_params(after))

            for brand in self.searchable_brands():
                out.append((f"search:{target}:{brand.name}", lambda after, q=brand.query: search(q, after),
                            self._post))
        if self.settings.comments and self.settings.subreddit_comments and self.matcher is not None:

            def comments(name: str, after: str | None) -> Iterable[Any]:
                if name.lower() in self._unserved:
                    return []  # its /new was refused: already reported, not asked twice
                return reddit.subreddit(name).comments(limit=limit, **after_params(after))

            for name in self.subreddits:
                out.append((f"comments:{name}", lambda after, n=name: comments(n, after), self._listed_comment))
        return out

    def _served_target(self) -> str:
        """What the searches search: the listed subreddits whose /new Reddit served in this run, or 'all'.

        Reddit refuses a search of 'Coffee+SecretClub' as a whole when one of them is private or banned, so
        one bad name cost the search of every listed subreddit. The search keeps its watermark key.
        """
        if not self.subreddits:
            return "all"
        return "+".join(name for name in self.subreddits if name.lower() not in self._unserved)

    def searchable_brands(self) -> list[Brand]:
        """The brands whose query Reddit's search can take (see `MAX_SEARCH_CHARS`)."""
        return [brand for brand in self.brands if len(brand.query) <= MAX_SEARCH_CHARS]

    def _unsearched(self) -> list[str]:
        """A warning for each brand whose query is too long to search Reddit for."""
        if not self.settings.search:
            return []
        where = ("only the listed subreddits' new posts are read for it" if self.settings.subreddits
                 else "nothing is read for it, as no subreddits are listed")
        return [f"brand '{brand.name}': its query is {len(brand.query)} characters and Reddit searches at most "
                f"{MAX_SEARCH_CHARS}, so it is not searched; {where}. Shorten the query (fewer OR terms)"
                for brand in self.brands if len(brand.query) > MAX_SEARCH_CHARS]

    def _defer(self, exc: SourceError, fullname: str, failed: str, warnings: list[str]) -> bool:
        """Whether a thread whose comments Reddit failed to serve is left for the next run, with a warning.

        Only a server error (5xx) after the retries, a megathread's 504 or a 'load more comments' that keeps
        failing: raised, it failed the source before anything was committed, so every later run stalled on that
        thread. At most `MAX_DEFERRED_THREADS` a run; past that Reddit itself is failing and the source fails.
        """
        status = exc.status if isinstance(exc, GaveUp) else None
        if status is None or status < 500 or self._deferred >= MAX_DEFERRED_THREADS:
            return False
        self._deferred += 1
        warnings.append(f"comments of {fullname}: {failed}{exc.reason}; the next run reads the thread again")
        return True

    def _comments(self, submission: Any, parent: Mention, site: str, warnings: list[str],
                  withdrawn: bool = False) -> tuple[list[Mention], int, bool]:
        """The thread's comments, how many were deleted or removed, and whether all of it that was asked for came.

        `withdrawn`: the thread is read again, so deleted or removed comments come as stand-ins that blank
        the rows stored while they were live (see `withdrawn_mention`).
        """
        forest = submission.comments
        complete = True
        try:
            left = forest.replace_more(limit=self.settings.replace_more_limit)
            if left and self.settings.replace_more_limit:  # past the bound (not asked to be 0): said, so a
                # summary without a word does not read as the whole thread
                links = "link" if len(left) == 1 else "links"
                warnings.append(f"comments of {parent.external_id}: {len(left)} 'load more comments' or 'continue "
                                f"this thread' {links} left unread (replace_more_limit "
                                f"{self.settings.replace_more_limit})")
        except (prawcore.NotFound, prawcore.Forbidden, AssertionError) as exc:  # praw asserts on odd shapes
            warnings.append(f"comments of {parent.external_id}: loading more failed ({exc or type(exc).__name__}); "
                            "kept the comments already loaded")
        except SourceError as exc:
            if not self._defer(exc, parent.external_id, "loading more failed, kept the comments already loaded: ",
                               warnings):
                raise
            complete = False
        kept, gone = [], 0
        for comment in forest.list():
            if isinstance(comment, praw.models.MoreComments):  # left unexpanded when loading more failed
                continue
            data = {**vars(comment), "name": comment.fullname}
            if str(data.get("author") or "").lower() in BOTS:
                continue  # not what anyone said about the brand
            mention = comment_mention(self.name, data, parent, site)
            if mention is None:
                gone += 1
                if withdrawn and (standin := withdrawn_mention(self.name, data)) is not None:
                    kept.append(standin)
            else:
                kept.append(mention)
        return kept, gone, complete

    def _post(self, submission: Any, data: dict[str, Any], site: str,
              warnings: list[str]) -> tuple[list[Mention], int]:
        """A listed post, and the comments of its thread when it names a brand (and comments are wanted)."""
        subreddit = data.get("subreddit")
        if self._subreddits and subreddit is not None and str(subreddit).lower() not in self._subreddits:
            return [], 0  # a search answered from outside the listed subreddits
        mention = submission_mention(self.name, data, site)
        if mention is None:
            return [], 1
        if not self.settings.comments or self.matcher is None:
            return [mention], 0
        mention.brands = self.matcher.brands_of(titled(mention.title, mention.text))
        if not mention.brands:
            return [mention], 0
        if _count(data.get("num_comments")) == 0:
            self._track(mention, 0)
            return [mention], 0
        try:
            comments, deleted, complete = self._comments(submission, mention, site, warnings)
        except (prawcore.NotFound, prawcore.Forbidden) as exc:
            warnings.append(f"comments of {mention.external_id}: {exc}; skipped")
            return [mention], 0
        except SourceError as exc:
            if not self._defer(exc, mention.external_id, "", warnings):
                raise
            self._track(mention, None)  # no count: the next run reads the thread whatever Reddit counts
            return [mention], 0
        self._track(mention, data.get("num_comments") if complete else None)
        return [mention, *comments], deleted

    def _listed_comment(self, comment: Any, data: dict[str, Any], site: str,
                        warnings: list[str]) -> tuple[list[Mention], int]:
        """A comment of a subreddit's comment listing, kept when its own words name a brand.

        Most of a subreddit's comments name none; those are not the source's items, so deleted or removed
        ones (whose words are gone) are not counted either. Bots' comments are left out as in threads.
        """
        if self.matcher is None or str(data.get("author") or "").lower() in BOTS:
            return [], 0
        body = _plain(data.get("body") or "")
        brands = self.matcher.brands_of(body) if body and not _gone(body) else []
        if not brands:
            return [], 0
        mention = listed_comment_mention(self.name, data, site)
        if mention is None:
            return [], 1  # it names a brand but has no time
        mention.brands = brands
        return [mention], 0

    def _read_pass(self, key: str, items: Iterable[Any], read_item: Reader, stop: dict[str, Any] | None,
                   newest: dict[str, Any] | None, marks: dict[str, Any], seen: set[str],
                   site: str) -> Iterator[Batch]:
        """One newest-first pass down to the `stop` mark, in batches of what `read_item` makes of each item.

        While the pass is under way the listing's mark stays at `stop` and a
        `pass` entry records the newest item of the pass and the last one
        committed, so a run cut off here resumes after that item. Only the
        pass's final batch moves the mark itself, and only when the pass got
        down to the old mark: one that ran into the source's `limit` first
        keeps its cursor, and the next run goes on from there.
        """
        base = dict(stop) if stop else {}
        lag = SEARCH_LAG if key.startswith("search:") else 0.0
        recent: dict[str, float] = dict(base.get("recent") or {})
        fresh: dict[str, float] = {}  # read in this pass within `lag` of its newest: the next mark's `recent`
        chunk: list[Mention] = []
        gone = 0
        warnings: list[str] = []
        last: str | None = None
        read, reached = 0, False
        for item in items:
            read += 1
            # The listing's data as given (attribute access could trigger a fetch); `name` may be missing there.
            data = {**vars(item), "name": item.fullname}
            if _created(data) is not None:  # an undated item cannot be placed against the mark: its reader drops it
                created = float(data["created_utc"])
                if stop and (created < stop["created"] - lag or (not lag and data["name"] == stop["id"])):
                    reached = True
                    break
                if newest is None:
                    newest = {"created": created, "id": data["name"]}
                last = data["name"]
                if lag and created >= newest["created"] - lag:
                    fresh[last] = created
                if last in seen or last in recent:  # `recent`: read by an earlier run below the mark
                    continue
                seen.add(last)
            found, lost = read_item(item, data, site, warnings)
            seen.update(mention.external_id for mention in found)  # a thread's comments: not again from a listing
            chunk.extend(found)
            gone += lost
            if len(chunk) >= self._batch_size:
                marks[key] = {**base, "pass": {"newest": newest, "after": last}}
                yield Batch(chunk, self._watermark(marks), skipped=gone, warnings=warnings)
                chunk, gone, warnings = [], 0, []
        if newest is not None and stop and not reached and read >= self.settings.limit:
            marks[key] = {**base, "pass": {"newest": newest, "after": last}}  # more than `limit` arrived
        elif newest is not None:
            marks[key] = dict(newest)  # read down to the old mark: only now may the mark move
            if lag:
                marks[key]["recent"] = _recent({**recent, **fresh}, newest["created"] - lag)
        elif base:
            marks[key] = base
        if gone:
            warnings.append(f"{_listing_name(key)}: {gone} deleted, removed or undated items not stored")
        yield Batch(chunk, self._watermark(marks), skipped=gone, warnings=warnings)

    def _watermark(self, marks: dict[str, Any]) -> Watermark:
        """What a batch commits: every listing's mark, and the threads later runs read again."""
        return {"listings": copy.deepcopy(marks), "threads": copy.deepcopy(self._threads)}

    def _track(self, post: Mention, comments: Any) -> None:
        """Have later runs read `post`'s comments again, while it is recent enough to get replies.

        `comments` is the post's comment count when its tree was read: a later run reads the
        tree again only once Reddit counts more.
        """
        created = post.created_at.timestamp()
        if created < self._clock() - THREAD_DAYS * 86400:
            return
        self._threads[post.external_id] = {"created": created, "comments": _count(comments)}
        if len(self._threads) > MAX_THREADS:
            del self._threads[min(self._threads, key=lambda name: self._threads[name]["created"])]

    def _grown(self, reddit: praw.Reddit, names: list[str]) -> list[str]:
        """Of the tracked threads `names`, those with comments since they were read, newest first.

        One request per hundred posts (`/api/info`) instead of a comment tree per post: most threads
        are quiet in any one hour. A post the answer leaves out (deleted outright) is read, so the
        comment fetch can say what became of it.
        """
        counts: dict[str, int | None] = {name: None for name in names}
        for submission in reddit.info(fullnames=names):
            counts[submission.fullname] = _count(vars(submission).get("num_comments"))

        def grown(name: str) -> bool:
            now, then = counts[name], self._threads[name]["comments"]
            return now is None or then is None or now > then

        return [name for name in names if grown(name)]

    def _revisit(self, reddit: praw.Reddit, marks: dict[str, Any], seen: set[str], site: str) -> Iterator[Batch]:
        """Comments written since an earlier run on its matched posts (those not read again in this run).

        The whole tree is read again and the upsert drops the comments already stored. Comments found deleted
        are not counted: they were counted when their thread was first read, or had been stored before; they
        come as stand-ins, as does a post found deleted or removed, so the rows stored while they were live
        lose their words (Reddit's `[deleted]` was skipped, and the stored text stayed for ever).
        A post since deleted, removed, gone private or edited to match no brand is no longer revisited. The post
        itself is part of the batch, so one its author edited takes its new title and text (it kept its first words,
        and its brand, for ever: Reddit's edits were the one kind the README's "from any source" missed).
        """
        chunk: list[Mention] = []
        warnings: list[str] = []
        quiet = sorted((name for name in self._threads if name not in seen),  # `seen`: read with its post this run
                       key=lambda name: self._threads[name]["created"], reverse=True)
        for fullname in self._grown(reddit, quiet):
            submission = reddit.submission(id=fullname.removeprefix("t3_"))
            try:
                submission.comments  # noqa: B018 - fetches the post and its comment tree
            except (prawcore.NotFound, prawcore.Forbidden) as exc:
                warnings.append(f"comments of {fullname}: {exc}; no longer revisited")
                del self._threads[fullname]
                continue
            except SourceError as exc:
                if not self._defer(exc, fullname, "", warnings):
                    raise
                self._threads[fullname]["comments"] = None
                continue
            data = {**vars(submission), "name": fullname}
            parent = submission_mention(self.name, data, site)
            if parent is not None and self.matcher is not None:
                parent.brands = self.matcher.brands_of(titled(parent.title, parent.text))
            if parent is not None:  # read again: an edit of its title or text is taken (one to no brand unlinks it)
                chunk.append(parent)
            if parent is None or not parent.brands:
                del self._threads[fullname]
                if parent is None and (standin := withdrawn_mention(self.name, data)) is not None:
                    chunk.append(standin)  # the post since deleted or removed: its stored words blanked
                continue
            comments, _, complete = self._comments(submission, parent, site, warnings, withdrawn=True)
            self._threads[fullname]["comments"] = _count(vars(submission).get("num_comments")) if complete else None
            chunk.extend(comments)
            if len(chunk) >= self._batch_size:
                yield Batch(chunk, self._watermark(marks), warnings=warnings)
                chunk, warnings = [], []
        yield Batch(chunk, self._watermark(marks), warnings=warnings)

    def _revisit_threads(self, reddit: praw.Reddit, marks: dict[str, Any], seen: set[str],
                         site: str) -> Iterator[Batch]:
        """`_revisit`, after the posts' listings and before the comment listings, whose reply read in a thread
        again is then skipped as `seen` (the same reply from both was fetched twice and counted twice)."""
        if not self._threads:
            return
        try:
            for batch in self._revisit(reddit, marks, seen, site):
                seen.update(mention.external_id for mention in batch.mentions)
                yield batch
        except _PRAW_ERRORS as exc:
            raise _source_error(self.name, exc) from exc

    def _read_listing(self, key: str, listing: Opener, read_item: Reader, marks: dict[str, Any], seen: set[str],
                      site: str) -> Iterator[Batch]:
        """What is new in one listing: first the rest of a pass an earlier run left (cut off, or at `limit`), then
        a fresh pass from the top."""
        state = marks.get(key) or {}
        stop = _stop(state)
        pending = state.get("pass")
        if pending:
            resumed = iter(listing(pending["after"]))
            first = next(resumed, None)
            if first is not None:  # an empty page means the cursor item vanished: a full pass below covers it
                yield from self._read_pass(key, itertools.chain([first], resumed), read_item, stop,
                                           pending["newest"], marks, seen, site)
                if "pass" in marks[key]:  # the limit came first again: the rest, and what is newer, next run
                    return
                stop = _stop(marks[key])
            else:
                marks[key] = stop or {}
        yield from self._read_pass(key, listing(None), read_item, stop, None, marks, seen, site)

    def fetch(self, watermark: Watermark | None) -> Iterator[Batch]:
        """Yield what is new in every listing since its mark, with comments of brand-matching submissions and the
        listed subreddits' new comments that name a brand."""
        marks: dict[str, Any] = dict((watermark or {}).get("listings", {}))
        oldest = self._clock() - THREAD_DAYS * 86400
        stored = dict((watermark or {}).get("threads") or {}) if self.settings.comments and self.matcher else {}
        self._threads = {name: {"created": float(thread["created"]), "comments": _count(thread.get("comments"))}
                         for name, thread in stored.items()
                         if isinstance(thread, dict) and isinstance(thread.get("created"), (int, float))
                         and thread["created"] >= oldest}
        try:
            reddit = self.client()
        except _PRAW_ERRORS as exc:  # e.g. a user agent too short for Reddit's rules
            raise SourceError(self.name, f"cannot set up the Reddit client: {exc}", retryable=False) from exc
        site = self.settings.reddit_url.rstrip("/")
        seen: set[str] = set()
        self._unserved = set()
        self._deferred = 0
        unserved: dict[str, list[str]] = {}  # a subreddit's problem: the other listings are still read
        failing: list[str] = []  # listings Reddit kept failing (5xx): their marks stay, the next run reads them
        revisited = False
        for key, listing, read_item in self.listings(reddit):
            if key.startswith("comments:") and not revisited:
                revisited = True  # threads first: their new replies are then `seen` by the comment listings
                yield from self._revisit_threads(reddit, marks, seen, site)
            try:
                yield from self._read_listing(key, listing, read_item, marks, seen, site)
            except tuple(kind for kind, _ in _UNSERVED) as exc:
                unserved.setdefault(_unserved_meaning(exc), []).append(_listing_name(key))
                if key.startswith("new:"):
                    self._unserved.add(key.removeprefix("new:").lower())
            except GaveUp as exc:
                if exc.status is None or exc.status < 500 or len(failing) >= MAX_DEFERRED_LISTINGS:
                    raise
                failing.append(f"{_listing_name(key)}: {exc.reason}")
            except _PRAW_ERRORS as exc:
                raise _source_error(self.name, exc) from exc
        if not revisited:
            yield from self._revisit_threads(reddit, marks, seen, site)
        if unsearched := self._unsearched():
            yield Batch([], self._watermark(marks), warnings=unsearched)
        failed = f"Reddit kept failing {'; '.join(failing)}; the other listings were read, the next run reads " \
                 "these again" if failing else ""
        if unserved:
            problems = "; ".join(f"{', '.join(names)}: {meaning}" for meaning, names in unserved.items())
            raise SourceError(self.name, f"Reddit would not serve {problems}; check the names in the source's "
                                         "subreddits or remove them" + (f". {failed}" if failed else ""),
                              retryable=bool(failed))
        if failed:
            raise SourceError(self.name, failed)
