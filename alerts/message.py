"""What an alert says: a title and an HTML body, with every piece of internet text escaped.

Item texts, sources and links come from strangers on the internet, so they
are HTML-escaped before they go into a body, and links are shown as text
beside the anchor, so they survive apprise's conversion to plain text
(JSON webhooks, the file target).
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from journeywatch.links import safe_url

from .alert import Alert, expected_text, item_time_text, moment_text, ratio_text, window_text

_TEXT_LIMIT = 400


# Explicit bidi embeddings, overrides and isolates, as the digest drops them (reports/formatting.py): a post's
# unclosed RIGHT-TO-LEFT OVERRIDE reversed the rest of its line in the e-mail, the source and date included.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _short(text: str, limit: int = _TEXT_LIMIT) -> str:
    text = " ".join(BIDI_CONTROLS.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alert_title(alert: Alert) -> str:
    return f"journeywatch alert: negative share-stage spike for {alert.brand}"


def alert_html(alert: Alert, zone: str = "UTC") -> str:
    """The alert body: figures, the sources that drove it, the top items with their links.

    Times are in `zone` (`digest.timezone`), with UTC beside the window's where it differs: a brand manager
    in Berlin read "14:00–15:00 UTC" for a spike lived from 15:00.
    """
    when = window_text(alert.window_start, alert.window_end, zone)  # the end's date too when past midnight
    share = f"{alert.negative_share:.0%}" if alert.negative_share is not None else "n/a"
    span = "this window" if alert.windows == 1 else f"the last {alert.windows} windows"
    # The share is of the last window alone: beside a sum of windows, "the window" read as all of them.
    last = alert.window_end - (alert.window_end - alert.window_start) / max(alert.windows, 1)
    share_of = "the window" if alert.windows == 1 else (
        f"the last of those windows ({window_text(last, alert.window_end, zone)})")
    lines = [
        *_from_history(alert),
        f"<h2>{escape(alert.brand)}: negative share-stage spike</h2>",
        f"<p>{alert.observed} negative share-stage items ({escape(span)}, {escape(when)}) "
        f"against {expected_text(alert.expected)} expected: {ratio_text(alert.ratio)} the brand's usual level "
        f"for that time, "
        f"upper-tail probability {alert.p_value:.1e} ({escape(alert.model)} model). "
        f"Negative share of share-stage items in {escape(share_of)}: {escape(share)} of {alert.share_items}.</p>",
        "<h3>Sources</h3>",
        "<ul>" + "".join(f"<li>{escape(name)}: {count}</li>" for name, count in alert.sources.items()) + "</ul>",
        "<h3>Top items</h3>",
        "<ol>",
    ]
    for item in alert.top_items:
        link = safe_url(item.url)  # as the digest links; a `javascript:` one is shown as text
        where = f' — <a href="{escape(link)}">{escape(link)}</a>' if link else (
            f" — {escape(item.url)}" if item.url else "")
        posted = item_time_text(item.created_at, zone)
        lines.append(f"<li>“{escape(_short(item.text))}” ({escape(item.source)}, {escape(posted)}){where}</li>")
    lines.append("</ol>")
    return "\n".join(lines)


def _from_history(alert: Alert) -> list[str]:
    """The line an alert opens with when its window ended a day or more before the check that raised it.

    The first check over an import of eight weeks judges all of it once: spikes of 23 Oct and 1 Nov, raised on
    24 Nov, were sent as any alert ("this window, 2026-10-23 10:00-11:00 UTC"), read in a chat as live.
    """
    days = (alert.created_at - alert.window_end).days
    if days < 1:
        return []
    return [f"<p><em>From stored history: this window ended {days} day{'' if days == 1 else 's'} before this "
            "check judged it (a brand's first check judges all of its stored history once, as after an import "
            "of past mentions); the spike is likely over.</em></p>"]


def late_note_html(first_tried: str | None, zone: str = "UTC") -> str:
    """The line a re-sent alert opens with: it is late, and since when it was due (in `zone`)."""
    if not first_tried:
        return "<p><em>Sent late: the first delivery to this target failed.</em></p>\n"
    try:
        when = moment_text(datetime.fromisoformat(first_tried), zone)
    except ValueError:
        when = first_tried
    return f"<p><em>Sent late: the first delivery to this target, at {escape(when)}, failed.</em></p>\n"


def unfinished_note_html(claimed_at: str, zone: str = "UTC") -> str:
    """The line an alert opens with when sent again because the check sending it first was stopped mid-send."""
    try:
        when = moment_text(datetime.fromisoformat(claimed_at), zone)
    except ValueError:
        when = claimed_at
    return (f"<p><em>Sent again: the check that began sending this at {escape(when)} was stopped before it "
            "could tell whether it arrived, so it may have reached you already.</em></p>\n")


def ended_title(alert: Alert) -> str:
    return f"journeywatch: the negative share-stage spike for {alert.brand} has ended"


def ended_html(alert: Alert, zone: str = "UTC") -> str:
    start = moment_text(alert.window_start, zone)
    last = moment_text(alert.last_window_end, zone)
    return (f"<p>The spike for {escape(alert.brand)} that began at {escape(start)} subsided after "
            f"{escape(last)}: no window since has been flagged.</p>")


def message(alert: Alert, kind: str, zone: str = "UTC") -> tuple[str, str, str]:
    """Title, HTML body and apprise notify type of an alert (`kind` "alert") or its ended notice ("ended"),
    its times in `zone` (`digest.timezone`)."""
    if kind == "ended":
        return ended_title(alert), ended_html(alert, zone), "info"
    return alert_title(alert), alert_html(alert, zone), "warning"
