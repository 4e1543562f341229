"""Evaluate the spike detector on simulated streams, beside a plain mean + 3σ rule.

    .venv/bin/python benchmarks/alerts_eval.py [--seed 20261123] [--streams 40]

Every stream is generated here from a fixed seed: eight weeks of hourly
counts of negative share-stage items per brand, with an hour-of-day and a
day-of-week cycle, a slow drift of the level, a day-level random effect and
negative-binomial noise (over-dispersed, as real mention counts are). Three
kinds of brand: quiet, medium and busy.

Is that noise realistic? The first line printed is the dispersion index
(variance / mean of counts within an hour-of-week slot, across the eight
weeks; 1 for Poisson): about 1.1 for quiet, 1.3 for medium and 1.7 for busy
brands. Hourly counts of brand talk are over-dispersed because posts come in
threads and news cycles, and the index grows with volume (a wandering level
adds variance in proportion to mean², which Poisson noise does not), so
these are plausible, if anything mild, for hourly counts of negative
share-stage posts; nothing here argues for less noise, and the streams are
left as they were.

Spike streams get one spike in weeks 5-8 lasting 1-6 hours, during which the
count's mean is multiplied by 2, 3 or 5. A spike is detected when an alert
fires in one of its windows or in the GRACE window after its last (judged
once it closes: the scan that holds the whole spike ends there); its delay
is the number of windows from its first window to the alert (0: in its
first window). A spike's items are the ones it adds on top of the brand's
usual traffic. "A spike of at least ten items" (issue 6) means its total
excess over its whole duration is at least ten items: the headline figures.
Printed too: the narrower reading (ten in its first window, so it could be
seen at once), the wider one (ten items during the spike, usual traffic
included: excess from about seven), and spikes of twenty items or more.

How much can any detector catch? The oracle below knows every hour's true
mean; at a false-alarm rate of about one per brand per 30 days it catches
roughly nine in ten of the 3× spikes of ten items or more, and every one
of twenty or more. Ten to twenty extra items spread over up to six hours
at a third of the rate, on top of a level that wanders by a fifth, is at
the edge of what counts can show: 0.95 recall for them at one false alarm a
month is out of reach on these streams for any rule that must estimate
the mean, and the detector is judged against the oracle as well.
False alarms are alert events (after the same cooldown) on spike-free
streams, per brand per 30 days of checked time (weeks 2-8, after min_history).

Every rule sees the same streams; the mean + 3σ rule uses the same trailing
four weeks, the same minimum history and the same cooldown. The "oracle"
rule is a reference, not a contender: it is told each hour's true mean, so
its recall shows how much of a miss is the noise itself.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from journeywatch.alerts.detector import Series, Verdict, evaluate  # noqa: E402
from journeywatch.alerts.tracking import track  # noqa: E402
from journeywatch.settings import AlertSettings  # noqa: E402

HOURS = 8 * 7 * 24
ORIGIN = datetime(2026, 9, 21, tzinfo=timezone.utc)  # a Monday
WINDOW = timedelta(hours=1)
PROFILES = {  # mean negative share-stage items per hour at an average hour, NB shape k
    "quiet": (0.3, 2.0),
    "medium": (2.0, 10.0),
    "busy": (8.0, 25.0),
}
DAY_SHAPE = 25.0  # level noise: CV 1/sqrt(25) = 0.2
LEVEL_HALF_LIFE = 12.0  # hours, for the smooth level noise
NOISE = "smooth"  # or "steps" (--level-noise)
MULTIPLIERS = (2, 3, 5)
GRACE = 1  # windows after a spike's last in which an alert still counts as catching it (its delay counts too)


@dataclass(frozen=True, slots=True)
class Spike:
    start: int
    hours: int
    multiplier: int


def seasonal_mean(rng: np.random.Generator, level: float) -> np.ndarray:
    """Hourly mean: level × daily cycle × weekly cycle × slow drift × day-level noise."""
    hours = np.arange(HOURS)
    peak = rng.uniform(17, 22)
    daily = 1 + rng.uniform(0.5, 0.8) * np.cos(2 * np.pi * (hours % 24 - peak) / 24)
    weekly_profile = rng.uniform(0.75, 1.3, size=7)
    weekly = weekly_profile[(hours // 24) % 7] / weekly_profile.mean()
    drift = 1 + rng.uniform(-0.25, 0.25) * hours / HOURS
    return level * daily * weekly * drift * level_noise(rng)


def level_noise(rng: np.random.Generator) -> np.ndarray:
    """Multiplicative wandering of the level (CV about 0.2): a busy news day, a quiet holiday.

    "smooth": a log-normal AR(1) with a half-life of LEVEL_HALF_LIFE hours, so
    busy spells build and fade; "steps": an independent gamma draw per
    calendar day, which no trailing window can foresee (the harder case).
    """
    if NOISE == "steps":
        return rng.gamma(DAY_SHAPE, 1 / DAY_SHAPE, size=HOURS // 24)[np.arange(HOURS) // 24]
    rho = 0.5 ** (1 / LEVEL_HALF_LIFE)
    sigma = np.sqrt(np.log(1 + 1 / DAY_SHAPE))  # stationary log-sd giving the same CV as the steps
    shocks = rng.normal(0, sigma * np.sqrt(1 - rho**2), size=HOURS)
    log_level = np.empty(HOURS)
    log_level[0] = rng.normal(0, sigma)
    for t in range(1, HOURS):
        log_level[t] = rho * log_level[t - 1] + shocks[t]
    return np.exp(log_level - sigma**2 / 2)


def draw(rng: np.random.Generator, mean: np.ndarray, k: float) -> np.ndarray:
    """Negative binomial counts with the given means and shape k (variance mean + mean²/k)."""
    return rng.poisson(rng.gamma(k, mean / k))


def make_stream(
    rng: np.random.Generator, profile: str, spike: Spike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Negative share-stage counts, all share-stage counts, and the spike's own (extra) items."""
    global _TRUTH
    level, k = PROFILES[profile]
    mean = seasonal_mean(rng, level)
    _TRUTH = (mean, k)  # for the oracle rule only; draws nothing, so the streams are unchanged
    negative = draw(rng, mean, k)
    extra = np.zeros(HOURS, dtype=int)
    if spike is not None:
        part = slice(spike.start, spike.start + spike.hours)
        extra[part] = draw(rng, mean[part] * (spike.multiplier - 1), k)
    other = draw(rng, seasonal_mean(rng, 2 * level), k)  # positive and neutral share-stage items
    return negative + extra, negative + extra + other, extra


