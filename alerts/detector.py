"""The spike detector: a pure function over one brand's count series.

Each window's count of negative share-stage items is tested against what the
brand's own trailing baseline predicts for that time of day and day of week
(level × slot-of-day factor × weekday factor, rescaled to the local level:
observed / expected over the preceding windows, weighted down with the
half-life among LEVEL_HALF_LIVES that best predicts the brand's own
baseline), with the upper tail of a count model: Poisson, or negative
binomial when the baseline's variance beyond Poisson is worth counting.
Alongside the single window, the sums of the last 2..`scan_windows` windows ending at it
are tested the same way (a scan statistic: a spike spread over hours is far
more significant as a whole than in any one hour), each against the
dispersion the baseline shows for sums of that many windows, and only while
the window itself is above its expectation. A window is flagged only when
every guard agrees for its most significant scan (minimum history, minimum
count, minimum ratio, tail probability, and the negative share of
share-stage items when configured), because a tail probability alone fires
on noise in quiet brands.

No database and no clock here: the database layer and the evaluation
benchmark both feed it plain arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
from scipy import stats
from scipy.signal import lfilter

from journeywatch.settings import AlertSettings

from .alert import is_utc

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
_FACTOR_PRIOR = 2.0  # items of prior weight behind each seasonal factor: thin history, flat expectations
# Days of flat-rate items of prior weight behind each weekday factor. A weekday factor rests on
# whole days, and a day's level wanders as a whole (a busy news day), so its noise does not
# shrink with the items in it: with one week of history the factor was that one day's level,
# noise and all. With a day of prior it moves halfway there from one day, 4/5 from four.
_DAY_PRIOR_DAYS = 1.0
_LOCAL_PRIOR = 10.0  # items of prior weight when rescaling to the local level
# Ages at which a window counts half towards the local level; each brand's baseline picks the one
# that best predicts its own next window (`_Baseline`).
LEVEL_HALF_LIVES = (timedelta(hours=3), timedelta(hours=6), timedelta(hours=12), timedelta(hours=24),
                    timedelta(hours=48))
# Below this much variance beyond Poisson, relative to the mean (dispersion × expected), the
# negative binomial is a Poisson in all but name. A cut on the dispersion alone is wrong for
# sums: at 0.015 a 6-window sum expecting 40 items still has 1.6 times Poisson's variance.
_MIN_EXCESS_VARIANCE = 0.02
_DISPERSION_FLOOR = 0.0  # least dispersion a brand's baseline is credited with


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
    windows: int  # how many consecutive windows ending at this one were tested together (1..scan_windows)
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
    zone: str = "UTC"  # IANA zone whose clock gives the slots of the day and weekdays (`_seasonal_slots`)

    def start(self, index: int) -> datetime:
        return self.origin + index * self.window


def _seasonal_slots(series: Series) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Slot of the day, weekday and calendar day (days since the epoch) of every window, by `series.zone`'s clock.

    People post by their own clock: in UTC, a brand's daily cycle moved an hour when the clocks changed, and
    for `baseline_weeks` after it each hour's baseline mixed two local hours (a false alarm at the end of the
    working day, a spike at its start measured against a busier hour). A window is placed by its start's local
    time; the hour the clocks repeat falls in one slot twice, and the hour they skip in none that day.
    The slot of day is 0 when windows are a day or longer.
    """
    n = len(series.negative)
    seconds = series.window.total_seconds()
    slots_per_day = max(1, int(round(DAY.total_seconds() / seconds)))
    offsets = np.arange(n) * seconds
    start = series.origin.timestamp()
    absolute = start + offsets + _utc_offsets(series, n)
    slot = ((absolute % DAY.total_seconds()) // seconds).astype(int) % slots_per_day
    day = (absolute // DAY.total_seconds()).astype(int)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    if slots_per_day == 1:
        slot[:] = 0
    return slot, weekday, slots_per_day, day


def _utc_offsets(series: Series, n: int) -> np.ndarray:
    """Seconds the zone's clock is ahead of UTC at each window's start (0 for UTC)."""
    if is_utc(series.zone):  # "Etc/UTC" too: no lookup per window
        return np.zeros(n)
    tz = ZoneInfo(series.zone)
    origin = series.origin.astimezone(timezone.utc)
    return np.array([((origin + i * series.window).astimezone(tz).utcoffset() or timedelta(0)).total_seconds()
                     for i in range(n)])


def _tail(observed: int, expected: float, dispersion: float) -> tuple[float, str]:
    """P(X >= observed) under Poisson or NB2 with variance mu + dispersion * mu^2."""
    if observed <= 0:
        return 1.0, "poisson"
    if dispersion * expected < _MIN_EXCESS_VARIANCE:
        return float(stats.poisson.sf(observed - 1, expected)), "poisson"
    k = 1.0 / dispersion
    return float(stats.nbinom.sf(observed - 1, k, k / (k + expected))), "negbin"


def _smooth(per_slot: np.ndarray) -> np.ndarray:
    """Circular [1/4, 1/2, 1/4] pooling of per-slot totals over the day, along the last axis
    (identity for fewer than 3 slots)."""
    if per_slot.shape[-1] < 3:
        return per_slot
    return 0.5 * per_slot + 0.25 * (np.roll(per_slot, 1, axis=-1) + np.roll(per_slot, -1, axis=-1))


def _deviance(x: np.ndarray, mean: np.ndarray) -> float:
    """Poisson deviance of counts `x` against `mean`: how badly the means predicted them."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(x > 0, x * np.log(x / mean), 0.0)
    return float(2 * np.sum(log_term - (x - mean)))


class _Baseline:
    """Expected counts from the trailing baseline: level × slot-of-day factor × weekday factor.

    The caller rescales the expectation by the local level before the tested
    windows (`local`: observed / expected, weighted down by age), so a drift
    or a busy news spell is not mistaken for a spike; the dispersion is
    measured on residuals rescaled the same way (each window by the level
    before it), so it holds exactly the variation that rescaling cannot
    foresee. It is measured for sums of 1..`scan` consecutive
    windows, because hour-to-hour noise partly cancels in a sum and a
    wandering level does not.
    """

    def __init__(self, x: np.ndarray, slot: np.ndarray, weekday: np.ndarray, day: np.ndarray,
                 slots_per_day: int, decays: tuple[float, ...], scan: int) -> None:
        n = len(x)
        self.level = (float(x.sum()) + 0.5) / max(n, 1)  # never zero: a silent brand still has some rate
        # Each seasonal factor is (items seen) / (items a flat rate predicts), both
        # padded with _FACTOR_PRIOR items: a gamma prior centred on 1, so a slot
        # with a handful of items moves little and a busy slot speaks for itself.
        # Slots of the day are pooled with their neighbours first (weights 1/4, 1/2, 1/4, around
        # the clock): activity follows a smooth daily rhythm, so an hour's neighbours are
        # evidence for it, and pooling shrinks the noise of thin slots without flattening the
        # cycle the way a prior towards 1 alone does (a 24-hour cycle loses under 2 % of its
        # amplitude). Windows of a day or longer have one slot and nothing to pool.
        slot_n = _smooth(np.bincount(slot, minlength=slots_per_day).astype(float))
        slot_sum = _smooth(np.bincount(slot, weights=x, minlength=slots_per_day))
        self.slot_factor = (slot_sum + _FACTOR_PRIOR) / (slot_n * self.level + _FACTOR_PRIOR)
        day_n = np.bincount(weekday, minlength=7)
        day_sum = np.bincount(weekday, weights=x, minlength=7)
        day_prior = _FACTOR_PRIOR + _DAY_PRIOR_DAYS * slots_per_day * self.level  # see _DAY_PRIOR_DAYS
        self.day_factor = (day_sum + day_prior) / (day_n * self.level + day_prior)
        # Relative variance of the estimated slot rate (about 1/items behind it): the
        # expectation is itself uncertain, most of all where history is thin.
        self.slot_uncertainty = (0.375 if slots_per_day >= 3 else 1.0) / (slot_sum + _FACTOR_PRIOR)  # pooled: 1/4²+1/2²+1/4²
        fitted = self.level * self.slot_factor[slot] * self.day_factor[weekday]
        # The local level before each window: observed / expected over the windows before it,
        # weighted down by age and padded with _LOCAL_PRIOR items on both sides; local[j] uses
        # windows 0..j-1 only. How fast to forget is the brand's own: a busy brand's counts
        # show a wandering level within hours, a quiet one's need days to show anything, so the
        # decay is the one whose local level best predicts each next window of the baseline
        # (Poisson deviance), as exponential smoothing picks its constant.
        decay, self.local = min(((d, self._local(x, fitted, d)) for d in decays),
                                key=lambda pair: _deviance(x, fitted * pair[1][:n]))
        # Method-of-moments NB2 dispersion of w-window sums, each predicted as the detector
        # predicts it (scaled by the local level before its first window): the variance beyond
        # Poisson that the prediction cannot foresee, relative to mean². Measured out of sample
        # (`_held_out`): residuals of the factors they were fitted on are too small, most of all
        # with one week of history, where each weekday factor had absorbed its one day's level,
        # and the p-values of the first weeks were too small (three times the false alarms there).
        held_out = self._held_out(x, slot, weekday, day, slots_per_day, day_sum, day_n, day_prior,
                                  slot_sum, slot_n)
        local = self._local(x, held_out, decay)
        self.dispersion = np.full(scan, _DISPERSION_FLOOR)
        cx, cf = np.concatenate(([0.0], np.cumsum(x))), np.concatenate(([0.0], np.cumsum(held_out)))
        for w in range(1, min(scan, n) + 1):
            sx = cx[w:] - cx[:-w]
            sf = (cf[w:] - cf[:-w]) * local[: n - w + 1]
            excess = float(np.sum((sx - sf) ** 2 - sf))
            self.dispersion[w - 1] = max(_DISPERSION_FLOOR, excess / float(np.sum(sf**2)))
        if 0 < n < scan:
            self.dispersion[n:] = self.dispersion[n - 1]  # history shorter than the scan

    def _held_out(self, x: np.ndarray, slot: np.ndarray, weekday: np.ndarray, day: np.ndarray,
                  slots_per_day: int, day_sum: np.ndarray, day_n: np.ndarray, day_prior: float,
                  slot_sum: np.ndarray, slot_n: np.ndarray) -> np.ndarray:
        """Each window's expectation from factors fitted without its own calendar day.

        The detector predicts a day its factors have not seen, so its errors are
        measured that way (leave one day out): a day's level noise, which its own
        weekday factor absorbs in sample, shows as error again. With one week
        behind a weekday its factor falls back to the prior, flat; with four,
        three days stand for four, hardly less than what the live prediction
        rests on, so the dispersion is honest at every depth of history.
        """
        if not len(x):
            return np.zeros(0)
        d = day - day.min()
        days = int(d.max()) + 1
        own_sum = np.bincount(d, weights=x, minlength=days)[d]
        own_n = np.bincount(d, minlength=days)[d]
        day_factor = (day_sum[weekday] - own_sum + day_prior) / ((day_n[weekday] - own_n) * self.level + day_prior)
        cell, shape = d * slots_per_day + slot, (days, slots_per_day)  # each window's (day, slot of the day)
        per_day_sum = np.bincount(cell, weights=x, minlength=days * slots_per_day).reshape(shape)
        per_day_n = np.bincount(cell, minlength=days * slots_per_day).reshape(shape).astype(float)
        own_slot_sum = _smooth(per_day_sum)[d, slot]  # pooled as slot_sum is
        own_slot_n = _smooth(per_day_n)[d, slot]
        slot_factor = ((slot_sum[slot] - own_slot_sum + _FACTOR_PRIOR)
                       / ((slot_n[slot] - own_slot_n) * self.level + _FACTOR_PRIOR))
        return self.level * slot_factor * day_factor

    @staticmethod
    def _local(x: np.ndarray, fitted: np.ndarray, decay: float) -> np.ndarray:
        rx, rf = np.zeros(len(x) + 1), np.zeros(len(x) + 1)
        if len(x):
            rx[1:] = lfilter([1.0], [1.0, -decay], x)
            rf[1:] = lfilter([1.0], [1.0, -decay], fitted)
        return (rx + _LOCAL_PRIOR) / (rf + _LOCAL_PRIOR)

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
    spike does not teach the detector that spikes are normal); the windows of
    each scan this call flags (all of them, as a stored alert's span is kept
    out by the next check) are added to it as it goes, so it is updated in place.
    """
    x_all = np.asarray(series.negative, dtype=float)
    n = len(x_all)
    stop = n if stop is None else min(stop, n)
    if exclude is None:
        exclude = np.zeros(n, dtype=bool)
    slot, weekday, slots_per_day, day = _seasonal_slots(series)
    span = int(round(settings.baseline_weeks * WEEK / series.window))
    verdicts = []
    for i in range(max(start, 0), stop):
        verdict = _judge(series, settings, i, x_all, slot, weekday, day, slots_per_day, span, exclude)
        if verdict.flagged:
            exclude[i - verdict.windows + 1:i + 1] = True  # the scan's windows, as a stored alert's span is
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
           weekday: np.ndarray, day: np.ndarray, slots_per_day: int, span: int,
           exclude: np.ndarray) -> Verdict:
    scan = settings.scan_windows
    lo = max(series.history_start, i - span)
    keep = ~exclude[lo:i]
    decays = tuple(0.5 ** (series.window / half_life) for half_life in LEVEL_HALF_LIVES)
    kept = np.flatnonzero(keep) + lo
    baseline = _Baseline(x_all[kept], slot[kept], weekday[kept], day[kept], slots_per_day, decays, scan)
    best: tuple | None = None
    first: tuple | None = None
    current_expected = 0.0
    for w in range(1, scan + 1):
        a = i - w + 1  # the scan covers windows a..i
        if w > 1 and (a < lo or exclude[a] or x_all[i] <= current_expected):
            break  # a longer scan only while its windows are unflagged history and this window is raised
        # The local level before the scan's first window, which the spike cannot have touched yet.
        before = int(np.searchsorted(kept, a))
        local = float(baseline.local[before])
        expected_scan = baseline.expected(slot[a:i + 1], weekday[a:i + 1]) * local
        if w == 1:
            current_expected = float(expected_scan[-1])
        observed = int(x_all[a:i + 1].sum())
        expected = float(expected_scan.sum())
        # Sums of w windows: the baseline's own w-window dispersion (which already holds the
        # local level's error, the level being estimated from earlier windows there too), plus
        # the uncertainty of the slot rates, which were fitted on those very residuals.
        slot_var = float(np.sum(expected_scan**2 * baseline.slot_uncertainty[slot[a:i + 1]])) / expected**2
        dispersion = float(baseline.dispersion[w - 1]) + slot_var
        p_value, model, ratio, failed = _test(observed, expected, dispersion, settings)
        result = (p_value, model, ratio, failed, observed, expected, dispersion, w)
        if first is None:
            first = result
        # The verdict reports the most significant scan that clears the count and ratio guards.
        if failed in ("", "p_value") and (best is None or p_value < best[0]):
            best = result
    p_value, model, ratio, failed, observed, expected, dispersion, windows = best or first  # type: ignore[misc]
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
