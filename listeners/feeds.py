"""RSS 0.9x/1.0/2.0 and Atom feeds: fetched with conditional GET, parsed by feedparser, one Mention per entry.

Identity is the entry's id, else its link, else a hash of its content, so an
entry re-listed next hour is the same row. Every date becomes UTC. A feed that
is HTML or unreadable is fetched again within the source's retries, then fails
the source with a clear reason; one broken entry is skipped, counted and the
rest kept.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
from selectolax.lexbor import LexborHTMLParser

from journeywatch.domain import Mention
from journeywatch.errors import SourceError
from journeywatch.redaction import masked_url
from journeywatch.settings import FeedSource

from .authors import pseudonym, quiet_author_key
from .base import EARLIEST, FUTURE_SLACK, Batch, Watermark
from .http import Fetched, fetch_url, without_credentials
from .retry import RetryPolicy, Sleep, default_sleep
from .text import clean_text, collapse_whitespace, html_to_text, plain_to_text

BATCH_SIZE = 1000
MAX_ID_CHARS = 512
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _looks_like_html(body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether a body that holds no feed is a web page: by its type, or by an `<html` near its start.

    An XHTML page (`<?xml ...?><!DOCTYPE html ...><html xmlns=...>`, served as application/xhtml+xml)
    starts with an XML declaration: looked for only at the very start, it was 'not a readable RSS or
    Atom feed', without the feed URL its `<link rel="alternate">` names.
    """
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "").lower()
    head = body[:1024].lstrip().lower()
    return "text/html" in content_type or "xhtml" in content_type or b"<!doctype html" in head or b"<html" in head


def _feed_link_of_page(body: bytes, url: str) -> str | None:
    """The feed an HTML page names in `<link rel="alternate" type="application/rss+xml" href=...>`, absolute."""
    for node in LexborHTMLParser(body).css('link[rel~="alternate"][href]'):
        if any(kind in (node.attributes.get("type") or "") for kind in ("rss", "atom")):
            return urljoin(url, node.attributes["href"] or "")
    return None


def _problem(exc: BaseException | None) -> str:
    """feedparser's complaint in words: an XML error names its line and column, not `<unknown>:10:21`."""
    if isinstance(exc, SAXParseException):
        return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    return f"{type(exc).__name__}: {exc}" if exc else "no RSS or Atom elements found"


_UTF8_BOM = b"\xef\xbb\xbf"
_XML_START = re.compile(rb"\s*(?:<\?xml|<rss[\s>]|<feed[\s>]|<rdf:RDF[\s>])")


def _as_xml(body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """`headers` (lower-case names) with an XML media type where the server misnamed an XML body's type.

    Servers hand feeds out as text/html, text/plain or application/octet-stream (S3 buckets). Told so,
    feedparser warned on every fetch that a well-formed feed was "not well-formed (NonXMLContentType)",
    and a well-formed feed with no entries yet, served as text/html, failed as an HTML page. The charset
    the header names is kept.
    """
    media_type, _, params = headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type.startswith("text/") and "xml" in media_type and "charset" not in params.lower():
        # text/xml without a charset is US-ASCII by RFC 3023, which no publisher means: feedparser warned
        # "not well-formed (CharacterEncodingOverride: document declared as us-ascii ...)" on every
        # fetch of a feed with an accented letter. application/xml lets the XML declaration say.
        return {**headers, "content-type": "application/xml" + (f";{params}" if params.strip() else "")}
    if not media_type or "xml" in media_type or not _XML_START.match(body.removeprefix(_UTF8_BOM)):
        return headers
    return {**headers, "content-type": "application/xml" + (f";{params}" if params else "")}


def _without_space_before_declaration(body: bytes) -> bytes:
    """`body` without blank lines before its `<?xml` declaration (a PHP file's stray newline, common on WordPress).

    XML allows nothing before the declaration, so feedparser warned "not well-formed (XML or text
    declaration not at start of entity)" on every fetch of a feed every browser and reader accepts.
    """
    bom = _UTF8_BOM if body.startswith(_UTF8_BOM) else b""
    rest = body[len(bom):]
    if rest[:1].isspace() and rest.lstrip().startswith(b"<?xml"):
        return bom + rest.lstrip()
    return body


_SURROGATE_REF = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7]\d{3});")  # a quick look first
_NUMERIC_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|(\d{1,10}));")