def mean_3sigma(series: Series, settings: AlertSettings, start: int, stop: int) -> list[Verdict]:
    """The plain rule: flag a window above the trailing baseline's mean + 3 standard deviations."""
    x = series.negative.astype(float)
    span = int(settings.baseline_weeks * 7 * 24)
    history = int(settings.min_history / WINDOW)
    out = []
    for i in range(start, stop):
        base = x[max(0, i - span) : i]
        mu, sd = float(base.mean()), float(base.std())
        flagged = i >= history and x[i] > mu + 3 * sd
        out.append(Verdict(i, series.start(i), int(x[i]), mu, 0.0, 0.0, "3sigma", 0.0, None, 0, 1,
                           flagged, "spike" if flagged else "below"))
    return out


def detector(series: Series, settings: AlertSettings, start: int, stop: int) -> list[Verdict]:
    return evaluate(series, settings, start, stop)


_TRUTH: tuple[np.ndarray, float] = (np.zeros(HOURS), 1.0)  # the last stream's true hourly mean and NB shape


def oracle(series: Series, settings: AlertSettings, start: int, stop: int) -> list[Verdict]:
    """A reference no real detector can reach: it knows each hour's true mean (level noise and all).

    The same scan of 1..scan_windows windows ending at each window (only while
    that window is above its true mean), each sum's upper tail under the true
    negative binomial (approximated by one NB of the same mean and variance),
    flagged at the same p_value and min_count. Its recall bounds what any
    detector can reach at about its false-alarm rate on these streams.
    """
    mean, k = _TRUTH
    x = series.negative.astype(float)
    history = int(settings.min_history / WINDOW)
    best = np.ones(HOURS)
    cx, cm, cm2 = (np.concatenate(([0.0], np.cumsum(v))) for v in (x, mean, mean**2))
    for w in range(1, settings.scan_windows + 1):
        sx, sm, sm2 = (c[w:] - c[:-w] for c in (cx, cm, cm2))  # sums over windows i-w+1..i, i >= w-1
        shape = sm**2 * k / sm2
        p = stats.nbinom.sf(sx - 1, shape, shape / (shape + sm))
        p[sx < settings.min_count] = 1.0
        best[w - 1:] = np.minimum(best[w - 1:], p)
    best[x <= mean] = 1.0
    out = []
    for i in range(start, stop):
        flagged = i >= history and best[i] <= settings.p_value
        out.append(Verdict(i, series.start(i), int(x[i]), float(mean[i]), float(best[i]), 0.0, "oracle", 0.0,
                           None, 0, 1, flagged, "spike" if flagged else "below"))
    return out


