"""The spike detector and the cooldown tracker, as pure functions over count series."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from scipy import stats
from hypothesis import given, settings
from hypothesis import strategies as st

from journeywatch.alerts import OpenSpike, Series, evaluate, track
from journeywatch.settings import AlertSettings

ORIGIN = datetime(2026, 9, 21, tzinfo=timezone.utc)  # a Monday, 00:00
HOUR = timedelta(hours=1)
WEEKS = 6
N = WEEKS * 7 * 24


def seasonal(level: float, seed: int, k: float | None = None) -> np.ndarray:
    """Hourly counts with a daily cycle peaking at 20:00 (x1.8) and a trough at 08:00 (x0.2)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(N)
    mean = level * (1 + 0.8 * np.cos(2 * np.pi * (hours % 24 - 20) / 24))
    if k is not None:
        mean = rng.gamma(k, mean / k)
    return rng.poisson(mean)


def judge(counts: np.ndarray, at: int, **knobs: object) -> object:
    return evaluate(Series(ORIGIN, HOUR, counts), AlertSettings(**knobs), at, at + 1)[0]


def test_a_spike_is_flagged_and_the_same_hour_without_it_is_not() -> None:
    counts = seasonal(4.0, seed=1)
    at = N - 30  # 18:00 on the last Sunday but one
    quiet = judge(counts, at)
    assert not quiet.flagged
    counts[at] = int(round(quiet.expected * 4)) + 10
    loud = judge(counts, at)
    assert loud.flagged and loud.reason == "spike"
    assert loud.ratio >= 3 and loud.p_value < 1e-4
    assert loud.expected == pytest.approx(quiet.expected)


def test_expectation_follows_the_hour_of_day() -> None:
    counts = seasonal(4.0, seed=2)
    day = N - 48
    night, evening = judge(counts, day + 8), judge(counts, day + 20)
    assert evening.expected > 4 * night.expected  # the true ratio is 1.8 / 0.2 = 9
    # The same count is a spike at the quiet hour and ordinary at the busy one.
    counts[day + 8] = counts[day + 20] = int(round(evening.expected * 1.3)) + 3
    assert judge(counts, day + 8).flagged
    assert not judge(counts, day + 20).flagged


def test_over_dispersed_history_uses_the_negative_binomial_and_widens_the_tail() -> None:
    calm, bursty = seasonal(6.0, seed=3), seasonal(6.0, seed=3, k=2.0)
    at = N - 5
    for counts in (calm, bursty):
        counts[at] = 30
    plain, wide = judge(calm, at), judge(bursty, at)
    assert wide.model == "negbin" and wide.dispersion > plain.dispersion
    assert wide.p_value > plain.p_value


def test_slight_dispersion_still_widens_the_tail_when_the_expected_count_is_large() -> None:
    """Dispersion 1/60 is nothing at one item an hour, but at 40 it is 1.7 times Poisson's variance."""
    rng = np.random.default_rng(8)
    counts = rng.poisson(rng.gamma(60.0, 40.0 / 60.0, N))
    at = N - 3
    counts[at] = 70
    verdict = judge(counts, at, scan_windows=1)
    assert 0 < verdict.dispersion < 0.02 and verdict.model == "negbin"
    assert verdict.p_value > 3 * stats.poisson.sf(69, verdict.expected)


@pytest.mark.parametrize(
    ("knobs", "reason"),
    [
        ({"min_count": 40}, "count"),
        ({"min_ratio": 50.0}, "ratio"),
        ({"p_value": 1e-30}, "p_value"),
        ({"min_history": "60d"}, "history"),
    ],
)
def test_every_guard_can_hold_a_spike_back(knobs: dict[str, object], reason: str) -> None:
    counts = seasonal(2.0, seed=4)
    at = N - 10
    counts[at] = 30
    assert judge(counts, at).flagged
    held = judge(counts, at, **knobs)
    assert not held.flagged and held.reason == reason


def test_negative_share_is_a_second_signal_when_configured() -> None:
    negative = seasonal(2.0, seed=5)
    at = N - 10
    negative[at] = 30
    share = negative * 10  # negatives are a tenth of share-stage talk
    series = Series(ORIGIN, HOUR, negative, share)
    assert evaluate(series, AlertSettings(), at, at + 1)[0].flagged
    held = evaluate(series, AlertSettings(min_negative_share=0.5), at, at + 1)[0]
    assert held.negative_share == pytest.approx(0.1)
    assert not held.flagged and held.reason == "negative_share"


def test_windows_before_the_first_item_are_not_history() -> None:
    counts = seasonal(2.0, seed=6)
    at = N - 10
    counts[at] = 30
    late_start = Series(ORIGIN, HOUR, counts, history_start=at - 24)  # one day of real history
    assert judge(counts, at).flagged
    assert evaluate(late_start, AlertSettings(), at, at + 1)[0].reason == "history"


