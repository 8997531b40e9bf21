"""ROC and precision-recall curves from the evaluation's model-quality JSON, as inline SVG polylines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.definition.layout import run_location
from runtime.model_quality import METRICS_KEY

# Below the run's prefix (definition/layout.py), next to the model archive the version registered.
EVALUATION_KEY = "evaluate/evaluation/evaluation.json"
SIZE = 240  # SVG user units per axis
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a")
# Curve name -> (key in binary_classification_metrics, x key, y key, axis labels).
CURVES = {
    "ROC": ("receiver_operating_characteristic_curve", "false_positive_rates", "true_positive_rates",
            "false positive rate", "true positive rate"),
    "Precision-recall": ("precision_recall_curve", "recalls", "precisions", "recall", "precision"),
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Series:
    label: str
    colour: str
    points: str  # SVG polyline points, y axis flipped


def run_id_of(uri: str) -> str:
    """The execution id of an s3://bucket/runs/[<group>/]<id>/... URI; "" for other URIs."""
    run = run_location(uri)
    return run.execution_id if run else ""


def evaluation_uri(artifact_uri: str) -> str:
    run = run_location(artifact_uri)
    return f"{run.prefix}/{EVALUATION_KEY}" if run else ""


def _points(xs: list[Any], ys: list[Any]) -> str:
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys, strict=False)]
    return " ".join(f"{x * SIZE:.1f},{(1 - y) * SIZE:.1f}" for x, y in pairs if 0 <= x <= 1 and 0 <= y <= 1)


def curve_series(evaluations: dict[str, bytes]) -> dict[str, list[Series]]:
    """Curve name -> one series per version label whose evaluation JSON has that curve."""
    charts: dict[str, list[Series]] = {name: [] for name in CURVES}
    for index, (label, raw) in enumerate(evaluations.items()):
        try:
            metrics = json.loads(raw).get(METRICS_KEY, {})
        except (ValueError, AttributeError):
            continue
        for name, (key, x_key, y_key, _, _) in CURVES.items():
            curve = metrics.get(key)
            if isinstance(curve, dict) and curve.get(x_key) and curve.get(y_key):
                colour = COLOURS[index % len(COLOURS)]
                charts[name].append(
                    Series(label=label, colour=colour, points=_points(curve[x_key], curve[y_key]))
                )
    return {name: series for name, series in charts.items() if series}
