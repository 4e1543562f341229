"""Sending a digest: HTML to email targets, Markdown to chat targets, through apprise.

Delivery goes through `journeywatch.alerts.notify.deliver` (retries, logging
that never prints a token), the one place the project talks to apprise.
Email also carries the two charts as PNG attachments, for clients that block
data-URI images.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

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
          attachments: list[Path] | None, retries: int) -> list[SentDigest]:
    results = deliver(urls, title, body, body_format=body_format, attachments=attachments, retries=retries)
    return [SentDigest(brand, r.target, r.ok, r.error or "") for r in results]


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
            attachments = []
            for name, png in digest.charts.items():
                path = Path(folder) / f"{name.replace('_', '-')}-{digest.week}.png"
                path.write_bytes(png)
                attachments.append(path)
            results += _send(digest.brand, email, title, render_html(digest), "html", attachments, retries)
    if chat:
        results += _send(digest.brand, chat, title, render_markdown(digest), "markdown", None, retries)
    return results  # failures are logged by `deliver` and reported by the caller
