"""`check_alerts`: judge every complete window not judged yet, store spikes, deliver them.

Per brand: read the watermark, count share-stage items per window in SQL
(the new windows plus the trailing baseline), run the pure detector and the
cooldown tracker over them, then in one transaction claim the windows and
store what happened. Notifications go out after the commit, so a window is
never judged twice even when a delivery hangs or fails; their results are
recorded on the alert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import Engine

from journeywatch.settings import AlertSettings, Config

from .alert import Alert, window_text
from .counts import (
    evidence,
    first_seen,
    late_items,
    unclassified,
    undated_items,
    window_counts,
    window_index,
    window_origin,
    window_start,
)
from .detector import WEEK, Series, Verdict, evaluate
from .message import message
from .notify import deliver
from .redact import redact
from .resend import Held, Resent, claim_record, resend_failed, settle_claims
from .state import (
    checked_until,
    claim_windows,
    end_alert,
    extend_alert,
    forget_judgments_before,
    get_alert,
    insert_alert,
    last_checked_at,
    open_alert,
    spans_between,
)
from .tracking import OpenSpike, track

logger = logging.getLogger("journeywatch.alerts")


def check_alerts(engine: Engine, config: Config, now: datetime | None = None,
                 notes: list[str] | None = None, resent: list[Resent] | None = None,
                 ended: list[Alert] | None = None) -> list[Alert]:
    """Judge each brand's complete windows since its last check; return the alerts this check raised.

    The first check of a brand scans its whole stored history once (no
    alert before `min_history`); later checks judge only the windows that
    completed since. New alerts are delivered to `config.alerts.notify`.
    A caller that shows the user what the check found passes `notes`: the
    warnings (late items) go there instead of only to the log, so both
    `alerts check` and the monitor's summary can print them.

    Before judging, each brand's recent alerts go once more to the targets
    whose delivery failed (`alerts.resend`): a receiver that was down gets
    them once it is back. Each such send is a note, and is added to `resent`.
    A send that waits for the claim of a check on another machine to lapse
    is a note too.

    An alert raised by an earlier check whose ended notice this check sent
    (`notify_ended`) is added to `ended`, with its delivery records: returned
    nowhere, a notice that failed was said by no one until the next check.
    """
    now = now or datetime.now(timezone.utc)
    zone = config.digest.timezone  # where the brand managers read the alerts' times (stored in UTC)
    fired: list[Alert] = []
    for brand in config.brands:
        held: list[tuple[Held, Alert]] = []
        for outcome, alert in resend_failed(engine, brand.name, config.alerts, now, zone, held):
            _note(notes, outcome.note(alert, zone))
            if resent is not None:
                resent.append(outcome)
        for claim, alert in held:  # 15 minutes of "No new alerts." read as nothing pending
            _note(notes, claim.note(alert, zone))
        fired.extend(check_brand(engine, brand.name, config.alerts, now, notes, ended, zone=zone))
    return fired


def ended_failures(ended: list[Alert]) -> list[tuple[Alert, dict[str, Any]]]:
    """Each ended notice of `ended` (see `check_alerts`) that a target did not get, with its alert."""
    return [(alert, record) for alert in ended for record in alert.deliveries
            if record.get("kind") == "ended" and not record.get("ok")]


def held_back(engine: Engine, config: Config, now: datetime) -> list[str]:
    """One line per brand that cannot alert yet (nothing stored, or less than min_history), saying why.

    "No new alerts." alone reads as "all quiet" when the check could not fire at all.
    """
    need = config.alerts.min_history
    lines = []
    for brand in config.brands:
        seen = first_seen(engine, brand.name)
        if seen is None:
            lines.append(f"{brand.name}: nothing stored yet, so no alert")
        elif seen + need > now:
            lines.append(f"{brand.name}: no alert before {_duration(need)} of history "
                         f"(history since {seen:%Y-%m-%d %H:%M} UTC; the first window that can alert is "
                         f"{_first_window(seen + need, config)}, judged once it ends; alerts.min_history)")
    return lines


def _first_window(ready: datetime, config: Config) -> str:
    """The first window starting at or after `ready`, as alerts show windows: only such a window may alert
    (`detector`: its start past `min_history`). "Alerts possible from" the instant itself was two weeks early
    with `window: 1w`."""
    window = config.alerts.window
    origin = window_origin(window, config.digest.timezone)
    index = window_index(ready, window, origin)
    if window_start(index, window, origin) < ready:
        index += 1
    start = window_start(index, window, origin)
    return window_text(start, start + window, config.digest.timezone)


def _duration(value: timedelta) -> str:
    """`min_history` as it was likely written: 12w said '84 days', which the reader had to divide back."""
    days, seconds = value.days, value.seconds
    if not seconds and days and days % 7 == 0:
        return f"{days // 7} week{'s' * (days != 7)}"
    if not seconds:
        return f"{days} day{'s' * (days != 1)}"
    hours = value / timedelta(hours=1)
    return f"{hours:g} hour{'s' * (hours != 1)}"


def _exclusions(engine: Engine, brand: str, settings: AlertSettings, first: int, stop: int,
                origin: datetime) -> np.ndarray:
    mask = np.zeros(stop - first, dtype=bool)
    since, until = window_start(first, settings.window, origin), window_start(stop, settings.window, origin)
    for start, end in spans_between(engine, brand, since, until):
        lo = max(window_index(start, settings.window, origin) - first, 0)
        hi = min(window_index(end - settings.window, settings.window, origin) - first + 1, stop - first)
        mask[lo:hi] = True
    return mask


def _alert_values(engine: Engine, brand: str, verdict: Verdict, settings: AlertSettings,
                  now: datetime, judged_until: datetime | None) -> dict[str, Any]:
    start = verdict.start - (verdict.windows - 1) * settings.window
    end = verdict.start + settings.window
    items, sources = evidence(engine, brand, start, end, judged_until=judged_until)
    return {
        "brand": brand, "window_start": start, "window_end": end, "last_window_end": end, "status": "active",
        "observed": verdict.observed, "expected": verdict.expected, "ratio": verdict.ratio,
        "p_value": verdict.p_value, "model": verdict.model, "windows": verdict.windows,
        "negative_share": verdict.negative_share, "share_items": verdict.share_items,
        "evidence": {"top_items": [_item(i) for i in items], "sources": sources},
        # Claimed in the transaction that stores the alert: a check killed before the outcomes are written
        # leaves the claims, and a later check sends the alert (`alerts.resend`) instead of never.
        "deliveries": [claim_record("alert", redact(url), now) for url in settings.notify],
        "created_at": now, "ended_at": None,
    }


def _item(item: Any) -> dict[str, Any]:
    return {"text": item.text, "url": item.url, "source": item.source, "source_kind": item.source_kind,
            "created_at": item.created_at}


def check_brand(engine: Engine, brand: str, settings: AlertSettings, now: datetime,
                notes: list[str] | None = None, ended: list[Alert] | None = None, zone: str = "UTC") -> list[Alert]:
    """`check_alerts` for one brand; windows of whole days start at midnight in `zone` (`window_origin`), the
    detector's hours of the day and weekdays are `zone`'s (people post by their own clock), and the messages
    sent give times there."""
    window = settings.window
    origin = window_origin(window, zone)
    seen = first_seen(engine, brand)
    if seen is None:
        return []
    previous = checked_until(engine, brand)
    history = window_index(seen, window, origin)
    start = window_index(previous, window, origin) if previous else history
    stop = window_index(now - settings.settle, window, origin)  # windows before this one are complete (and settled)
    if start >= stop:
        return []
    waiting, oldest = unclassified(engine, brand, window_start(start, window, origin))
    if oldest is not None and window_index(oldest, window, origin) < stop:  # judged now, they would count for nothing
        stop = window_index(oldest, window, origin)
        _note(notes, f"{brand}: {waiting} stored item(s) are not classified yet (the oldest written "
                     f"{oldest:%Y-%m-%d %H:%M} UTC); windows from "
                     f"{window_start(stop, window, origin):%Y-%m-%d %H:%M} UTC "
                     "are judged once they are (the next `journeywatch run` classifies them)")
        if start >= stop:
            return []
    if previous and (late := _late_note(engine, brand, settings, previous)):
        _note(notes, late)
    if undated := undated_items(engine, brand, window_start(start, window, origin),
                                window_start(stop, window, origin)):
        _note(notes, f"{brand}: {undated} negative share-stage item(s) of unknown date (undated entries on a feed's "
                     "first reading, stored at its fetch time: a backlog of any age) count towards no alert")
    first = max(history, _baseline_first(start, settings))
    judged_at = datetime.now(timezone.utc)  # wall-clock, as mentions.fetched_at: items fetched later are late
    counts = window_counts(engine, brand, window, first, stop, judged_until=previous, origin=origin)
    series = Series(window_start(first, window, origin), window, counts.negative, counts.share,
                    history_start=history - first, first_seen=seen, zone=zone)
    exclude = _exclusions(engine, brand, settings, first, stop, origin)
    verdicts = evaluate(series, settings, start - first, stop - first, exclude)
    current = open_alert(engine, brand)
    spike = OpenSpike(current.window_start, current.last_window_end, current.id) if current else None
    events, _ = track(verdicts, window, settings.cooldown, spike)
    new_values = {id(e.spike): _alert_values(engine, brand, e.verdict, settings, now, previous)
                  for e in events if e.kind == "start" and e.verdict is not None}
    new_ids: list[int] = []
    ended_ids: list[int] = []
    with engine.begin() as connection:
        if not claim_windows(connection, brand, previous, window_start(stop, window, origin), now, judged_at):
            logger.info("alerts for %s: another check judged these windows first", brand)
            return []
        forget_judgments_before(connection, brand, _judgments_needed_from(stop, settings, origin))
        for event in events:
            if event.kind == "start":
                event.spike.alert_id = insert_alert(connection, new_values[id(event.spike)])
                new_ids.append(event.spike.alert_id)
            elif event.kind == "extend" and event.spike.alert_id is not None:
                extend_alert(connection, event.spike.alert_id, event.spike.last_end)
            elif event.kind == "end" and event.spike.alert_id is not None:
                end_alert(connection, event.spike.alert_id, event.at)
                ended_ids.append(event.spike.alert_id)
    fired = [_notify(engine, get_alert(engine, alert_id), settings, zone=zone) for alert_id in new_ids]
    if settings.notify_ended and settings.notify:
        for alert_id in ended_ids:
            notice = _notify(engine, get_alert(engine, alert_id), settings, ended=True, zone=zone)
            if ended is not None and alert_id not in new_ids:  # a new one is returned with both notices
                ended.append(notice)
    for alert in fired:  # every caller shows what it returns (`alerts check`, the monitor's summary and log)
        logger.info("ALERT %s", alert.summary_line(zone))
    return [get_alert(engine, alert.id) for alert in fired]


def _baseline_first(start: int, settings: AlertSettings) -> int:
    """The first window a check judging from window `start` reads: its baseline's, one window early."""
    return start - int(settings.baseline_weeks * WEEK / settings.window) - 1


