"""processing/report/metrics.py against scikit-learn, the oracle it replaced in the Evaluate step.

The property file and the report must mean what they meant when scikit-learn computed them: every figure
within 1e-12 and every curve with the same points, so the downsampled curves in evaluation.json are equal.
Cases scikit-learn treats specially are drawn on purpose: ties (probabilities from a few values), constant
probabilities, predictions all of one class, labels all of one class, one or two rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from processing.report import metrics

TOLERANCE = 1e-12
FEW_VALUES = (0.0, 1e-16, 0.1, 0.25, 0.5, 0.5 + 1e-12, 0.7, 0.9, 1.0 - 1e-16, 1.0)


@st.composite
def scored_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(labels, probabilities): any size from 1, free floats, ties, or one constant probability."""
    rows = draw(st.integers(1, 60))
    labels = draw(st.lists(st.integers(0, 1), min_size=rows, max_size=rows))
    probability = draw(
        st.sampled_from(
            [
                st.floats(0.0, 1.0, allow_nan=False),
                st.sampled_from(FEW_VALUES),
                st.just(draw(st.floats(0.0, 1.0, allow_nan=False))),
            ]
        )
    )
    probabilities = draw(st.lists(probability, min_size=rows, max_size=rows))
    return np.array(labels, dtype=np.int64), np.array(probabilities, dtype=np.float64)


def oracle(labels: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict[str, float]:
    """The scalar figures as the Evaluate step computed them with scikit-learn."""
    predicted = (probabilities >= threshold).astype(np.int64)
    return {
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "precision": float(skm.precision_score(labels, predicted, zero_division=0)),
        "recall": float(skm.recall_score(labels, predicted, zero_division=0)),
        "f1": float(skm.f1_score(labels, predicted, zero_division=0)),
        "auc": float(skm.roc_auc_score(labels, probabilities)),
        "log_loss": float(skm.log_loss(labels, np.clip(probabilities, 1e-15, 1 - 1e-15), labels=[0, 1])),
    }


def assert_same_points(ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray]) -> None:
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine.shape == expected.shape  # the same points, so downsampling keeps the same ones
        np.testing.assert_allclose(mine, expected, rtol=0, atol=TOLERANCE, equal_nan=True)


@settings(max_examples=400, deadline=None)
@given(scored_sets(), st.sampled_from(metrics.THRESHOLDS))
def test_every_figure_and_curve_matches_scikit_learn(
    scored: tuple[np.ndarray, np.ndarray], threshold: float
) -> None:
    labels, probabilities = scored
    with warnings.catch_warnings():  # scikit-learn warns on one-class sets; the values are what counts
        warnings.simplefilter("ignore")
        expected = oracle(labels, probabilities, threshold)
        fpr, tpr, _ = skm.roc_curve(labels, probabilities)
        precision, recall, _ = skm.precision_recall_curve(labels, probabilities)
        matrix = skm.confusion_matrix(labels, (probabilities >= threshold).astype(np.int64), labels=[0, 1])

    figures = metrics.scalar_metrics(labels, probabilities, threshold)

    assert figures.keys() == expected.keys()
    for name, value in expected.items():
        assert figures[name] == pytest.approx(value, abs=TOLERANCE, nan_ok=True), name
    assert_same_points(metrics.roc_points(labels, probabilities), (fpr, tpr))
    assert_same_points(metrics.pr_points(labels, probabilities), (recall[::-1], precision[::-1]))
    found = metrics.confusion_matrix(labels, probabilities, threshold)
    assert [[found[a][p] for p in "01"] for a in "01"] == matrix.tolist()


@settings(max_examples=100, deadline=None)
@given(scored_sets().filter(lambda scored: len(np.unique(scored[0])) == 2))
def test_the_property_file_curves_are_the_ones_scikit_learn_gave(
    scored: tuple[np.ndarray, np.ndarray],
) -> None:
    labels, probabilities = scored
    fpr, tpr, _ = skm.roc_curve(labels, probabilities)
    precision, recall, _ = skm.precision_recall_curve(labels, probabilities)

    for points in (metrics.CURVE_POINTS, 5):
        xs, ys = metrics.downsample(fpr, tpr, points)
        assert metrics.roc_curve(labels, probabilities, points) == {
            "false_positive_rates": xs,
            "true_positive_rates": ys,
        }
        xs, ys = metrics.downsample(recall[::-1], precision[::-1], points)
        assert metrics.pr_curve(labels, probabilities, points) == {"recalls": xs, "precisions": ys}


def test_auc_counts_a_tie_as_half() -> None:
    """Mann-Whitney with average ranks: each (positive, negative) pair scores 1, or 1/2 when tied."""
    labels = np.array([1, 0, 1, 0])
    probabilities = np.array([0.8, 0.8, 0.3, 0.1])
    # pairs (0.8 vs 0.8) tie: 1/2; (0.8 vs 0.1) 1; (0.3 vs 0.8) 0; (0.3 vs 0.1) 1 -> 2.5 / 4
    assert metrics.roc_auc(labels, probabilities) == 0.625
