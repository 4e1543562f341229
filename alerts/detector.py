"""The spike detector: a pure function over one brand's count series.

Each window's count of negative share-stage items is tested against what the
brand's own trailing baseline predicts for that time of day and day of week
(level × slot-of-day factor × weekday factor, rescaled to the last day's
level), with the upper tail of a count model: Poisson, or negative binomial
when the baseline is over-dispersed. A window that falls just short is tested
again together with the window before it, which catches spikes spread over
two windows one window late. A window is flagged only when every guard
agrees (minimum history, minimum count, minimum ratio, tail probability, and
the negative share of share-stage items when configured), because a tail
probability alone fires on noise in quiet brands.

No database and no clock here: the database layer and the evaluation
benchmark both feed it plain arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import stats

from journeywatch.settings import AlertSettings

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
_FACTOR_PRIOR = 5.0  # items of prior weight behind each seasonal factor: thin history, flat expectations
_LOCAL_PRIOR = 10.0  # items of prior weight when rescaling to the last day's level
_MIN_DISPERSION = 0.02  # below this the negative binomial is a Poisson in all but name


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the detector says of one window."""

    index: int
    start: datetime
    observed: int
    expected: float
    p_value: float
    ratio: float
    model: str  # "poisson" or "negbin"
    dispersion: float  # 1/k of the negative binomial (0 for Poisson)
    negative_share: float | None  # negative / all share-stage items in the window
    share_items: int  # all share-stage items in the window
    windows: int  # 1, or 2 when the window and the one before it were tested together
    flagged: bool
    reason: str  # "spike", or the first guard that held it back


@dataclass(frozen=True, slots=True)
class Series:
    """A brand's counts on a regular grid of windows starting at `origin`.

    `negative[i]` counts negative share-stage items in window i,
    `share[i]` all share-stage items (None when unknown), and windows before
    `history_start` precede the brand's first stored item, so they are not
    zeros but unknown and never enter a baseline.
    """

    origin: datetime
    window: timedelta
    negative: np.ndarray
    share: np.ndarray | None = None
    history_start: int = 0
    first_seen: datetime | None = None

    def start(self, index: int) -> datetime:
        return self.origin + index * self.window