def _without_surrogate_refs(body: bytes) -> bytes:
    """`body` with character references to UTF-16 surrogates made whole: a pair as the one character it
    encodes (`&#55357;&#56832;` is `&#x1F600;`), a lone one as U+FFFD.

    Feeds written by tools that escape UTF-16 code units (Java, .NET, JavaScript) give an emoji so. No XML
    parser takes them, and feedparser's lenient one failed on them with "UnicodeEncodeError: 'utf-8' codec
    can't encode character '\\ud83d'": one emoji in one entry failed the whole source, run after run.
    """
    if not _SURROGATE_REF.search(body):
        return body
    out: list[bytes] = []
    at = 0
    high: tuple[int, int] | None = None  # (value, end) of a high surrogate waiting for its low one
    for match in _NUMERIC_REF.finditer(body):
        value = int(match[1], 16) if match[1] is not None else int(match[2])
        if high is not None and (match.start() != high[1] or not 0xDC00 <= value <= 0xDFFF):
            out.append(b"&#xFFFD;")  # the high surrogate had no low one after it
            at, high = high[1], None
        if 0xD800 <= value <= 0xDBFF:
            out.append(body[at:match.start()])
            at, high = match.end(), (value, match.end())
        elif 0xDC00 <= value <= 0xDFFF:
            out.append(body[at:match.start()])
            if high is not None:
                out.append(b"&#x%X;" % (0x10000 + ((high[0] - 0xD800) << 10) + (value - 0xDC00)))
            else:
                out.append(b"&#xFFFD;")
            at, high = match.end(), None
    if high is not None:
        out.append(b"&#xFFFD;")
        at = high[1]
    out.append(body[at:])
    return b"".join(out)


def _page_hint(feed: str | None, asked: tuple[str, ...]) -> str:
    """What to do about an HTML page served for a feed URL, given the feed the page names (if any).

    A feed that served a page in its own place (a sign-in, error or bot-check page whose
    `<link rel="alternate">` is the feed itself) was told "use url: " and the very URL it had.
    """
    if not feed:
        return "check the feed URL"
    if feed.partition("#")[0] in {u.partition("#")[0] for u in asked if u}:
        return ("the page names this same URL as its feed, so the server sent a page in the feed's place this time "
                "(a sign-in, error or bot-check page?); open the URL in a browser, or let the next run try again")
    return f"the page names its feed: use url: {masked_url(feed)}"