RULES = {"detector": detector, "mean+3σ": mean_3sigma, "oracle": oracle}


def dispersion_index(rng: np.random.Generator, streams: int = 10) -> dict[str, float]:
    """Variance / mean of hourly counts within each hour-of-week slot, averaged: 1 for Poisson counts."""
    out = {}
    for profile in PROFILES:
        ratios = []
        for _ in range(streams):
            negative = make_stream(rng, profile, None)[0].reshape(8, 7 * 24)  # weeks × hour of week
            mean = negative.mean(axis=0)
            ratios.append(float(np.mean(negative.var(axis=0, ddof=1)[mean > 0] / mean[mean > 0])))
        out[profile] = float(np.mean(ratios))
    return out


def false_alarms(rng: np.random.Generator, settings: AlertSettings, streams: int) -> dict[str, dict[str, float]]:
    first = int(settings.min_history / WINDOW)
    days = (HOURS - first) / 24
    out: dict[str, dict[str, float]] = {rule: {} for rule in RULES}
    for profile in PROFILES:
        counts = {rule: 0 for rule in RULES}
        for _ in range(streams):
            negative, share, _ = make_stream(rng, profile, None)
            series = Series(ORIGIN, WINDOW, negative, share)
            for rule, judge in RULES.items():
                events, _ = track(judge(series, settings, first, HOURS), WINDOW, settings.cooldown)
                counts[rule] += sum(e.kind == "start" for e in events)
        for rule in RULES:
            out[rule][profile] = counts[rule] / streams / (days / 30)
    return out


def spikes(rng: np.random.Generator, settings: AlertSettings, streams: int) -> list[dict[str, object]]:
    rows = []
    for profile in PROFILES:
        for multiplier in MULTIPLIERS:
            for hours in range(1, 7):
                for _ in range(streams):
                    spike = Spike(int(rng.integers(4 * 7 * 24, HOURS - 6)), hours, multiplier)
                    negative, share, extra = make_stream(rng, profile, spike)
                    series = Series(ORIGIN, WINDOW, negative, share)
                    row: dict[str, object] = {"profile": profile, "multiplier": multiplier, "hours": hours,
                                              "first_window": int(extra[spike.start]),
                                              "total": int(extra.sum()),
                                              "during": int(negative[spike.start:spike.start + hours].sum())}
                    for rule, judge in RULES.items():
                        verdicts = judge(series, settings, spike.start, spike.start + hours + GRACE)
                        hit = [v.index - spike.start for v in verdicts if v.flagged]
                        row[rule] = hit[0] if hit else None
                    rows.append(row)
    return rows


