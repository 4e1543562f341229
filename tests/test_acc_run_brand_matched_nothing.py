"""A brand that matched none of what a run read says so, beside how many items that was.

A first run whose Acme query was too narrow ('acme or acmekettle': three words, all needed) read 16 Reddit posts
and comments and said 'Acme Kettles: 0 new, 0 already seen; nothing stored for it yet (items are matched to
brands as they are collected; those collected before it was added are not)': the brand had been in the config
from the start, and nothing pointed at its query.
"""

from __future__ import annotations

import pytest

from journeywatch.cli.core import print_summary


def _summary(fetched: int) -> dict:
    source = {"source": "reddit", "status": "ok", "fetched": fetched, "new": fetched, "seen": 0, "edited": 0,
              "skipped": 0, "unmatched": 0, "error": None, "warnings": []}
    return {"brands": {"Acme": {"new": 0, "seen": 0, "counts": []},
                       "Globex": {"new": fetched, "seen": 0, "counts": [("none", "neutral", fetched)]}},
            "sources": [source, {**source, "source": "reviews", "fetched": 3, "new": 3}],
            "classification": {"classified": fetched}, "alerts": {"fired": [], "notes": []}}


def test_a_brand_matching_none_of_the_items_read_points_at_its_query(capsys: pytest.CaptureFixture[str]) -> None:
    print_summary(_summary(16))
    out = " ".join(capsys.readouterr().out.split())
    assert ("Acme: 0 new, 0 already seen; nothing stored for it yet: its query matched none of the 19 items "
            "read this run (items are matched") in out, out


def test_a_run_that_read_nothing_says_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    summary = _summary(0)
    summary["sources"] = summary["sources"][:1]
    print_summary(summary)
    out = " ".join(capsys.readouterr().out.split())
    assert "Acme: 0 new, 0 already seen; nothing stored for it yet (items are matched" in out, out
