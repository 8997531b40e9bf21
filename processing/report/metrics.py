"""Metrics, the majority-class baseline, curves, calibration and a threshold table for one scored set."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as skm

# Metrics the evaluation writes; higher is better for all but log_loss. A gate may set a minimum on any
# higher-is-better one (parameter `Min` + its CamelCase name, e.g. MinF1).
HIGHER_IS_BETTER = ("accuracy", "precision", "recall", "f1", "auc")
CURVE_POINTS = 21  # a condition step reads the property file: keep curves in it to a few hundred bytes
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CALIBRATION_BINS = 10


def scalar_metrics(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, precision, recall, F1 at `threshold`; ROC AUC and log loss of the probabilities."""
    predicted = (probabilities >= threshold).astype(np.int64)
    return {
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "precision": float(skm.precision_score(labels, predicted, zero_division=0)),
        "recall": float(skm.recall_score(labels, predicted, zero_division=0)),
        "f1": float(skm.f1_score(labels, predicted, zero_division=0)),
        "auc": float(skm.roc_auc_score(labels, probabilities)),
        "log_loss": float(skm.log_loss(labels, np.clip(probabilities, 1e-15, 1 - 1e-15), labels=[0, 1])),
    }


def baseline_metrics(labels: np.ndarray) -> dict[str, float]:
    """What always predicting the majority class scores: the base rate as every row's probability
    (below 0.5 exactly when class 0 is the majority), so AUC is 0.5 and log loss the label entropy."""
    return scalar_metrics(labels, np.full(len(labels), float(labels.mean())))


def confusion_matrix(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    """SageMaker's layout: confusion_matrix[actual][predicted]."""
    matrix = skm.confusion_matrix(labels, (probabilities >= threshold).astype(np.int64), labels=[0, 1])
    return {str(a): {str(p): int(matrix[a, p]) for p in (0, 1)} for a in (0, 1)}


def downsample(xs: np.ndarray, ys: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most `points` points, always keeping both ends, rounded to 4 decimals."""
    if len(xs) > points:
        keep = np.unique(np.linspace(0, len(xs) - 1, points).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return [round(float(x), 4) for x in xs], [round(float(y), 4) for y in ys]


def roc_curve(labels: np.ndarray, probabilities: np.ndarray, points: int) -> dict[str, list[float]]:
    fpr, tpr, _ = skm.roc_curve(labels, probabilities)
    xs, ys = downsample(fpr, tpr, points)
    return {"false_positive_rates": xs, "true_positive_rates": ys}


def pr_curve(labels: np.ndarray, probabilities: np.ndarray, points: int) -> dict[str, list[float]]:
    precision, recall, _ = skm.precision_recall_curve(labels, probabilities)
    xs, ys = downsample(recall[::-1], precision[::-1], points)
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
