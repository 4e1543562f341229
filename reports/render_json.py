"""The digest as JSON: every figure, for machines (dashboards, other teams' pipelines).

A link is given only where the HTML and Markdown would make one (`safe_url`: an absolute http(s) address),
else null: a post's `javascript:` or `data:` link, kept as stored, became a link in a dashboard that showed it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from journeywatch.links import safe_url

from .model import Digest

# 2: a stage's `history` may hold null (weeks a cue-measured stage was not measured), term `count` and
# `baseline_count` are items, not uses, and `unmapped` and `terms_listed` were added. Since added:
# `baseline_items` and the retention stage's `extra.history_items`; `history` and `trend.counts` hold null
# for the weeks before the brand's first item, `first_item` says when that was (null: none stored), `data_from`
# when the counted weeks begin (the first item, or for a brand with none by the week's end the first stored from
# the config's sources: weeks from it count 0; null: nothing stored), and
# `coverage.off_journey` counts the classified items of moment none; `headline.undated`, `undated_previous`,
# `coverage.undated` and each stage's `undated` count items of unknown date (a feed's backlog, stored when read),
# and `headline.volume.delta` and a stage's `baseline` and `change_vs_baseline` count items of known date;
# so, where either week has such items, do `headline.net_sentiment.delta` and `negative_share_talk.delta`, with
# the figures they compare in `headline.net_sentiment_known_date` and `negative_share_talk_known_date` (else null).
# A quote (a stage's `quotes`, `negative_share_items`) of unknown date has `date_known` false and `created_at`
# null: the time stored for it is when the feed was read, not when it was written. A quote's `url` (and that of an
# alert's `top_items`) is null where it is no absolute http(s) address (`javascript:`, `data:`): never a link.
# A quote's `nsfw` is true for a Reddit post marked NSFW (quoted only where no other item is), else false.
# `coverage.stickied`: of `off_journey`, moderators' stickied Reddit posts and pinned forum topics (classified, counted off the journey).
# `model_versions` counts the classified items of the trend's weeks per classifier model version.
# `tracked_since`: where the brand was added to the config after its sources had been read, the newest item
# read before (null: none was); `history` and `trend.counts` are null for the weeks up to the one holding it.
FORMAT_VERSION = 2


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _safe_links(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a fresh copy, from `as_dict`) with every quote's and alert item's `url` passed through `safe_url`."""
    quotes = [q for stage in data["stages"] for q in stage["quotes"]] + data["negative_share_items"]
    for item in quotes + [i for alert in data["alerts"] for i in alert.get("top_items", [])]:
        item["url"] = safe_url(item.get("url"))
    return data


def render_json(digest: Digest) -> str:
    """All figures of `digest` (not the chart pictures) as indented JSON with a format version."""
    return json.dumps({"format_version": FORMAT_VERSION, **_safe_links(digest.as_dict())}, default=_default,
                      indent=2, ensure_ascii=False)
