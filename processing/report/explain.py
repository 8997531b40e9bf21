"""Why the model scores as it does: gain importance, SHAP values from XGBoost, a per-feature data summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from runtime.features.predictor import Predictor

SHAP_ROWS = 200  # dots per feature in the report's SHAP summary; the mean |SHAP| uses every row
MAX_CATEGORIES = 8


def feature_importance(predictor: Predictor) -> dict[str, float]:
    """Total gain per feature, by feature-spec name (the booster only knows f0, f1, ...); 0 when unused."""
    gains = predictor.booster.get_score(importance_type="total_gain")
    names = predictor.spec.feature_names
    found = {names[int(key[1:])]: float(value) for key, value in gains.items() if isinstance(value, float)}
    return {name: found.get(name, 0.0) for name in names}


def shap_summary(predictor: Predictor, matrix: np.ndarray) -> dict[str, Any]:
    """Exact TreeSHAP from XGBoost (`pred_contribs=True`): per feature the mean |SHAP| and sample dots.

    Each dot is (SHAP value, the feature's value scaled to [0, 1] within the sample, or None if missing).
    """
    import xgboost as xgb  # noqa: PLC0415 (the step already has it; imported where it is used)

    contributions = predictor.booster.predict(xgb.DMatrix(matrix, missing=np.nan), pred_contribs=True)
    rows = np.random.default_rng(0).permutation(len(matrix))[:SHAP_ROWS]
    features = []
    for index, name in enumerate(predictor.spec.feature_names):
        values = matrix[rows, index].astype(np.float64)
        low, high = np.nanmin(values, initial=np.inf), np.nanmax(values, initial=-np.inf)
        span = high - low if np.isfinite(high - low) and high > low else 1.0
        dots = [
            [round(float(contributions[row, index]), 4), None if np.isnan(v) else round((v - low) / span, 3)]
            for row, v in zip(rows, values, strict=True)
        ]
        mean_abs = float(np.abs(contributions[:, index]).mean())
        features.append({"feature": name, "mean_abs": mean_abs, "dots": dots})
    return {"features": sorted(features, key=lambda f: -f["mean_abs"]), "rows": len(matrix)}


def column_summary(values: np.ndarray) -> dict[str, Any]:
    """Missing share and, for numbers, the range; otherwise the most frequent categories."""
    text = [
        None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "" else str(v)
        for v in values
    ]
    present = [v for v in text if v is not None]
    summary: dict[str, Any] = {"missing_share": 1 - len(present) / len(text) if text else 0.0}
    try:
        numbers = np.array([float(v) for v in present])
    except ValueError:
        names, counts = np.unique(np.array(present, dtype=str), return_counts=True)
        order = np.argsort(-counts, kind="stable")[:MAX_CATEGORIES]
        summary["categories"] = {str(names[i]): int(counts[i]) for i in order}
        summary["distinct"] = len(names)
        return summary
    if len(numbers):
        summary |= {
            "min": float(numbers.min()),
            "median": float(np.median(numbers)),
            "max": float(numbers.max()),
        }
    return summary


def data_summary(columns: Mapping[str, np.ndarray], names: list[str]) -> dict[str, dict[str, Any]]:
    """`column_summary` of each raw input column present in the evaluated set."""
    return {name: column_summary(columns[name]) for name in names if name in columns}
