"""Classification metrics, written out so the figures in the model card are easy to check.

Macro-F1 is the moments metric and macro-averaged recall the sentiment one
(TweetEval's). They are defined as scikit-learn defines them:

- the labels reported (per label and in the confusion matrix) are those in the
  truth or the predictions, in taxonomy order; a label in neither has no
  figures at all, so a file without, say, `none` items is not penalised for them
  and no row of zeros suggests it was measured;
- macro-F1 averages F1 over those labels (`f1_score(average="macro")`);
- macro-recall averages recall over the labels in the truth, since a label
  never in the truth has no recall (`balanced_accuracy_score`; the same as
  `recall_score(average="macro")` whenever every predicted label is also true);
- a precision or recall with nothing to divide (a label never predicted, or
  never true) is 0, as `zero_division=0` makes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def label_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """n, accuracy, macro-F1, macro recall, per-label P/R/F1/support and a confusion matrix.

    Only the labels in `truth` or `predicted` are reported (see the module's docstring).
    """
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
        "per_label": {label: per_label[label] for label in present},
        "confusion": {"labels": present, "rows": [[confusion[t][p] for p in present] for t in present]},
    }