def parse_feed(source: str, body: bytes, headers: Mapping[str, str] | None = None, url: str = "",
               requested: str = "") -> Any:
    """feedparser's result for `body`; `SourceError` when it holds no feed at all.

    The body goes in as a stream: given bytes, feedparser would first try
    them as a local file name. An HTML page that names its feed gets that
    feed's URL (`url`, where the page came from, resolves it) in the message,
    unless that is `url` or `requested` (the configured URL) itself.

    An HTML page, an empty body and broken XML are retryable errors: servers hand them out for a moment
    (a CDN's error or bot-check page, a feed file half-written by its generator), and `fetch_url` tries
    again. JSON is not: it is another URL's answer (App Store's /json), the same on every try.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    body = _without_surrogate_refs(_without_space_before_declaration(body))
    # sanitize_html=False: html_to_text makes the text; feedparser's sanitizer drops an <iframe> but keeps its
    # fallback text ("Your browser does not support iframes"), which the parser library then could not tell apart.
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=_as_xml(body, headers), sanitize_html=False)
    except (KeyError, IndexError, AttributeError, TypeError, ValueError) as exc:  # its lenient parser's own slips
        # on tags closed out of order ('KeyError: tags' for a stray </category>): the source failed with
        # feedparser's bare exception as its only word
        raise SourceError(source, f"not a readable RSS or Atom feed (feedparser's lenient reading of this malformed "
                          f"body failed: {type(exc).__name__}: {exc}); check the feed in a feed validator") from None
    if parsed.entries:
        return parsed
    if not body.strip():
        raise SourceError(source, "the URL returned an empty body, not an RSS or Atom feed")
    if not parsed.get("bozo") and parsed.get("version"):
        return parsed  # a well-formed feed with no entries yet (whatever type the server gave it)
    if _looks_like_html(body, headers):
        hint = _page_hint(_feed_link_of_page(body, url), (url, requested))
        raise SourceError(source, f"the URL returned an HTML page, not an RSS or Atom feed; {hint}")
    if body.lstrip()[:1] in (b"{", b"["):
        raise SourceError(source, "the URL returned JSON, not an RSS or Atom feed; check the feed URL (App Store "
                          "reviews: the URL ending /xml, not /json)", retryable=False)
    raise SourceError(source, f"not a readable RSS or Atom feed ({_problem(parsed.get('bozo_exception'))})")


# A canonical key of a feedparser entry, read as a plain dict (its aliasing lookup is slow and warns):
# `_field(entry, key)`. dict.get itself, not a function calling it: it runs several times for every entry.
_field = dict.get


def _text_of(detail: Any) -> str:
    """The text of one of feedparser's values (`title_detail`, a `content` item): HTML, or plain as declared.

    A value declared plain text (Atom's type="text", the default for titles) keeps its `<` as a
    character: read as HTML, an App Store review's "<sigh>" or a title's "<b> tag" vanished.
    """
    if not detail:
        return ""
    value = dict.get(detail, "value")
    if dict.get(detail, "type") == "text/plain":
        return plain_to_text(value)
    if value and "[comments]</a>" in value and "submitted by" in value:
        value = _reddit_post_body(value)
    elif value and ("Comments URL:" in value or "Read full topic</a>" in value or "appeared first on" in value):
        value = _without_service_lines(value)
    return html_to_text(value)


# The lines hnrss.org, Discourse and WordPress (Yoast SEO) add to every entry, one <p> each: a link story's whole
# description on hnrss ("Article URL: ... Comments URL: ... Points: 12 # Comments: 3", its link matching a brand
# query as words), a Discourse topic's "3 posts - 2 participants Read full topic", a WordPress post's "The post
# TITLE appeared first on SITE.", classified as the author's words.
_SERVICE_LINE = re.compile(r"(?:Article URL|Comments URL|Points|# Comments):|Read full topic$|\d+ posts? - \d+ participants?$"
                           r"|The post .+ appeared first on .+\.$", re.DOTALL)


def _without_service_lines(html: str) -> str:
    """`html` without hnrss's, Discourse's and WordPress's own lines; "" when nothing else is left (the title stands in)."""
    tree = LexborHTMLParser(html)
    for node in tree.css("p"):
        if _SERVICE_LINE.match(" ".join(node.text().split())):
            node.decompose()
    return tree.body.html if tree.body is not None else ""


def _reddit_post_body(html: str) -> str:
    """A Reddit .rss post's own words: its `<div class="md">`, without the "submitted by /u/NAME [link] [comments]"
    Reddit appends (which named the author in the stored text, pseudonymised authors or not); "" for a link post,
    whose only text that is (its title stands in).
    """
    return "".join(node.html or "" for node in LexborHTMLParser(html).css("div.md"))


def _entry_text(entry: Any) -> str:
    contents = _field(entry, "content") or []
    captions: list[Any] = []
    if _field(entry, "media_content") or _field(entry, "media_thumbnail"):
        # feedparser files a media:description that follows the entry's own description (a Mastodon image's
        # alt text) as plain-text `content`: a caption, read only when the entry has no other text
        captions = [c for c in contents if dict.get(c, "type") == "text/plain"]
        contents = [c for c in contents if dict.get(c, "type") != "text/plain"]
    for content in contents:
        if text := _text_of(content):
            return text
    if text := _text_of(_field(entry, "summary_detail") or {"value": _field(entry, "summary")}):
        return text
    return next((text for c in captions if (text := _text_of(c))), "")


# What makes urlsplit more than a split at fixed characters: tabs and newlines, which it drops (so "goo\tgle.com"
# is google.com), and brackets, which it checks as an IPv6 host and may refuse (ValueError: such an entry is
# skipped as unreadable). URLs with none of these skip urlsplit where the answer is plain without it.
_PARSE_NEEDED = re.compile(r"[\t\n\r\[\]]")


def _unwrap_google_redirect(url: str) -> str:
    """A Google Alerts link (`https://www.google.com/url?...&url=TARGET&...`) as its target."""
    if "google.com" not in url and not _PARSE_NEEDED.search(url):
        return url  # most links, without parsing: see _PARSE_NEEDED
    parts = urlsplit(url)
    if parts.netloc in ("www.google.com", "google.com") and parts.path == "/url":
        target = (parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q") or [""])[0]
        if urlsplit(target).scheme in ("http", "https"):
            return target
    return url


def entry_url(entry: Any, base: str) -> str | None:
    """The entry's web link made absolute against `base`; None when it has none.

    feedparser copies a permalink guid into `link` when there is no link element; such a guid
    that is not an http(s) URL (an App Store review's number) is no link.
    """
    link = _field(entry, "link")
    if not link:
        return None
    hrefs = {dict.get(item, "href") for item in _field(entry, "links") or []}
    # A feed read leniently hands `&#0;` on as a NUL, which PostgreSQL refuses: control characters are dropped.
    url = clean_text(urljoin(base, link) if link in hrefs else link)
    if not _is_web_url(url):
        return None
    return _unwrap_google_redirect(url)


def _is_web_url(url: str) -> bool:
    """Whether `urlsplit(url).scheme` is http or https, without parsing the common cases.

    Unless `_PARSE_NEEDED` (urlsplit may drop characters or refuse the URL), a URL starting `http://`
    or `https://` has that scheme as it stands (urlsplit strips only leading controls and spaces), and
    one without a `:` has no scheme at all (an App Store review's number, a bare guid).
    """
    if not _PARSE_NEEDED.search(url):
        if url.startswith(("http://", "https://")):
            return True
        if ":" not in url:
            return False
    return urlsplit(url).scheme in ("http", "https")


# Zone abbreviations feedparser does not know and reads as UTC ("Wed, 18 Nov 2026 10:00:00 CET" was 10:00 UTC):
# the unambiguous ones European and Asia-Pacific sites write. (IST, say, is India's, Ireland's or Israel's.)
_ZONES = {"CET": "+0100", "CEST": "+0200", "BST": "+0100", "WET": "+0000", "WEST": "+0100", "EET": "+0200",
          "EEST": "+0300", "MSK": "+0300", "JST": "+0900", "KST": "+0900", "HKT": "+0800", "SGT": "+0800",
          "AEST": "+1000", "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300"}
_ZONED = re.compile(r"(.*\d:\d\d(?::\d\d)?)\s+([A-Z]{3,4})\s*$")


def _date_with_zone_name(value: str) -> time.struct_time | None:
    """feedparser's date handler for RFC 822 dates that name one of `_ZONES`; None leaves the rest to feedparser."""
    match = _ZONED.match(value)
    if not match or match[2] not in _ZONES:
        return None
    try:
        return parsedate_to_datetime(f"{match[1]} {_ZONES[match[2]]}").astimezone(timezone.utc).timetuple()
    except (TypeError, ValueError):
        return None


# Zones feedparser knows in RFC 822 dates but not after an ISO 8601 date and time, as Ruby's Time#to_s writes
# them ("2026-11-18 10:00:00 UTC"): feedparser kept the day and dropped the time, hours off and no warning.
_OFFSETS = {"UTC": "+0000", "UT": "+0000", "GMT": "+0000", "Z": "+0000", "EST": "-0500", "EDT": "-0400",
            "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700", **_ZONES}
_ISO_ZONED = re.compile(r"\s*(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?)(?:\.\d+)?\s*([A-Za-z]{1,4})\s*$")


def _iso_date_with_zone_name(value: str) -> time.struct_time | None:
    """feedparser's date handler for an ISO 8601 date and time followed by a zone's name ("... 10:00:00 UTC")."""
    match = _ISO_ZONED.match(value)
    if not match or match[3].upper() not in _OFFSETS:
        return None
    try:
        return datetime.fromisoformat(f"{match[1]}T{match[2]}{_OFFSETS[match[3].upper()]}").astimezone(
            timezone.utc).timetuple()
    except ValueError:
        return None


# An RFC 822 date whose day name is in another language ("Mi, 18 Nov 2026 10:00:00 +0100", German sites) or has
# no space after its comma: feedparser found no date at all. The day name says nothing the date does not.
_DAY_NAMED = re.compile(r"\s*[^\W\d_]{2,12}\.?,\s*(\d{1,2}\s+[^\W\d_]{3,}\.?\s+\d{2,4}\s.*)$")
_ENGLISH_DAYS = ("mon,", "tue,", "wed,", "thu,", "fri,", "sat,", "sun,")
_ZONELESS = re.compile(r"\s\d{1,2}:\d\d(?::\d\d)?\s*$")  # a date ending in its time (not in an offset's +01:00)


def _date_with_any_day_name(value: str) -> time.struct_time | None:
    """feedparser's date handler for RFC 822 dates after a day name it does not read; None leaves the rest to it.

    feedparser reads an English day name's dates, but not one without a zone ("Wed, 18 Nov 2026 10:00:00", as
    feed scripts print a local time): that form alone had no date, while "Mi, ..." and "18 Nov 2026 10:00:00"
    were read as UTC. It is read as UTC here too.
    """
    match = _DAY_NAMED.match(value)
    if not match or value.strip().lower().startswith(_ENGLISH_DAYS) and ", " in value and not _ZONELESS.search(value):
        return None
    rest = match[1]
    if zoned := _date_with_zone_name(rest):
        return zoned
    try:
        when = parsedate_to_datetime(rest)
    except (TypeError, ValueError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).timetuple()


# RFC 850 ("Monday, 23-Nov-26 10:00:00 GMT"), HTTP's obsolete date form, which older CMSs and feed generators
# built on HTTP libraries still write in pubDate: feedparser found no date, and the fetch time was used.
_RFC_850 = re.compile(r"\s*(?:[^\W\d_]{2,12}\.?,?\s*)?(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})\s+(\d{1,2}:\d\d(?::\d\d)?)"
                      r"\s*([A-Za-z]{1,4}|[+-]\d{4})?\s*$")


def _rfc_850_date(value: str) -> time.struct_time | None:
    """feedparser's date handler for RFC 850 dates, a two-digit year as e-mail reads it (26 is 2026, 94 is 1994);
    without a zone, GMT (as HTTP writes them). None leaves the rest to feedparser."""
    match = _RFC_850.match(value)
    if not match:
        return None
    zone = (match[5] or "GMT").upper()
    offset = zone if zone[0] in "+-" else _OFFSETS.get(zone)
    if offset is None:
        return None
    try:
        when = parsedate_to_datetime(f"{match[1]} {match[2]} {match[3]} {match[4]} {offset}")
    except (TypeError, ValueError):
        return None
    return when.astimezone(timezone.utc).timetuple()


for _handler in (_date_with_zone_name, _iso_date_with_zone_name, _date_with_any_day_name, _rfc_850_date):
    feedparser.registerDateHandler(_handler)


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _field(entry, key)
        if parsed:
            try:  # feedparser's struct_time is UTC: build it directly (a third of timegm's cost)
                return datetime(*parsed[:6], tzinfo=timezone.utc)
            except ValueError:  # out of range (a leap second, day 31 of a short month): timegm rolls it over
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    return None


def _content_hash(*parts: str | None) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def entry_identity(entry: Any, title: str, text: str) -> str:
    """The entry's id, else its link, else a hash of its content; long ones hashed to fit the column.

    Control characters are dropped: a feed read leniently hands `&#0;` on as a NUL, which PostgreSQL refuses
    (the whole batch failed, run after run).
    """
    identity = clean_text(_field(entry, "id") or "") or clean_text(_field(entry, "link") or "") or \
        _content_hash(title, text)
    return identity if len(identity) <= MAX_ID_CHARS else _content_hash(identity)


# A Discourse posts feed's guid (`forum.example-post-456`), whose creator is "@handle Display Name": the same
# member was another author in the forum's topic feeds ("handle") and again after a change of display name.
_DISCOURSE_POST = re.compile(r"-post-\d+\Z")


def _author_of(entry: Any) -> str | None:
    """The entry's author by name; only an author given by nothing but an e-mail address is named by it.

    feedparser's `author` joins name and address ("Fran (noreply@blogger.com)", RSS's "jo@example.com
    (Jo)"): an address the feed did not use as the name was stored, and the same person written with and
    without it counted as two authors.
    """
    detail = _field(entry, "author_detail") or {}
    name = collapse_whitespace(clean_text(dict.get(detail, "name") or _field(entry, "author") or ""))
    if name.startswith("@") and _DISCOURSE_POST.search(str(_field(entry, "id") or "")):
        name = name.split(" ", 1)[0][1:]  # "@bob_smith Bob Smith": the member's handle, as its topic feeds give it
    return name or None


# hnrss.org's title for a comment: its own words, naming the commenter ("New comment by jdoe in "STORY"").
_HN_COMMENT_TITLE = re.compile(r'New comment by \S+ in ".*"\Z', re.DOTALL)


def _service_title(title: str, entry: Any) -> bool:
    """Whether `title` is a service's line rather than the author's: an hnrss comment's.

    Stored, it named the commenter in every digest quoting the comment ("title. text"), pseudonymised
    authors or not, and the classifier read the story's title as the comment's words. A Reddit comment
    has no title either.
    """
    link = _field(entry, "link") or _field(entry, "id") or ""
    return "news.ycombinator.com/item?id=" in link and _HN_COMMENT_TITLE.match(title) is not None


def _pinned(entry: Any) -> bool:
    """Whether a Discourse topic is pinned (`<discourse:topicPinned>Yes`): its moderators' welcome, rules or notice.

    Stored as a Reddit stickied post is, off the journey and never quoted: the forum's pinned "Welcome to the
    community" topic was counted as customer talk and quotable in the digest.
    """
    return str(_field(entry, "discourse_topicpinned") or "").strip().lower() == "yes"


def mention_of_entry(source: str, entry: Any, source_kind: str, fetched_at: datetime,
                     base: str = "", undated_unknown: bool = False) -> tuple[Mention | None, str | None]:
    """The Mention for one entry and a warning (no date, no text), or None when the entry cannot be used.

    `base` is the URL relative links are resolved against. An entry without a usable date gets the fetch
    time. With `undated_unknown` that time says nothing of when it was written, and its date is stored as
    unknown (`Mention.date_known`): on the feed's first reading the feed lists its backlog, months of it
    in a review or forum feed, and stamped into one hour it made an alert spike that never happened; on a
    reading long after the last one that succeeded (see `MAX_READING_GAP`) the entries written during the
    gap did the same. On a reading soon after the last one an entry not listed before was written since
    it, as near the fetch time as readings are frequent (hourly: one alert window), so it is dated by the
    fetch as known: a burst of new undated reviews is a real spike.
    """
    get = dict.get  # see `_field`; bound once, this runs for every entry
    title = _text_of(get(entry, "title_detail") or {"value": get(entry, "title")})
    if title and _service_title(title, entry):
        title = ""
    text = _entry_text(entry) or title
    if not text:
        return None, f"entry {get(entry, 'id') or get(entry, 'link') or '(no id)'}: no title or text; skipped"
    created = _entry_time(entry)
    warning = None
    problem = None
    if created is None:
        problem = "no readable date"
    elif created > fetched_at + FUTURE_SLACK:  # an event's date, or a zone gone wrong
        problem = f"dated {created:%Y-%m-%d}, over a day ahead"
    elif created < EARLIEST:
        problem = f"dated {created:%Y-%m-%d}, a placeholder before 1990"
    if problem:
        created = fetched_at
        warning = f"entry {get(entry, 'id') or get(entry, 'link') or '(no id)'}: {problem}; fetch time used"
    mention = Mention(source=source, external_id=entry_identity(entry, title, text), text=text, created_at=created,
                      source_kind=source_kind, title=title or None, url=entry_url(entry, base),
                      author=_author_of(entry), date_known=not (problem and undated_unknown),
                      date_given=problem is None, stickied=_pinned(entry))
    return mention, warning


def _one_per_identity(mentions: list[Mention]) -> tuple[list[Mention], list[str], list[str]]:
    """The feed's mentions with each identity once; the identities of the repeats dropped and of those re-identified.

    The store keeps one row per identity, so an entry listed twice (the same id and text) was counted
    as fetched and then as neither new nor seen. Entries that share an id or link but differ in text
    (a review feed giving every review the product page as guid or link) are different items: all but
    one were lost. Each of those is identified by its id and a hash of its title and text instead.
    """
    texts: dict[str, set[tuple[str | None, str]]] = {}
    for mention in mentions:
        texts.setdefault(mention.external_id, set()).add((mention.title, mention.text))
    kept: list[Mention] = []
    seen: set[str] = set()
    repeated: list[str] = []
    reidentified: list[str] = []
    for mention in mentions:
        if len(texts[mention.external_id]) > 1:
            mention.external_id = _content_hash(mention.external_id, mention.title, mention.text)
            reidentified.append(mention.external_id)
        if mention.external_id in seen:
            repeated.append(mention.external_id)
            continue
        seen.add(mention.external_id)
        kept.append(mention)
    return kept, repeated, reidentified


MAX_NOTED = 2000  # entries a watermark remembers having warned about; a feed lists fewer at a time


def _note(kind: str, identity: str) -> str:
    """A short fingerprint of one warning about one entry, for the watermark's `noted` list."""
    return hashlib.sha256(f"{kind}\x1f{identity}".encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class FeedReading:
    """A parsed feed's mentions, how many entries were skipped, the warnings, and the entries warned about.

    `noted` fingerprints every entry this reading found undated, repeated or sharing an id. Given back to
    the next reading (through the watermark), those entries are not warned about again: a feed that
    never dates its entries said "N entries had no readable date" on every fetch that was not a 304.
    """

    mentions: list[Mention]
    skipped: int
    warnings: list[str]
    noted: list[str]
    ids_by_text: dict[str, str] = field(default_factory=dict)  # see `_keep_earlier_ids`


MAX_REMEMBERED_IDS = 1000  # entries whose ids a watermark keeps; a feed lists fewer at a time


def _text_fingerprint(mention: Mention, author: str | None = None) -> str:
    """A short fingerprint of what an entry says and who said it, whatever its id.

    The author is in it as its keyed pseudonym: the watermark keeps these beside the stored title and
    text, and a fingerprint of the name itself let anyone with the database test a guessed name against
    it (one sha256), whatever the author column held.
    """
    who = author if author is not None else pseudonym(mention.author, quiet_author_key()) if mention.author else ""
    return _note("text", "\x1f".join((mention.title or "", mention.text, who)))


def _keep_earlier_ids(mentions: list[Mention], earlier: Mapping[str, str]) -> list[str]:
    """Give back its earlier id to an entry that came back under a new one; the ids given back.

    Some feeds make their guids afresh on every fetch (a timestamp or a session in them): every entry
    was stored again, run after run, doubling the digest's counts. An entry whose title, text and author
    were listed at the last fetch under another id, no longer in the feed, is that entry.
    """
    if not earlier:  # a first fetch, or a feed whose last reading listed nothing
        return []
    current = {mention.external_id for mention in mentions}
    given_back: list[str] = []
    for mention in mentions:
        before = earlier.get(_text_fingerprint(mention))
        if before is None and mention.author:  # a watermark written before the fingerprint hid the author
            before = earlier.get(_text_fingerprint(mention, mention.author))
        if before and before != mention.external_id and before not in current:
            mention.external_id = before
            current.add(before)
            given_back.append(before)
    return given_back


def _bozo_warning(parsed: Any) -> str:
    """What feedparser's complaint about a feed it still read means to the user.

    A charset the server or the declaration names wrongly is no malformed XML: feedparser decoded the
    feed in another encoding, and the text is right.
    """
    problem = parsed.get("bozo_exception")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        return (f"the feed's server or its XML declaration names the wrong character encoding ({problem}); "
                f"read as {parsed.get('encoding') or 'another encoding'}")
    return f"feed is not well-formed ({_problem(problem)}); read leniently"


def _entries(count: int) -> str:
    """'1 entry', '2 entries': the warnings said '1 entries had no readable date'."""
    return "1 entry" if count == 1 else f"{count} entries"


def _links_base(parsed: Any, fetched_from: str) -> str:
    """What a feed's relative entry links start at: its site link when that is a web address, else `fetched_from`.

    feedparser gives an Atom feed with no alternate link its `<id>` as the link: a `tag:` or `urn:uuid:` id made
    every relative entry link (`posts/1`) no link at all, not one on the server the feed came from.
    """
    site = urljoin(fetched_from, parsed.feed.get("link") or "")
    return site if _is_web_url(site) else fetched_from


def read_feed(source: str, parsed: Any, source_kind: str, fetched_at: datetime, url: str = "",
              noted: Collection[str] = (), ids_by_text: Mapping[str, str] | None = None,
              undated_unknown: bool = False) -> FeedReading:
    """Every usable entry of a parsed feed, each identity once, with warnings about entries not in `noted`.

    `ids_by_text` is the last reading's: an entry back under a new id keeps its earlier one. With
    `undated_unknown` (a first reading, or one long after the last) an undated entry's date is unknown
    (see `mention_of_entry`).

    Relative entry links are resolved against the feed's own site link (as the channel's `<link>`
    says), else against `url`, where the feed was fetched from.
    """
    base = _links_base(parsed, without_credentials(url))
    mentions: list[Mention] = []
    warnings: list[str] = []
    skipped = 0
    undated: set[int] = set()  # id() of the mentions given the fetch time
    for entry in parsed.entries:
        try:
            mention, warning = mention_of_entry(source, entry, source_kind, fetched_at, base, undated_unknown)
        except Exception as exc:  # one malformed entry must not cost the others  # noqa: BLE001
            mention, warning = None, f"entry {entry.get('id', '(no id)')}: unreadable ({type(exc).__name__}: {exc}); skipped"
        if mention is None:
            skipped += 1
            warnings.append(warning or "entry skipped")
        else:
            mentions.append(mention)
            if warning:
                undated.add(id(mention))
    mentions, repeated, reidentified = _one_per_identity(mentions)
    given_back = _keep_earlier_ids(mentions, ids_by_text or {})
    noted = set(noted)
    now_noted: list[str] = []

    def unnoted(kind: str, identities: list[str]) -> int:
        notes = [_note(kind, identity) for identity in identities]
        now_noted.extend(notes)
        return sum(note not in noted for note in notes)

    if count := unnoted("undated", [m.external_id for m in mentions if id(m) in undated]):
        warnings.append(f"{_entries(count)} had no readable date (or one over a day ahead, or before 1990); the fetch "
                        "time was used")
    if count := unnoted("repeated", repeated):
        warnings.append(f"{_entries(count)} repeated an entry listed before in the feed (same id and text); read once")
    if count := unnoted("reidentified", reidentified):
        warnings.append(f"{_entries(count)} shared an id or link with entries of other text (the feed reuses guids or "
                        "links); each stored under that id and a hash of its text")
    if count := unnoted("given_back", given_back):
        warnings.append(f"{_entries(count)} came back under a new id with the same title, text and author (the feed "
                        "makes its ids afresh); kept under the earlier id, not stored again")
    if parsed.get("bozo") and parsed.entries:
        warnings.append(_bozo_warning(parsed))
    remembered: dict[str, str] = {}
    for mention in mentions[:MAX_REMEMBERED_IDS]:
        remembered.setdefault(_text_fingerprint(mention), mention.external_id)
    return FeedReading(mentions, skipped, warnings, list(dict.fromkeys(now_noted))[:MAX_NOTED], remembered)


def mentions_of_feed(source: str, parsed: Any, source_kind: str, fetched_at: datetime,
                     url: str = "") -> tuple[list[Mention], int, list[str]]:
    """`read_feed`'s mentions, skipped count and warnings, every entry warned about."""
    reading = read_feed(source, parsed, source_kind, fetched_at, url)
    return reading.mentions, reading.skipped, reading.warnings


# How long after the feed's last successful reading (a 304 included) an undated entry new at this one is still
# dated by the fetch. Such an entry was written at some time since that reading; dated by the fetch, a gap of G
# puts G's worth of entries into one alert window. The monitor reads hourly (prefect.yaml) and alerts count
# one-hour windows (alerts.window's default): two hours is one late or failed run, at most doubling a window
# (the detector's least ratio, min_ratio 2.0, and its tail test wants more). A week's gap, the monitor stopped
# or the feed unreachable, multiplied it by 168: a fake spike. Past the bound the entries are of unknown date.
MAX_READING_GAP = timedelta(hours=2)
READ_AT = "read_at"  # the watermark's key for when the feed was last read successfully (ISO 8601, UTC)


def _last_read(watermark: Mapping[str, Any]) -> datetime | None:
    """When the feed was last read successfully, as the watermark says; None for one written before it said so."""
    try:
        return datetime.fromisoformat(watermark[READ_AT])
    except (KeyError, TypeError, ValueError):
        return None


def _age(gap: timedelta) -> str:
    """A gap in words: '7 days', '5 hours'."""
    if gap >= timedelta(days=2):
        return f"{gap.days} days"
    hours = int(gap / timedelta(hours=1))
    return "1 hour" if hours == 1 else f"{hours} hours"


def url_fingerprint(url: str) -> str:
    """What the watermark keeps of the feed's URL: enough to tell another URL, without its credentials."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class FeedListener:
    """One feed source. The watermark holds the feed's ETag/Last-Modified for the next conditional GET.

    It names the URL by a fingerprint (`url_sha256`): the URL may hold a token, and validators from
    another URL must not be sent. Watermarks written before keep a plain `url`, still recognised.
    `noted` fingerprints the entries already warned about (see `FeedReading`), `ids_by_text` the ids
    of the entries last listed, by what they say (see `_keep_earlier_ids`), and `read_at` when the feed
    was last read successfully (a 304 saves the watermark again for it). Without a watermark for this URL
    a reading is the feed's first; it and one more than `max_gap` after the last successful reading (or
    after a watermark that does not say when) store their undated entries as of unknown date (see
    `mention_of_entry`).
    """

    def __init__(self, settings: FeedSource, *, sleep: Sleep = default_sleep, clock: Clock = _utc_now,
                 batch_size: int = BATCH_SIZE, max_gap: timedelta = MAX_READING_GAP) -> None:
        self.name = settings.name
        self.settings = settings
        self.policy = RetryPolicy(attempts=settings.retries + 1, backoff=settings.backoff, max_delay=settings.max_delay)
        self._sleep = sleep
        self._clock = clock
        self._batch_size = batch_size
        self._max_gap = max_gap

    @staticmethod
    def _new_undated(mentions: list[Mention], noted: Collection[str]) -> int:
        """How many of `mentions` are of unknown date and were not warned about as undated before (not listed before)."""
        before = set(noted)
        return sum(not m.date_known and _note("undated", m.external_id) not in before for m in mentions)

    def _gap_warning(self, previous: Mapping[str, Any], now: datetime) -> str | None:
        """Why the fetch time cannot date this reading's new undated entries; None when it can.

        A first reading needs no words (its undated entries are the backlog); a long gap does: the
        alerts leave those entries out, and the check's note alone did not say why.
        """
        last = _last_read(previous)
        if last is None:
            return "the feed's last successful reading is not on record"
        if now - last <= self._max_gap:
            return None
        return f"the feed was last read {_age(now - last)} ago, over {_age(self._max_gap)}"

    def _parse(self, fetched: Fetched) -> Any:
        """`parse_feed` of one fetched body, for `fetch_url` to retry on a page or broken XML."""
        return parse_feed(self.name, fetched.body, fetched.headers, fetched.url, self.settings.url)

    def fetch(self, watermark: Watermark | None) -> Iterator[Batch]:
        """Yield the feed's entries in batches; the new validators ride only on the last batch.

        So a run cut off half-way leaves the old validators in place and the next
        run fetches the feed again instead of getting a 304 for entries it never stored.
        """
        previous = dict(watermark or {})
        fingerprint = url_fingerprint(self.settings.url)
        same_url = previous.get("url_sha256") == fingerprint or previous.get("url") == self.settings.url
        validators = {k: previous[k] for k in ("etag", "last_modified") if same_url and k in previous}
        fetched = fetch_url(self.name, self.settings.url, previous=validators, timeout=self.settings.timeout,
                            max_bytes=self.settings.max_bytes, policy=self.policy, sleep=self._sleep,
                            read=self._parse,  # a page or broken XML is retried as a 5xx is
                            secrets=self.settings.secrets)
        now = self._clock()
        if fetched.not_modified:
            if same_url:  # nothing to store, but the feed was read: the next reading's gap starts here
                yield Batch(mentions=[], watermark={**previous, READ_AT: now.isoformat()})
            return
        parsed = fetched.parsed
        gap = self._gap_warning(previous, now) if same_url else None
        reading = read_feed(self.name, parsed, self.settings.source_kind, now, fetched.url,
                            noted=previous.get("noted", []) if same_url else [],
                            ids_by_text=previous.get("ids_by_text", {}) if same_url else {},
                            undated_unknown=not same_url or gap is not None)
        mentions, skipped, warnings = reading.mentions, reading.skipped, reading.warnings
        if self.settings.brand:  # every entry is about it (an app's reviews): prepare_mentions keeps it
            for mention in mentions:
                mention.brands = [self.settings.brand]
        if gap and (count := self._new_undated(mentions, previous.get("noted", []))):
            warnings.append(f"{gap}: {_entries(count)} without a date, new since, may have been written at any "
                            "time in between and are stored as of unknown date (in the digest's week, in no alert "
                            "window)")
        # A feed read leniently (cut off, broken XML) keeps no validators: with them the next run got a 304
        # and never read the entries after the break, though the server's feed may since be whole.
        validators = {} if parsed.get("bozo") else fetched.validators
        final = {"url_sha256": fingerprint, **validators, READ_AT: now.isoformat()}
        if reading.noted:
            final["noted"] = reading.noted
        if reading.ids_by_text:
            final["ids_by_text"] = reading.ids_by_text
        holding = previous  # a first reading cut off half-way leaves none for this URL: the next is a first one too
        starts = list(range(0, len(mentions), self._batch_size)) or [0]
        for i, start in enumerate(starts):
            last = i == len(starts) - 1
            yield Batch(
                mentions=mentions[start : start + self._batch_size],
                watermark=final if last else holding,
                skipped=skipped if last else 0,
                warnings=warnings if last else [],
            )
