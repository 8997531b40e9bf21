"""The model-quality JSON (`evaluation.json`): its names and its one reader.

The Evaluate step writes it in SageMaker's model-quality statistics layout
(`{"binary_classification_metrics": {"accuracy": {"value": ..., "standard_deviation": ...}, ...}}`,
https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html), which the
model package's `ModelMetrics.ModelQuality.Statistics` points at. The quality gate reads it with JsonGet
paths, the registries and the UI with `metric_entries` / `read_metrics`; the Evaluate step (and the
engine tests' fake) builds it with `quality_document` and `write_evaluation`.
Runs in the XGBoost container too: Python 3.10, standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

EVALUATION_FILE = "evaluation.json"
METRICS_KEY = "binary_classification_metrics"
METRIC_PATH = METRICS_KEY + ".{}.value"  # JsonGet path of one metric's value
ARTIFACT_KEY = "artifact"
ARTIFACT_SHA256_PATH = ARTIFACT_KEY + ".sha256"  # the evaluated model.tar.gz's digest


def quality_document(
    figures: Mapping[str, float], sha256: str, extra_entries: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The document's SageMaker part: each figure as {"value", "standard_deviation"}, `extra_entries`
    (confusion matrix, curves) beside them, and the evaluated archive's SHA-256."""
    entries = {name: {"value": value, "standard_deviation": "NaN"} for name, value in figures.items()}
    return {METRICS_KEY: {**entries, **(extra_entries or {})}, ARTIFACT_KEY: {"sha256": sha256}}


def write_evaluation(document: Mapping[str, Any], folder: Path) -> Path:
    """Write `folder`/evaluation.json (the property file the gate reads); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EVALUATION_FILE
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def json_object(text: str | bytes, what: str) -> dict[str, Any]:
    """`text` parsed as a JSON object; ValueError naming `what` when it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{what} is not a JSON object")
    return document


def metric_entries(document: str | bytes, what: str) -> dict[str, Any]:
    """Every entry under METRICS_KEY (scalars, the confusion matrix, curves); ValueError naming `what`."""
    entries = json_object(document, what).get(METRICS_KEY, {})
    return entries if isinstance(entries, dict) else {}


def read_metrics(document: str | bytes, uri: str) -> dict[str, float]:
    """`metrics[X] = binary_classification_metrics.X.value` for every numeric value of the document."""
    metrics = {}
    for name, entry in metric_entries(document, f"model-quality metrics at {uri}").items():
        value = entry.get("value") if isinstance(entry, dict) else None
        # Skips the confusion matrix and other non-scalar entries.
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics[name] = float(value)
    return metrics
