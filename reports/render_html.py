"""The digest as one self-contained HTML page that survives email clients.

Jinja2 with autoescape on, so text from the internet is always escaped; links
only where `formatting.safe_url` accepts the address; charts inline as PNG
data URIs; tables and inline styles only, because mail clients drop <style>.
"""

from __future__ import annotations

import base64
from datetime import date
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .fired_alerts import alert_summary
from .formatting import (
    BACKLOG,
    average_label,
    baseline_name,
    change_vs_baseline,
    count,
    emerging_note,
    figure,
    journey_change_text,
    models_text,
    overlap_text,
    previous_weeks,
    quote_date,
    safe_url,
    shaded_note,
    short,
    signed,
    stage_title,
    thousands,
    tone,
    touchpoint_shares,
    undated_map_note,
    undated_note,
    unmapped_text,
    volume_change_text,
)
from .model import Digest


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("journeywatch.reports", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(short=short, safe_url=safe_url, vs_baseline=change_vs_baseline, stage_title=stage_title,
                       count=count, thousands=thousands, touchpoint_shares=touchpoint_shares,
                       quote_date=quote_date)
    return env


def period_text(digest: Digest) -> str:
    """'Mon 9 Nov – Sun 15 Nov 2026'; a week across New Year names both years ('Mon 28 Dec 2020 – Sun 3 Jan 2021')."""
    start, end = date.fromisoformat(digest.week_start), date.fromisoformat(digest.week_end)
    first_year = f" {start.year}" if start.year != end.year else ""
    return f"{start:%a} {start.day} {start:%b}{first_year} – {end:%a} {end.day} {end:%b %Y}"


def headline_cards(digest: Digest) -> list[dict[str, str]]:
    """The three numbers at the top, with their change and a note saying what they count."""
    h = digest.headline
    return [
        {"label": "Mentions", "value": f"{int(h.volume.value or 0):,}", "change": volume_change_text(digest),
         # the mentions first: 'N on the journey; of which 240 ...' read as 240 of the journey items
         "tone": "flat", "note": (f"of which {undated_note(h.undated)}; " if h.undated else "")
         + f"{h.journey_items:,} on the journey"},
        {"label": "Net sentiment", "value": "—" if h.net_sentiment.value is None else signed(h.net_sentiment.value),
         "change": journey_change_text(digest, h.net_sentiment, h.net_sentiment_known_date),
         "tone": tone(h.net_sentiment.delta),
         "note": "positive minus negative, pts"},
        {"label": "Negative share-stage", "value": figure(h.negative_share_talk.value, "{:.1f}%"),
         "change": journey_change_text(digest, h.negative_share_talk, h.negative_share_talk_known_date,
                                     percent=True),
         "tone": tone(h.negative_share_talk.delta, good_when_up=False),
         # 'of N journey items': '20.0%' over '11 warnings' read as a fifth of the share stage being negative
         "note": (f"{h.negative_share_count:,} warning or bad review" if h.negative_share_count == 1 else
                  f"{h.negative_share_count:,} warnings and bad reviews")
         + f" of {h.journey_items:,} journey item{'' if h.journey_items == 1 else 's'}"},
    ]


def render_html(digest: Digest, image_src: dict[str, str] | None = None) -> str:
    """The HTML digest; charts must have been drawn (`charts.add_charts`) first.

    Charts are PNG data URIs unless `image_src` gives each chart's address instead (an email's
    `cid:` parts: Gmail and Outlook show no data-URI image).
    """
    if not digest.charts:
        raise ValueError("render_html needs the charts: call reports.charts.add_charts(digest) first")
    retention = next((s for s in digest.stages if s.derived == "retention"), None)
    return _environment().get_template("digest.html.j2").render(
        d=digest,
        c=digest.coverage,
        period=period_text(digest),
        cards=headline_cards(digest),
        retention=retention,
        unmapped=unmapped_text(digest.unmapped),
        shaded=shaded_note(digest),
        overlap=overlap_text(digest),
        models=models_text(digest),
        undated_map=undated_map_note(digest),
        backlog=BACKLOG,
        not_compared={s.name: emerging_note(digest, s) for s in digest.stages},
        versus=average_label(digest.baseline_weeks),
        previous=previous_weeks(digest.baseline_weeks),
        baseline_name=baseline_name(digest.baseline_weeks),
        alerts=[alert_summary(a, digest.timezone) for a in digest.alerts],
        charts=image_src or {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
                             for name, png in digest.charts.items()},
    )
