"""A run that re-read a feed entry with new text said "Classified 1 new mention": it was not new, but edited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

CLI = [sys.executable, "-m", "journeywatch"]


def _feed(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Reviews</title>'
            "<item><guid>review-1</guid><title>Acme kettle</title><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate>"
            f"<description>{text}</description></item></channel></rss>").encode()


def _run(tmp_path: Path) -> str:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run([*CLI, "run", "--config", "jw.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def test_a_run_that_classified_an_edited_entry_does_not_call_it_new(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.routes["/reviews.rss"] = Route(_feed("The Acme kettle broke after a week"))
    (tmp_path / "jw.yaml").write_text(
        "database: sqlite:///jw.db\nbrands: [{name: Acme, query: acme}]\nalerts: {enabled: false}\n"
        f"sources: [{{name: reviews, kind: feed, url: '{feed_server.url('/reviews.rss')}', source_kind: review}}]\n",
        encoding="utf-8")
    first = _run(tmp_path)
    assert "Classified 1 new mention with " in first, first

    feed_server.routes["/reviews.rss"] = Route(_feed("The Acme kettle broke after a week; Acme replaced it at once"))
    second = _run(tmp_path)

    assert "new mention" not in second, second
    assert "Classified 1 mention with " in second and "(new or edited: 1 edited this run)." in second, second