def summarise(rows: list[dict[str, object]], rule: str, multiplier: int, min_items: int,
              key: str = "total") -> tuple[float, int, float, float, int, float]:
    """Recall, n, mean / median / max delay and the share of detected spikes caught within one window."""
    chosen = [r for r in rows if r["multiplier"] == multiplier and int(r[key]) >= min_items]  # type: ignore[arg-type]
    if not chosen:
        return float("nan"), 0, float("nan"), float("nan"), 0, float("nan")
    delays = [int(r[rule]) for r in chosen if r[rule] is not None]  # type: ignore[arg-type]
    recall = len(delays) / len(chosen)
    if not delays:
        return recall, len(chosen), float("nan"), float("nan"), -1, float("nan")
    within = sum(d <= 1 for d in delays) / len(delays)
    return recall, len(chosen), float(np.mean(delays)), float(np.median(delays)), max(delays), within


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--streams", type=int, default=40, help="streams per brand kind (and per spike shape)")
    parser.add_argument("--level-noise", choices=("smooth", "steps"), default="smooth",
                        help="how the level wanders: smooth (AR(1), half-life 12 h) or steps (per calendar day)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override an alerts setting, e.g. --set p_value=0.0001")
    args = parser.parse_args(argv)
    global NOISE
    NOISE = args.level_noise
    settings = AlertSettings.model_validate({k: v for k, v in (s.split("=", 1) for s in args.set)})
    rng = np.random.default_rng(args.seed)
    print(f"seed {args.seed}; {args.streams} streams per brand kind and spike shape; window 1h; "
          f"level noise {NOISE}; "
          f"settings: min_count={settings.min_count} min_ratio={settings.min_ratio} p_value={settings.p_value} "
          f"baseline_weeks={settings.baseline_weeks} cooldown={settings.cooldown}")
    index = dispersion_index(np.random.default_rng(args.seed + 1))
    print("streams: variance/mean of counts within an hour-of-week slot (1 = Poisson): "
          + ", ".join(f"{p} {PROFILES[p][0]}/h: {v:.2f}" for p, v in index.items()))
    fa = false_alarms(rng, settings, args.streams)
    rows = spikes(rng, settings, max(1, args.streams // 2))
    print("\nFalse alarms per brand per 30 days (spike-free streams, weeks 2-8)")
    print(f"{'rule':<10}" + "".join(f"{p:>10}" for p in PROFILES) + f"{'all':>10}")
    for rule in RULES:
        values = [fa[rule][p] for p in PROFILES]
        print(f"{rule:<10}" + "".join(f"{v:>10.2f}" for v in values) + f"{np.mean(values):>10.2f}")
    tables = (("spikes adding >= 10 items in total (the issue's definition)", 10, "total"),
              ("spikes adding >= 10 items in their first window (older, narrower)", 10, "first_window"),
              ("spikes with >= 10 items during them, usual traffic included (wider)", 10, "during"),
              ("spikes adding >= 20 items in total", 20, "total"),
              ("all spikes", 0, "total"))
    for title, min_items, key in tables:
        print(f"\nRecall and delay (windows: mean / median / max, share of hits within 1 window), {title}")
        print(f"{'size':<6}{'n':>6}" + "".join(f"{rule + ' recall':>18}{'delay':>22}" for rule in RULES))
        for multiplier in MULTIPLIERS:
            cells = [summarise(rows, rule, multiplier, min_items, key) for rule in RULES]
            line = f"{str(multiplier) + '×':<6}{cells[0][1]:>6}"
            for recall, _, delay, median, worst, within in cells:
                line += f"{recall:>18.3f}{f'{delay:.2f} / {median:.0f} / {worst}  {within:.2f}':>22}"
            print(line)
        # Delays over the spikes both contenders caught: a like-for-like comparison, since a rule
        # that catches more of the thin spikes (seen only hours in) has a longer mean delay for it.
        line = "both  "
        for multiplier in MULTIPLIERS:
            both = [r for r in rows if r["multiplier"] == multiplier and int(r[key]) >= min_items  # type: ignore[arg-type]
                    and r["detector"] is not None and r["mean+3σ"] is not None]
            if both:
                means = " vs ".join(f"{np.mean([int(r[rule]) for r in both]):.2f}"  # type: ignore[arg-type]
                                    for rule in ("detector", "mean+3σ"))
                line += f"  {multiplier}× n={len(both)} mean delay detector vs mean+3σ {means};"
        print(line)
    print("\nRecall by brand kind (all spikes)")
    for profile in PROFILES:
        sub = [r for r in rows if r["profile"] == profile]
        line = f"{profile:<8}"
        for multiplier in MULTIPLIERS:
            for rule in RULES:
                recall = summarise(sub, rule, multiplier, 0)[0]
                line += f"  {multiplier}× {rule} {recall:.2f}"
        print(line)


if __name__ == "__main__":
    main()
