"""Metrics, the majority-class baseline, curves, calibration and a threshold table for one scored set.

In NumPy, not scikit-learn: importing sklearn.metrics took 0.96 s of a 1.6 s Evaluate step, which re-runs on
every `mlpipe run` (its arguments carry the gate's thresholds). Each figure follows scikit-learn's
definition step by step, so the values are the same (tests/unit/processing/test_metrics.py checks them
against scikit-learn on random, tied, one-class and tiny sets).
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Metrics the evaluation writes; higher is better for all but log_loss. A gate may set a minimum on any
# higher-is-better one (parameter `Min` + its CamelCase name, e.g. MinF1).
HIGHER_IS_BETTER = ("accuracy", "precision", "recall", "f1", "auc")
CURVE_POINTS = 21  # a condition step reads the property file: keep curves in it to a few hundred bytes
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CALIBRATION_BINS = 10
LOG_LOSS_CLIP = 1e-15  # log loss of a confident mistake is about 34.5, not infinite


def ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator, 0.0 when the denominator is 0 (scikit-learn's zero_division=0)."""
    return numerator / denominator if denominator else 0.0


def scalar_metrics(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, precision, recall, F1 at `threshold`; ROC AUC and log loss of the probabilities."""
    matrix = confusion_matrix(labels, probabilities, threshold)
    tp, fp, fn = matrix["1"]["1"], matrix["0"]["1"], matrix["1"]["0"]
    return {
        "accuracy": (tp + matrix["0"]["0"]) / len(labels),
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, tp + fn),
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
        "auc": roc_auc(labels, probabilities),
        "log_loss": log_loss(labels, probabilities),
    }


def baseline_metrics(labels: np.ndarray) -> dict[str, float]:
    """What always predicting the majority class scores: the base rate as every row's probability
    (below 0.5 exactly when class 0 is the majority), so AUC is 0.5 and log loss the label entropy."""
    return scalar_metrics(labels, np.full(len(labels), float(labels.mean())))


def confusion_matrix(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    """SageMaker's layout: confusion_matrix[actual][predicted]."""
    predicted = probabilities >= threshold
    return {
        str(a): {str(p): int(np.count_nonzero((labels == a) & (predicted == p))) for p in (0, 1)}
        for a in (0, 1)
    }


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean negative log-likelihood of the labels, probabilities clipped to [1e-15, 1 - 1e-15]."""
    clipped = np.clip(probabilities.astype(np.float64), LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP)
    return float(np.mean(-np.where(labels == 1, np.log(clipped), np.log(1 - clipped))))


def counts_at_thresholds(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positives, true positives) predicting 1 at or above each distinct probability, highest first.

    Tied probabilities share one threshold: the counts are taken after the last row of each tie.
    """
    order = np.argsort(-probabilities, kind="stable")
    ranked = probabilities[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    true_positives = np.cumsum(labels[order] == 1, dtype=np.float64)[last_of_tie]
    return 1 + last_of_tie - true_positives, true_positives


def shares(counts: np.ndarray) -> np.ndarray:
    """Counts over the last (largest) one; NaN throughout when that is 0 (the class is absent)."""
    return counts / counts[-1] if counts[-1] > 0 else np.full(len(counts), np.nan)


def roc_points(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rates, true positive rates) from (0, 0) up, as scikit-learn's roc_curve draws them.

    Points in the middle of a straight segment are dropped, as scikit-learn does (the curve, its area and
    the downsampled points in the property file then match).
    """
    fps, tps = counts_at_thresholds(labels, probabilities)
    if len(fps) > 2:
        corners = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps = fps[corners], tps[corners]
    return shares(np.r_[0.0, fps]), shares(np.r_[0.0, tps])


def roc_auc(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoid rule (a tie counts half); NaN with a single class."""
    if len(np.unique(labels)) != 2:
        return float("nan")
    fpr, tpr = roc_points(labels, probabilities)
    # np.trapezoid is NumPy >= 2.0: the SageMaker XGBoost 3.0-5 image installs numpy 2.1.0
    # (aws/sagemaker-xgboost-container, docker/3.0-5/base/Dockerfile.cpu).
    return float(np.trapezoid(tpr, fpr))


def pr_points(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(recalls, precisions) by increasing recall, from (0, 1), as scikit-learn's precision_recall_curve."""
    fps, tps = counts_at_thresholds(labels, probabilities)
    # Every threshold predicts at least one row positive, so tps + fps > 0; with no positive row at all
    # scikit-learn sets every recall to 1.
    recalls = tps / tps[-1] if tps[-1] > 0 else np.ones(len(tps))
    return np.r_[0.0, recalls], np.r_[1.0, tps / (tps + fps)]


def downsample(xs: np.ndarray, ys: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most `points` points, always keeping both ends, rounded to 4 decimals."""
    if len(xs) > points:
        keep = np.unique(np.linspace(0, len(xs) - 1, points).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return [round(float(x), 4) for x in xs], [round(float(y), 4) for y in ys]


def roc_curve(labels: np.ndarray, probabilities: np.ndarray, points: int) -> dict[str, list[float]]:
    xs, ys = downsample(*roc_points(labels, probabilities), points)
    return {"false_positive_rates": xs, "true_positive_rates": ys}


def pr_curve(labels: np.ndarray, probabilities: np.ndarray, points: int) -> dict[str, list[float]]:
    xs, ys = downsample(*pr_points(labels, probabilities), points)
    return {"recalls": xs, "precisions": ys}


def calibration(labels: np.ndarray, probabilities: np.ndarray) -> list[dict[str, float]]:
    """Mean predicted probability vs observed positive share, per equal-width bin that has rows."""
    bins = np.minimum((probabilities * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    rows = []
    for index in np.unique(bins):
        inside = bins == index
        rows.append(
            {
                "predicted": round(float(probabilities[inside].mean()), 4),
                "observed": round(float(labels[inside].mean()), 4),
                "rows": int(inside.sum()),
            }
        )
    return rows


def threshold_table(labels: np.ndarray, probabilities: np.ndarray) -> list[dict[str, float]]:
    """Precision, recall and F1 at several decision thresholds (serving uses 0.5)."""
    table = []
    for threshold in THRESHOLDS:
        figures = scalar_metrics(labels, probabilities, threshold)
        table.append({"threshold": threshold, **{k: figures[k] for k in ("precision", "recall", "f1")}})
    return table
