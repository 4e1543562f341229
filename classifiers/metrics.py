"""Classification metrics, written out so the figures in the model card are easy to check.

Macro-F1 is the moments metric and macro-averaged recall the sentiment one
(TweetEval's). Labels absent from both the truth and the predictions are left
out of the macro averages, so a file without, say, `none` items is not
penalised for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def label_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """n, accuracy, macro-F1, macro recall, per-label P/R/F1/support and a confusion matrix."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    n = len(truth)
    confusion = {t: {p: 0 for p in labels} for t in labels}
    for t, p in zip(truth, predicted):
        confusion[t][p] += 1
    per_label: dict[str, dict[str, float | int]] = {}
    for label in labels:
        tp = confusion[label][label]
        support = sum(confusion[label].values())
        predicted_n = sum(confusion[t][label] for t in labels)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support,
                            "predicted": predicted_n}
    present = [label for label in labels if per_label[label]["support"] or per_label[label]["predicted"]]
    supported = [label for label in labels if per_label[label]["support"]]
    return {
        "n": n,
        "accuracy": sum(t == p for t, p in zip(truth, predicted)) / n if n else 0.0,
        "macro_f1": sum(per_label[x]["f1"] for x in present) / len(present) if present else 0.0,
        "macro_recall": sum(per_label[x]["recall"] for x in supported) / len(supported) if supported else 0.0,
        "per_label": per_label,
        "confusion": {"labels": list(labels), "rows": [[confusion[t][p] for p in labels] for t in labels]},
    }