def test_a_flagged_window_is_kept_out_of_later_baselines() -> None:
    counts = seasonal(3.0, seed=7)
    start = N - 200
    counts[start] = 60
    exclude = np.zeros(N, dtype=bool)
    verdicts = evaluate(Series(ORIGIN, HOUR, counts), AlertSettings(), start, N, exclude)
    assert verdicts[0].flagged and exclude[start]
    assert sum(v.flagged for v in verdicts) == 1


def test_thirty_minute_windows_have_their_own_daily_slots() -> None:
    counts = np.repeat(seasonal(2.0, seed=8), 2)  # the same day shape on a half-hour grid
    series = Series(ORIGIN, timedelta(minutes=30), counts)
    at = len(counts) - 60
    counts[at] = 40
    verdict = evaluate(series, AlertSettings(window="30m"), at, at + 1)[0]
    assert verdict.flagged and verdict.start == ORIGIN + at * timedelta(minutes=30)


def test_a_spike_spread_over_hours_is_seen_by_the_scan_and_by_no_single_window() -> None:
    counts = seasonal(2.0, seed=9)
    at = N - 30
    hours = range(at - 3, at + 1)
    for j in hours:  # each window about 2.5x its expectation: ordinary alone, not together
        counts[j] = int(round(judge(counts, j, scan_windows=1).expected * 2.5)) + 2
    assert not any(judge(counts, j, scan_windows=1).flagged for j in hours)
    verdict = judge(counts, at)
    assert verdict.flagged and verdict.windows >= 3
    assert verdict.observed == counts[at - verdict.windows + 1 : at + 1].sum()
    assert verdict.expected < verdict.observed / 2


def test_the_scan_alerts_only_while_the_window_itself_is_raised() -> None:
    counts = seasonal(2.0, seed=10)
    at = N - 30
    counts[at - 2] = counts[at - 1] = 9
    counts[at] = 0
    assert not judge(counts, at).flagged  # the spike before it is over by now
    counts[at] = 9
    raised = judge(counts, at)
    assert raised.flagged and raised.windows >= 2


def test_sums_of_windows_are_judged_on_their_own_dispersion() -> None:
    # Independent hour-to-hour noise partly cancels in a sum of windows; a wandering
    # level does not, so a sum of six windows keeps nearly all of a wandering brand's
    # dispersion and sheds most of a brand whose noise is hour by hour.
    rng = np.random.default_rng(11)
    wander = np.exp(np.convolve(rng.normal(0, 0.5, N + 23), np.ones(24) / np.sqrt(24), "valid"))
    hourly = rng.poisson(rng.gamma(2.0, 6.0 / 2.0, N))
    drifting = rng.poisson(6.0 * wander / wander.mean())
    at = N - 5
    for counts in (hourly, drifting):
        counts[at - 5 : at + 1] = 30
    shares = []
    for counts in (hourly, drifting):
        one, six = judge(counts, at, scan_windows=1), judge(counts, at, scan_windows=6, p_value=0.9)
        assert six.windows == 6 and one.model == six.model == "negbin"
        shares.append(six.dispersion / one.dispersion)
    assert shares[0] < 0.5 < shares[1]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=8 * 24, max_size=8 * 24))
def test_low_noise_never_alerts_below_the_minimum_count(values: list[int]) -> None:
    counts = np.array(values)
    verdicts = evaluate(Series(ORIGIN, HOUR, counts), AlertSettings(min_count=4), 7 * 24, len(counts))
    assert not any(v.flagged for v in verdicts)


# Tracking: one spike, one alert; the cooldown folds repeats in; the spike ends after a quiet cooldown.

def _verdicts(flags: list[bool]) -> list[object]:
    counts = np.zeros(len(flags) + 8 * 24, dtype=int)
    offset = 8 * 24
    for i, flag in enumerate(flags):
        counts[offset + i] = 40 if flag else 0
    return evaluate(Series(ORIGIN, HOUR, counts), AlertSettings(), offset, len(counts))


def test_a_three_hour_spike_is_one_alert() -> None:
    events, still_open = track(_verdicts([False, True, True, True] + [False] * 10), HOUR, timedelta(hours=6))
    assert [e.kind for e in events] == ["start", "extend", "extend", "end"]
    assert still_open is None
    assert events[-1].at == events[0].at + 3 * HOUR  # ended where its last flagged window ended


def test_cooldown_suppresses_a_repeat_and_a_later_spike_alerts_again() -> None:
    flags = [True] + [False] * 3 + [True] + [False] * 12 + [True] + [False] * 2
    events, still_open = track(_verdicts(flags), HOUR, timedelta(hours=6))
    assert [e.kind for e in events] == ["start", "extend", "end", "start"]
    assert still_open is not None and still_open.start == events[-1].at


def test_an_open_spike_from_an_earlier_check_is_extended_not_repeated() -> None:
    verdicts = _verdicts([True, False])
    earlier = OpenSpike(verdicts[0].start - 2 * HOUR, verdicts[0].start - HOUR, alert_id=7)
    events, still_open = track(verdicts, HOUR, timedelta(hours=6), earlier)
    assert [e.kind for e in events] == ["extend"]
    assert still_open is earlier and earlier.last_end == verdicts[0].start + HOUR