def _seasonal_slots(series: Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Slot of the day and weekday of every window (slot of day is 0 when windows are a day or longer)."""
    n = len(series.negative)
    seconds = series.window.total_seconds()
    slots_per_day = max(1, int(round(DAY.total_seconds() / seconds)))
    offsets = np.arange(n) * seconds
    origin = series.origin
    since_midnight = origin.hour * 3600 + origin.minute * 60 + origin.second
    absolute = since_midnight + offsets
    slot = ((absolute % DAY.total_seconds()) // seconds).astype(int) % slots_per_day
    weekday = ((origin.weekday() + absolute // DAY.total_seconds()) % 7).astype(int)
    if slots_per_day == 1:
        slot[:] = 0
    return slot, weekday, slots_per_day


def _tail(observed: int, expected: float, dispersion: float) -> tuple[float, str]:
    """P(X >= observed) under Poisson or NB2 with variance mu + dispersion * mu^2."""
    if observed <= 0:
        return 1.0, "poisson"
    if dispersion < _MIN_DISPERSION:
        return float(stats.poisson.sf(observed - 1, expected)), "poisson"
    k = 1.0 / dispersion
    return float(stats.nbinom.sf(observed - 1, k, k / (k + expected))), "negbin"


class _Baseline:
    """Expected counts from the trailing baseline: level × slot-of-day factor × weekday factor.

    The caller rescales the expectation by the last day's observed/expected
    level, so a drift or a busy news week is not mistaken for a spike; the
    dispersion is measured on residuals rescaled the same way (each day by
    the day before it), so it holds exactly the variation that rescaling
    cannot foresee.
    """

    def __init__(self, x: np.ndarray, slot: np.ndarray, weekday: np.ndarray, slots_per_day: int,
                 per_day: int) -> None:
        n = len(x)
        self.level = (float(x.sum()) + 0.5) / max(n, 1)  # never zero: a silent brand still has some rate
        # Each seasonal factor is (items seen) / (items a flat rate predicts), both
        # padded with _FACTOR_PRIOR items: a gamma prior centred on 1, so a slot
        # with a handful of items moves little and a busy slot speaks for itself.
        slot_n = np.bincount(slot, minlength=slots_per_day)
        slot_sum = np.bincount(slot, weights=x, minlength=slots_per_day)
        self.slot_factor = (slot_sum + _FACTOR_PRIOR) / (slot_n * self.level + _FACTOR_PRIOR)
        day_n = np.bincount(weekday, minlength=7)
        day_sum = np.bincount(weekday, weights=x, minlength=7)
        self.day_factor = (day_sum + _FACTOR_PRIOR) / (day_n * self.level + _FACTOR_PRIOR)
        # Relative variance of the estimated slot rate (about 1/items behind it): the
        # expectation is itself uncertain, most of all where history is thin.
        self.slot_uncertainty = 1.0 / (slot_sum + _FACTOR_PRIOR)
        fitted = self.level * self.slot_factor[slot] * self.day_factor[weekday]
        if n:
            blocks = (np.arange(n)[::-1] // per_day)  # day blocks counted back from the newest window
            observed = np.bincount(blocks, weights=x)
            expected = np.bincount(blocks, weights=fitted)
            # Scale each day by the day before it, as a prediction is scaled, so the
            # dispersion holds whatever the local level cannot foresee.
            ratio = (observed + _LOCAL_PRIOR) / (expected + _LOCAL_PRIOR)
            previous = np.append(ratio[1:], 1.0)
            fitted = fitted * previous[blocks]
            # Method-of-moments NB2 dispersion: variance beyond Poisson, relative to mean².
            excess = float(np.sum((x - fitted) ** 2 - fitted))
            self.dispersion = max(0.0, excess / float(np.sum(fitted**2)))
        else:
            self.dispersion = 0.0

    def expected(self, slot: np.ndarray, weekday: np.ndarray) -> np.ndarray:
        return self.level * self.slot_factor[slot] * self.day_factor[weekday]


def evaluate(
    series: Series,
    settings: AlertSettings,
    start: int,
    stop: int | None = None,
    exclude: np.ndarray | None = None,
) -> list[Verdict]:
    """Judge windows `start..stop` of `series`, in order.

    `exclude` marks windows kept out of every baseline (earlier spikes, so a
    spike does not teach the detector that spikes are normal); windows this
    call flags are added to it as it goes, so it is updated in place.
    """
    x_all = np.asarray(series.negative, dtype=float)
    n = len(x_all)
    stop = n if stop is None else min(stop, n)
    if exclude is None:
        exclude = np.zeros(n, dtype=bool)
    slot, weekday, slots_per_day = _seasonal_slots(series)
    span = int(round(settings.baseline_weeks * WEEK / series.window))
    per_day = max(1, int(round(DAY / series.window)))
    verdicts = []
    for i in range(max(start, 0), stop):
        verdict = _judge(series, settings, i, x_all, slot, weekday, slots_per_day, span, per_day, exclude)
        if verdict.flagged:
            exclude[i] = True
        verdicts.append(verdict)
    return verdicts


def _test(observed: int, expected: float, dispersion: float, settings: AlertSettings) -> tuple[float, str, float, str]:
    """Tail probability, model, ratio and the first guard that fails ("" when none does)."""
    p_value, model = _tail(observed, expected, dispersion)
    ratio = observed / expected if expected > 0 else math.inf
    if observed < settings.min_count:
        return p_value, model, ratio, "count"
    if ratio < settings.min_ratio:
        return p_value, model, ratio, "ratio"
    if p_value > settings.p_value:
        return p_value, model, ratio, "p_value"
    return p_value, model, ratio, ""


def _judge(series: Series, settings: AlertSettings, i: int, x_all: np.ndarray, slot: np.ndarray,
           weekday: np.ndarray, slots_per_day: int, span: int, per_day: int,
           exclude: np.ndarray) -> Verdict:
    lo = max(series.history_start, i - span)
    keep = ~exclude[lo:i]
    baseline = _Baseline(x_all[lo:i][keep], slot[lo:i][keep], weekday[lo:i][keep], slots_per_day, per_day)
    # Today's level from the day before the previous window, which may already be part of the spike.
    r_lo = max(lo, i - 1 - per_day)
    recent = np.arange(r_lo, max(r_lo, i - 1))
    recent = recent[~exclude[recent]]
    local = (float(x_all[recent].sum()) + _LOCAL_PRIOR) / (
        float(baseline.expected(slot[recent], weekday[recent]).sum()) + _LOCAL_PRIOR)
    expected_pair = baseline.expected(slot[[i - 1, i]], weekday[[i - 1, i]]) * local
    expected = float(expected_pair[1])
    observed = int(x_all[i])
    recent_items = float(x_all[recent].sum())
    dispersion = (baseline.dispersion + float(baseline.slot_uncertainty[slot[i]])
                  + 1.0 / (recent_items + _LOCAL_PRIOR))
    p_value, model, ratio, failed = _test(observed, expected, dispersion, settings)
    windows = 1
    # Two windows together see a spike that is too thin for one; only while this window is itself raised.
    if failed and i - 1 >= lo and not exclude[i - 1] and ratio >= settings.min_ratio:
        pair_observed = int(x_all[i - 1] + x_all[i])
        pair_expected = float(expected_pair.sum())
        pair_dispersion = dispersion * float(np.sum(expected_pair**2)) / pair_expected**2
        pair = _test(pair_observed, pair_expected, pair_dispersion, settings)
        if not pair[3]:
            p_value, model, ratio, failed = pair
            observed, expected, dispersion, windows = pair_observed, pair_expected, pair_dispersion, 2
    share_items = int(series.share[i]) if series.share is not None else 0
    negative_share = int(x_all[i]) / share_items if share_items else None
    start = series.start(i)
    if series.first_seen is not None:
        enough_history = start >= series.first_seen + settings.min_history
    else:
        enough_history = (i - series.history_start) * series.window >= settings.min_history
    if not enough_history:
        reason = "history"
    elif failed:
        reason = failed
    elif settings.min_negative_share > 0 and (negative_share or 0.0) < settings.min_negative_share:
        reason = "negative_share"
    else:
        reason = "spike"
    return Verdict(i, start, observed, expected, p_value, ratio, model,
                   dispersion if model == "negbin" else 0.0,
                   negative_share, share_items, windows, reason == "spike", reason)