# Judgments kept a week past what the next check reads: a baseline_weeks raised by up to a week still finds them.
_JUDGMENTS_MARGIN = WEEK


def _judgments_needed_from(stop: int, settings: AlertSettings, origin: datetime) -> datetime:
    """The oldest time an item any later check counts can have, less a margin; judgments before it are not used.

    A later check judges from window `stop` or later, so it reads items from
    `_baseline_first(stop)` on. An item's judgment is the first one past its
    time (`counts._judged_at`): for those items, judgments ending before this
    time are never the first past them, so forgetting them changes no count.
    """
    return window_start(_baseline_first(stop, settings), settings.window, origin) - _JUDGMENTS_MARGIN


def _note(notes: list[str] | None, text: str) -> None:
    """A warning for the caller to show (`notes`), logged quietly then so it is not printed twice."""
    if notes is None:
        logger.warning("alerts for %s", text)
    else:
        logger.info("alerts for %s", text)
        notes.append(text)


def _late_note(engine: Engine, brand: str, settings: AlertSettings, previous: datetime) -> str | None:
    """Say when items arrived for windows already judged: they count towards no alert."""
    checked_at = last_checked_at(engine, brand)
    since = previous - settings.baseline_weeks * WEEK
    late, oldest = late_items(engine, brand, since, previous, checked_at) if checked_at else (0, None)
    if not late:
        return None
    items = "item arrived after its window was" if late == 1 else "items arrived after their window was"
    return (f"{brand}: {late} negative share-stage {items} judged "
            f"(the oldest written {oldest:%Y-%m-%d %H:%M} UTC) and count towards no alert; alerts.settle "
            f"(now {_as_written(settings.settle)}) should cover how late the sources deliver")


def _as_written(value: timedelta) -> str:
    """A duration as the config takes it, in its largest whole unit ('30m', '2h', '1d', '0m'): '0.5h', which the
    note gave for 30m, is refused by the config a user copies it into."""
    minutes = int(value / timedelta(minutes=1))
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def _notify(engine: Engine, alert: Alert, settings: AlertSettings, ended: bool = False, zone: str = "UTC") -> Alert:
    if not settings.notify:
        return alert
    kind = "ended" if ended else "alert"
    title, body, notify_type = message(alert, kind, zone)
    # Each target's outcome is written as soon as it is known: a check killed while a later target stalls
    # leaves only that target's claim, and the next check does not send the others a second copy.
    for url in settings.notify:
        [result] = deliver([url], title, body, "html", retries=settings.retries, notify_type=notify_type)
        alert.deliveries = settle_claims(engine, alert.id, kind, [{"kind": kind, **result.as_dict()}])
    return alert
