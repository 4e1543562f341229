"""The digest's pictures, drawn with matplotlib's Agg backend into PNG bytes.

Two charts: the journey map (stages left to right, each with its volume,
change, net sentiment and sentiment split) and moment × sentiment over the
last eight weeks. Both are drawn at twice the size they are shown, so they
stay sharp on high-density screens, and use one red/grey/green palette that
the HTML tables share.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no GUI toolkit, safe in workers

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties, findfont  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.patches import Polygon, Rectangle  # noqa: E402
from matplotlib.ticker import MaxNLocator, StrMethodFormatter  # noqa: E402
from PIL import Image  # noqa: E402

from .formatting import (  # noqa: E402
    MOMENT_TITLES,
    no_data_weeks,
    previous_weeks,
    signed,
    untracked_weeks,
    whole_percentages,
)
from .model import Digest, StageFigures  # noqa: E402

COLOURS = {"negative": "#d1495b", "neutral": "#aab4c3", "positive": "#2e9e6a"}
INK, MUTED, GRID, NO_DATA = "#1f2933", "#616e7c", "#e4e7eb", "#f0f2f5"
_NET = LinearSegmentedColormap.from_list("net", ["#f4c7cc", "#eef1f5", "#c6ead7"])
DPI = 200


def _png(figure: Figure) -> bytes:
    """PNG bytes of `figure`, reduced to a 64-colour palette.

    Flat-colour charts lose nothing visible and shrink about threefold, which
    matters in email: every chart travels base64-encoded inside the HTML.
    """
    raw = io.BytesIO()
    figure.savefig(raw, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 0})
    plt.close(figure)
    raw.seek(0)
    with Image.open(raw) as image:
        palette = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def _change_text(stage: StageFigures) -> str:
    """'▲ 43%' against the baseline weeks' average (the map's subtitle says which)."""
    if stage.change_vs_baseline is None:
        return "new" if stage.volume else "no talk"
    change = round(stage.change_vs_baseline)  # -0.3% is level: '▼ 0%' drew a fall
    arrow = "▲" if change > 0 else "▼" if change < 0 else "●"
    return f"{arrow} {abs(change):,}%"


@lru_cache(maxsize=1)
def _font_characters() -> frozenset[int]:
    """The code points the charts' font can draw."""
    return frozenset(FT2Font(findfont(FontProperties(family=plt.rcParams["font.family"]))).get_charmap())


