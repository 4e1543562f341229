"""Metrics and calibration: pure functions, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from journeywatch.classifiers.calibration import fit_bias, fit_temperature, macro_recall, softmax
from journeywatch.classifiers.metrics import label_report


def test_label_report_matches_hand_computation() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    report = label_report(truth, predicted, ["a", "b", "c"])
    # a: P 2/2 R 2/3; b: P 1/2 R 1/2; c: P 1/2 R 1/1
    assert report["n"] == 6
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["per_label"]["a"]["f1"] == pytest.approx(0.8)
    assert report["per_label"]["b"]["f1"] == pytest.approx(0.5)
    assert report["per_label"]["c"]["f1"] == pytest.approx(2 / 3)
    assert report["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report["macro_recall"] == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    assert report["confusion"]["rows"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_label_report_leaves_absent_labels_out_of_macro_averages() -> None:
    report = label_report(["a", "b"], ["a", "b"], ["a", "b", "c"])
    assert report["macro_f1"] == 1.0 and report["macro_recall"] == 1.0


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_label_report_lists_only_labels_in_truth_or_predictions_and_agrees_with_sklearn() -> None:
    # Labels in neither used to get rows of 0.0000 (and zero rows and columns in the confusion matrix),
    # as if they had been measured and scored nothing.
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    labels = ["a", "b", "c", "d", "e"]
    truth = ["a", "a", "b", "b", "b", "c", "a"]
    predicted = ["a", "d", "b", "a", "b", "b", "a"]  # d is only predicted; e is nowhere
    report = label_report(truth, predicted, labels)
    present = ["a", "b", "c", "d"]
    assert list(report["per_label"]) == present
    assert report["confusion"]["labels"] == present
    assert report["confusion"]["rows"] == confusion_matrix(truth, predicted, labels=present).tolist()
    assert report["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro", zero_division=0))
    assert report["macro_recall"] == pytest.approx(balanced_accuracy_score(truth, predicted))
    p, r, f, support = precision_recall_fscore_support(truth, predicted, labels=present, zero_division=0)
    for i, label in enumerate(present):
        figures = report["per_label"][label]
        assert (figures["precision"], figures["recall"], figures["f1"], figures["support"]) == pytest.approx(
            (p[i], r[i], f[i], support[i]))
    assert report["per_label"]["d"]["predicted"] == 1 and report["per_label"]["c"]["predicted"] == 0


def test_label_report_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        label_report(["a"], ["a", "b"], ["a", "b"])


def test_fit_temperature_recovers_the_scale_labels_were_drawn_with() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(6000, 3))
    true_t = 2.5
    probs = softmax(logits / true_t)
    labels = np.array([rng.choice(3, p=p) for p in probs])
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.1)


def test_fit_bias_raises_macro_recall_on_a_skewed_classifier() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=3000)
    logits = rng.normal(0, 1, size=(3000, 3))
    logits[np.arange(3000), labels] += 1.5
    logits[:, 1] += 2.0  # a model that over-predicts class 1
    before = macro_recall(logits.argmax(1), labels, 3)
    bias = fit_bias(logits, labels)
    after = macro_recall((logits + bias).argmax(1), labels, 3)
    assert bias[0] == 0.0
    assert bias[1] < 0 or bias[2] > 0
    assert after > before + 0.05


def test_evaluate_examples_keeps_only_the_predicted_labels() -> None:
    # Every Prediction (with its two probability dicts) was held until the end: memory grew some 2 KB a line.
    import tracemalloc

    from journeywatch.classifiers.data import Example
    from journeywatch.classifiers.evaluation import evaluate_examples
    from journeywatch.domain import Prediction

    class Heavy:
        version = "heavy"

        def predict(self, texts: list[str]) -> list[Prediction]:
            probs = {f"p{i}": float(i) for i in range(200)}  # a fresh ~10 KB dict per prediction
            return [Prediction("none", 0.9, "neutral", 0.9, dict(probs), dict(probs)) for _ in texts]

    examples = [Example(f"t{i}", "none", "positive") for i in range(3000)]
    tracemalloc.start()
    try:
        reports = evaluate_examples(Heavy(), examples, chunk=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reports["moment"]["accuracy"] == 1.0 and reports["sentiment"]["accuracy"] == 0.0
    assert peak < 10_000_000  # 3,000 predictions held were some 60 MB; a chunk of 100 is 2 MB
