"""The training baseline (`baseline.json` in the model archive): what each input looked like in training.

Per input column of the feature spec: numeric columns get quantile bin edges and the training counts in
each bin, categorical columns the counts of their frequent categories (the rest fold into `OTHER`), both
the share of missing values. The model's probabilities on held-out rows are profiled on fixed bins.
The drift check (`runtime.monitoring.drift`) bins a window of captured values with these same edges.
NumPy and the standard library only, Python 3.10: this runs in the training container and in Lambda.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from runtime.features.archive import BASELINE_FILE
from runtime.features.errors import FeatureError
from runtime.features.spec import FeatureSpec
from runtime.features.values import ColumnValues, category_key, column_values, is_missing, to_numbers

BASELINE_FORMAT = "mlpipe.baseline/1"
__all__ = ["BASELINE_FILE", "build_baseline", "check_baseline"]

NUMERIC_BINS = 10  # deciles: PSI's customary resolution, and >= 30 training rows a bin at 300 rows
MAX_CATEGORIES = 50  # kept by frequency; a name or ticket column folds almost entirely into OTHER
MIN_CATEGORY_SHARE = 0.01
OTHER = "__other__"  # rare training categories and every category training never saw
PREDICTION_EDGES = tuple(round(0.1 * i, 1) for i in range(1, 10))
SUMMARY_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def lenient_numbers(values: Sequence[object]) -> np.ndarray:
    """Float64 values, NaN for missing and for anything that is not a number (captured JSON is untyped)."""
    out = np.full(len(values), math.nan)
    for i, value in enumerate(values):
        if isinstance(value, bool) or is_missing(value):
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        out[i] = number if math.isfinite(number) else math.nan
    return out


def lenient_categories(values: Sequence[object]) -> list[str | None]:
    """Category keys as serving reads them (3, 3.0 and "3" alike); None for missing or unreadable values."""
    keys: list[str | None] = []
    for value in values:
        try:
            keys.append(category_key(value, "captured"))
        except FeatureError:
            keys.append(None)
    return keys


def bin_counts(numbers: np.ndarray, edges: Sequence[float]) -> list[int]:
    """Counts of the non-missing values per bin; bin i holds edges[i-1] <= x < edges[i]."""
    finite = numbers[~np.isnan(numbers)]
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), finite, side="right")
    return [int(c) for c in np.bincount(index, minlength=len(edges) + 1)]


def category_counts(keys: Sequence[str | None], categories: Sequence[str]) -> list[int]:
    """Counts per baseline category, then one count for OTHER (rare or never seen in training)."""
    position = {name: i for i, name in enumerate(categories)}
    counts = [0] * (len(categories) + 1)
    for key in keys:
        if key is not None:
            counts[position.get(key, len(categories))] += 1
    return counts


def profile_numeric(numbers: np.ndarray) -> dict[str, Any]:
    """Quantile edges (deduplicated, so discrete columns get fewer bins) and the counts per bin."""
    finite = numbers[~np.isnan(numbers)]
    quantiles = np.linspace(0.0, 1.0, NUMERIC_BINS + 1)[1:-1]
    edges = [float(e) for e in np.unique(np.quantile(finite, quantiles))] if finite.size else []
    summary = (
        {f"p{round(q * 100)}": float(np.quantile(finite, q)) for q in SUMMARY_QUANTILES}
        if finite.size
        else {}
    )
    return {
        "kind": "numeric",
        "rows": len(numbers),
        "missing": int(np.isnan(numbers).sum()),
        "edges": edges,
        "counts": bin_counts(numbers, edges),
        "mean": float(finite.mean()) if finite.size else None,
        "quantiles": summary,
    }


def profile_categorical(keys: Sequence[str | None]) -> dict[str, Any]:
    """The frequent categories (at least MIN_CATEGORY_SHARE, at most MAX_CATEGORIES) and their counts."""
    present = Counter(k for k in keys if k is not None)
    floor = MIN_CATEGORY_SHARE * len(keys)
    frequent = sorted((k for k, n in present.most_common(MAX_CATEGORIES) if n >= floor), key=str)
    return {
        "kind": "categorical",
        "rows": len(keys),
        "missing": sum(1 for k in keys if k is None),
        "categories": frequent,
        "counts": category_counts(keys, frequent),
    }


def column_kinds(spec: FeatureSpec, columns: Mapping[str, ColumnValues], n_rows: int) -> dict[str, str]:
    """Each input column's kind: the spec's own, else numeric if every training value is a number."""
    kinds: dict[str, str] = {}
    for name in spec.input_columns:
        if name in spec.numeric or name in spec.raw_categorical:
            kinds[name] = "numeric" if name in spec.numeric else "categorical"
            continue
        try:
            to_numbers(column_values(columns, name, n_rows), name)
            kinds[name] = "numeric"
        except FeatureError:
            kinds[name] = "categorical"
    return kinds


def build_baseline(
    spec: FeatureSpec,
    columns: Mapping[str, ColumnValues],
    n_rows: int,
    probabilities: np.ndarray,
    *,
    prediction_rows: str,
) -> dict[str, Any]:
    """The baseline document: the training columns' profiles and the probabilities' distribution."""
    features: dict[str, Any] = {}
    for name, kind in column_kinds(spec, columns, n_rows).items():
        values = list(column_values(columns, name, n_rows))
        features[name] = (
            profile_numeric(lenient_numbers(values))
            if kind == "numeric"
            else profile_categorical(lenient_categories(values))
        )
    return {
        "format": BASELINE_FORMAT,
        "features": features,
        "prediction": profile_predictions(np.asarray(probabilities, dtype=np.float64), prediction_rows),
    }


def profile_predictions(probabilities: np.ndarray, rows: str) -> dict[str, Any]:
    """Probabilities on fixed tenths (comparable across versions); `rows` says which rows were scored."""
    return {
        "kind": "numeric",
        "rows": len(probabilities),
        "scored": rows,
        "missing": 0,
        "edges": list(PREDICTION_EDGES),
        "counts": bin_counts(probabilities, PREDICTION_EDGES),
        "mean": float(probabilities.mean()) if probabilities.size else None,
        "positive_rate": float((probabilities >= 0.5).mean()) if probabilities.size else None,
    }


def check_baseline(document: Mapping[str, Any]) -> None:
    """Refuse a baseline this code cannot compare against, naming the fix."""
    if document.get("format") != BASELINE_FORMAT:
        raise ValueError(
            f"baseline format {document.get('format')!r} is not {BASELINE_FORMAT!r}; retrain the model "
            "(mlpipe run) so that its archive carries a baseline"
        )
    if not isinstance(document.get("features"), dict) or not isinstance(document.get("prediction"), dict):
        raise ValueError("baseline.json lacks 'features' or 'prediction'; retrain the model")