def drawable(text: str) -> str:
    """`text` without the characters the charts' font lacks (emoji), spaces tidied.

    Drawn, 'share 📣' showed an empty box and printed a 'Glyph missing' warning on the digest
    command's terminal; the HTML and Markdown keep the name as written.
    """
    known = _font_characters()
    return " ".join("".join(c for c in text if ord(c) in known or c.isspace()).split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chevron(x: float, y0: float, y1: float, first: bool, last: bool) -> list[tuple[float, float]]:
    """A stage's arrow shape: a notch on the left unless first, a tip on the right unless last."""
    mid, tip, gap = (y0 + y1) / 2, 0.09, 0.025
    points = [(x + gap, y1), (x + 1 - gap, y1)]
    if not last:
        points.append((x + 1 - gap + tip, mid))
    points += [(x + 1 - gap, y0), (x + gap, y0)]
    if not first:
        points.append((x + gap + tip, mid))
    return points


def journey_map_png(digest: Digest) -> bytes:
    """Stages left to right: chevron (volume, change), net-sentiment curve, sentiment split, top touchpoint."""
    stages = digest.stages
    n = max(len(stages), 1)
    fit = min(1.0, 5 / n)  # seven stages share the width: shrink the words, not the picture
    figure = plt.figure(figsize=(6.4, 3.5))
    ax = figure.add_axes((0.01, 0.02, 0.98, 0.96))
    ax.set_xlim(-0.02, n + 0.08)
    ax.set_ylim(0, 10)
    ax.axis("off")
    # net-sentiment band: y 3.0 .. 5.8 maps -100 .. 100
    low, high = 3.55, 5.75

    def net_y(value: float) -> float:
        return low + (value + 100) / 200 * (high - low)

    ax.axhline(net_y(0), xmin=0.01, xmax=0.99, color=GRID, lw=1, zorder=0)
    ax.text(n + 0.07, net_y(0), "0", fontsize=7, color=MUTED, va="center", ha="right")
    ax.text(0.03, high + 0.55, "net sentiment", fontsize=7, color=MUTED, va="center")
    points = []
    for i, stage in enumerate(stages):
        net = stage.net_sentiment
        fill = to_hex(_NET((net + 100) / 200)) if net is not None else "#f5f7fa"
        polygon = Polygon(_chevron(i, 6.75, 9.85, i == 0, i == n - 1), closed=True, facecolor=fill,
                          edgecolor=MUTED if stage.derived == "retention" else "white",
                          linestyle="--" if stage.derived == "retention" else "-", lw=1.2)
        ax.add_patch(polygon)
        cx = i + 0.5 + (0.04 if i else 0)
        name_size = 11.1 * fit * min(1.0, 10 / max(len(stage.name), 10))
        ax.text(cx, 9.25, drawable(stage.name).upper(), ha="center", va="center", fontsize=name_size, fontweight="bold",
                color=INK)
        ax.text(cx, 8.2, f"{stage.volume:,}", ha="center", va="center", fontsize=19.5 * fit, fontweight="bold",
                color=INK)
        ax.text(cx, 7.3, _change_text(stage), ha="center", va="center", fontsize=9.5 * fit, color=MUTED)
        if net is not None:
            points.append((i + 0.5, net_y(net), net))
        # sentiment split bar
        total = sum(stage.sentiment.values())
        percent = whole_percentages({s: stage.sentiment.get(s, 0) for s in ("negative", "neutral", "positive")})
        x, width = i + 0.08, 0.84
        ax.add_patch(Rectangle((x, 1.7), width, 0.55, facecolor="#f5f7fa", edgecolor="none"))
        for sentiment in ("negative", "neutral", "positive"):
            share = stage.sentiment.get(sentiment, 0) / total if total else 0
            if share:
                ax.add_patch(Rectangle((x, 1.7), width * share, 0.55, facecolor=COLOURS[sentiment], edgecolor="white",
                                       lw=0.5))
                if share >= 0.22 / fit:
                    ax.text(x + width * share / 2, 1.975, f"{percent[sentiment]}%", ha="center", va="center",
                            fontsize=7.8 * fit, color="white" if sentiment != "neutral" else INK)
                x += width * share
        top = stage.touchpoints[0].source if stage.touchpoints else "—"
        ax.text(i + 0.5, 1.2, _clip(drawable(top), int(18 * fit)), ha="center", va="center", fontsize=7.5 * fit, color=MUTED)
    if points:
        xs, ys, nets = zip(*points)
        ax.plot(xs, ys, color=INK, lw=1.4, zorder=3)
        for x, y, net in points:
            colour = COLOURS["positive"] if net > 5 else COLOURS["negative"] if net < -5 else MUTED
            ax.scatter([x], [y], s=28, color=colour, zorder=4, edgecolor="white", linewidth=0.8)
            above = net >= 0  # labels point away from the zero line, so they never sit on it
            ax.text(x, y + (0.3 if above else -0.3), signed(net), ha="center", va="bottom" if above else "top",
                    fontsize=9.1 * fit, color=colour, fontweight="bold", zorder=5)
    ax.text(0.03, 2.45, "sentiment split and top source", fontsize=7, color=MUTED, va="center")
    against = previous_weeks(digest.baseline_weeks) + ("' average" if digest.baseline_weeks > 1 else "")
    ax.text(n - 0.05, 0.37, f"▲▼ change vs {against}", fontsize=7, color=MUTED,
            va="center", ha="right")
    step = 0.6 * n / 5  # the legend keeps its size in inches whatever the number of stages
    for k, sentiment in enumerate(("negative", "neutral", "positive")):
        ax.add_patch(Rectangle((0.05 + k * step, 0.2), 0.06 * n / 5, 0.35, facecolor=COLOURS[sentiment]))
        ax.text(0.05 + k * step + 0.09 * n / 5, 0.37, sentiment, fontsize=7, va="center", color=MUTED)
    return _png(figure)


def trend_png(digest: Digest) -> bytes:
    """Moment × sentiment over the trend weeks: one small panel per moment, stacked by sentiment, shared scale."""
    return _png(trend_figure(digest))


def trend_figure(digest: Digest) -> Figure:
    """The trend chart as a matplotlib figure (`trend_png` draws it)."""
    weeks = [w.split("-W")[1] for w in digest.trend.weeks]
    moments = list(digest.trend.counts)
    figure, axes = plt.subplots(2, 3, figsize=(6.4, 3.9), sharex=True, sharey=True)
    for ax, moment in zip(axes.flat, moments):
        bottom = [0] * len(weeks)
        missing = [i for i, n in enumerate(digest.trend.counts[moment]["negative"]) if n is None]
        if missing:  # before the brand's first item: shaded as no data, not drawn as a zero
            ax.axvspan(missing[0] - 0.5, missing[-1] + 0.5, facecolor=NO_DATA, hatch="///", edgecolor=GRID, lw=0)
        for sentiment in ("negative", "neutral", "positive"):
            values = [n or 0 for n in digest.trend.counts[moment][sentiment]]
            ax.bar(range(len(weeks)), values, bottom=bottom, color=COLOURS[sentiment], width=0.75,
                   label=sentiment, edgecolor="white", linewidth=0.3)
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_title(MOMENT_TITLES.get(moment, moment), fontsize=10.0, color=INK, loc="left")
        ax.bar(len(weeks) - 1, max(bottom[-1], 0), width=0.9, fill=False, edgecolor=INK, linewidth=0.8)
        ax.set_xticks(range(len(weeks)), weeks, fontsize=6.9, color=MUTED, rotation=0)
        ax.tick_params(axis="y", labelsize=7.5, colors=MUTED, length=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # '6000' read as the other counts do not
        ax.tick_params(axis="x", length=0)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(GRID)
    if not any(ax.get_ylim()[1] >= 1 for ax in axes.flat):  # nothing drawn: matplotlib labelled the axis '−0 0 0'
        axes[0, 0].set_ylim(0, 1)  # shared by every panel
    for ax in axes[:, 0]:
        ax.set_ylabel("items", fontsize=8.1, color=MUTED)
    for ax in axes[1, :]:
        ax.set_xlabel("ISO week", fontsize=7, color=MUTED)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if any(n is None for n in next(iter(digest.trend.counts.values()), {}).get("negative", [])):
        handles.append(Rectangle((0, 0), 1, 1, facecolor=NO_DATA, hatch="///", edgecolor=GRID, lw=0))
        untracked = untracked_weeks(digest) == no_data_weeks(digest)  # read before the brand was in the config
        labels.append("not tracked (before the brand was added)" if untracked else
                      "no data (before the brand's first item)" if digest.first_item and
                      digest.data_from == digest.first_item else
                      "no data (before the first item stored)" if digest.data_from else "no data")
    figure.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=8.1, frameon=False,
                  bbox_to_anchor=(0.5, 0.0))
    # fixed margins: tight_layout measured every tick label and took most of this chart's time
    figure.subplots_adjust(left=0.08, right=0.99, top=0.92, bottom=0.17, hspace=0.42, wspace=0.08)
    return figure


def add_charts(digest: Digest) -> Digest:
    """Draw both charts into `digest.charts` (name -> PNG bytes) and return the digest.

    Labels are drawn as plain text: with matplotlib's math parsing on, a stage
    name such as `think $x$` lost its dollars and one such as `$\\frac{a$ deal`
    ended the digest command in a ParseFatalException.
    """
    with matplotlib.rc_context({"text.parse_math": False}):
        digest.charts = {"journey_map": journey_map_png(digest), "trend": trend_png(digest)}
    return digest
