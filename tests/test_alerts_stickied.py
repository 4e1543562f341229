"""A subreddit's stickied post (its moderators' megathread) in the alert check: off the journey, as in the digest.

The digest counts a classified stickied post as a mention off the journey (no stage, never quoted); the
alerts counted it as negative share-stage talk, in the spike's window, the baseline and the negative share,
and quoted the megathread as the spike's evidence.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from journeywatch.alerts import Alert, check_alerts
from journeywatch.alerts.counts import window_counts, window_index
from journeywatch.domain import Mention, Prediction
from journeywatch.storage import iter_pending, open_database, save_predictions, store_batch
from tests.alerts_demo import demo_config, load_demo
from tests.test_alerts_check import AFTER_DEMO, HOUR, SPIKE

BRAND = "Northwind Air"
MEGATHREAD = "Weekly Northwind Air megathread: lost bags, delays, refunds? Post them here (mods)"


def _stickied(engine: Engine) -> int:
    """Moderators' stickied posts, classified share-stage with the surest confidence: negative ones in the
    spike's hour and at its hour of the four weeks before (the baseline), positive ones in the spike's hour."""
    rows = [(SPIKE + timedelta(minutes=5 + m), "negative") for m in range(3)]
    rows += [(SPIKE - timedelta(weeks=w, minutes=-20 - m), "negative") for w in range(1, 5) for m in range(4)]
    rows += [(SPIKE + timedelta(minutes=30 + m), "positive") for m in range(6)]
    items = [Mention(source="reddit-mods", external_id=f"sticky-{i}", source_kind="reddit", title=MEGATHREAD,
                     text=f"{MEGATHREAD} #{i}", url=f"https://www.reddit.com/r/flying/comments/s{i}/", created_at=at,
                     stickied=True, brands=[BRAND])
             for i, (at, _) in enumerate(rows)]
    store_batch(engine, items)
    sentiment = {f"{MEGATHREAD} #{i}": label for i, (_, label) in enumerate(rows)}
    for batch in iter_pending(engine, 1000):
        save_predictions(engine, "test", [(p.mention_id, Prediction("ultimate_moment", 0.99, sentiment[p.text], 0.99,
                                                                     {}, {})) for p in batch])
    return len(rows)


def _figures(alert: Alert) -> tuple[object, ...]:
    return (alert.brand, alert.window_start, alert.observed, alert.expected, alert.p_value, alert.windows,
            alert.negative_share, alert.share_items, alert.sources, [item.text for item in alert.top_items])


def test_a_stickied_megathread_counts_in_no_alert_window_and_is_never_evidence(
    database_url: str, tmp_path: Path,
) -> None:
    plain_url = f"sqlite:///{tmp_path / 'plain.db'}"
    plain = open_database(plain_url)
    load_demo(plain, demo_config(plain_url))
    engine = open_database(database_url)
    config = demo_config(database_url)
    load_demo(engine, config)
    assert _stickied(engine) == 25

    # Counted as the digest counts them: in no window, negative or share, the spike's nor the baseline's.
    first, stop = window_index(SPIKE - timedelta(weeks=5), HOUR), window_index(SPIKE, HOUR) + 1
    with_them, without = window_counts(engine, BRAND, HOUR, first, stop), window_counts(plain, BRAND, HOUR, first, stop)
    assert with_them.negative.tolist() == without.negative.tolist()
    assert with_them.share.tolist() == without.share.tolist()

    fired = check_alerts(engine, config, now=AFTER_DEMO)
    expected = check_alerts(plain, demo_config(plain_url), now=AFTER_DEMO)
    assert [_figures(a) for a in fired] == [_figures(a) for a in expected]
    [alert] = fired
    assert (alert.window_start, alert.observed) == (SPIKE, 16)
    assert "reddit-mods" not in alert.sources
    assert all("megathread" not in item.text for item in alert.top_items)
