"""The weekly digest: SQL aggregates to figures, charts, and HTML / Markdown / JSON for brand managers.

Plain functions, no Prefect: `flows/digest.py` schedules them and the CLI
calls `make_digests`.
"""

from .build import build_digest
from .charts import add_charts
from .deliver import SentDigest, deliver_digest
from .digests import (
    DigestRun,
    NoDataError,
    file_slugs,
    make_digests,
    resolve_week,
    select_brands,
    write_digest,
)
from .model import Digest
from .render_html import render_html
from .render_json import render_json
from .render_markdown import md_escape, render_markdown
from .weeks import Week, WeekError, last_complete_week, parse_week

__all__ = [
    "Digest",
    "DigestRun",
    "NoDataError",
    "SentDigest",
    "Week",
    "WeekError",
    "add_charts",
    "build_digest",
    "deliver_digest",
    "file_slugs",
    "last_complete_week",
    "make_digests",
    "md_escape",
    "parse_week",
    "render_html",
    "render_json",
    "render_markdown",
    "resolve_week",
    "select_brands",
    "write_digest",
]
