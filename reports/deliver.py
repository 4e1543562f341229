"""Sending a digest: HTML to email targets, Markdown to chat targets, through apprise.

Delivery goes through `journeywatch.alerts.notify.deliver` (retries, logging
that never prints a token), the one place the project talks to apprise.
Email carries the two charts as inline PNG parts that its HTML names by `cid:`
(Gmail and Outlook show no data-URI image); the files on disk keep data URIs.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from journeywatch.alerts.notify import deliver, is_email

from .model import Digest
from .render_html import render_html
from .render_markdown import render_markdown


@dataclass(frozen=True, slots=True)
class SentDigest:
    """One delivery: whose digest, the target as a redacted URL (never a secret) and whether it went."""

    brand: str
    target: str
    ok: bool
    detail: str = ""


def _send(brand: str, urls: list[str], title: str, body: str, body_format: str,
          attachments: list[Path] | None, retries: int, shown_as: list[str] | None = None) -> list[SentDigest]:
    results = deliver(urls, title, body, body_format=body_format, attachments=attachments, retries=retries,
                      shown_as=shown_as)
    return [SentDigest(brand, r.target, r.ok, r.error or "") for r in results]


_SMTP_SCHEMES = frozenset({"mailto", "mailtos", "email"})  # apprise's SMTP mailer: its `inline` option


def _inline(url: str) -> str | None:
    """`url` asking apprise to embed image attachments (RFC 2387); None where the URL says `inline=no`, or
    where it is a mail service's API (SES, SendGrid...) rather than apprise's SMTP mailer, which alone can."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SMTP_SCHEMES:
        return None
    query = parts.query
    said = [value for key, value in parse_qsl(query, keep_blank_values=True) if key.lower() == "inline"]
    if said:
        return url if said[-1].strip().lower() in ("yes", "y", "true", "1", "on") else None
    return f"{url}{'&' if query else ('' if url.endswith('?') else '?')}inline=yes"


def deliver_digest(digest: Digest, urls: list[str], subject: str = "journeywatch digest: {brand}, {week}",
                   retries: int = 3) -> list[SentDigest]:
    """Send `digest` to every apprise URL in `urls`; returns one result per target, failures included."""
    if not urls:
        return []
    title = subject.format(brand=digest.brand, week=digest.week)
    email = [u for u in urls if is_email(u)]
    chat = [u for u in urls if not is_email(u)]
    results: list[SentDigest] = []
    if email:
        with tempfile.TemporaryDirectory(prefix="journeywatch-digest-") as folder:
            attachments, sources = [], {}
            for name, png in digest.charts.items():
                path = Path(folder) / f"{name.replace('_', '-')}-{digest.week}.png"
                path.write_bytes(png)
                attachments.append(path)
                sources[name] = f"cid:{path.name}"
            # The charts travel as inline parts the HTML names by cid: (Gmail and Outlook show no data-URI
            # image); a URL saying inline=no gets them as data URIs and plain attachments, as before.
            for url in email:
                inline = _inline(url)
                html = render_html(digest, sources) if inline else render_html(digest)
                # Named as configured, in the retry warnings too: the `inline=yes` added here is no business
                # of the reader's.
                results += _send(digest.brand, [inline or url], title, html, "html", attachments, retries,
                                 shown_as=[url])
    if chat:
        results += _send(digest.brand, chat, title, render_markdown(digest), "markdown", None, retries)
    return results  # failures are logged by `deliver` and reported by the caller
