"""runtime/model_quality.py: the one writer and reader of the model-quality JSON (evaluation.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runtime.model_quality import (
    ARTIFACT_SHA256_PATH,
    EVALUATION_FILE,
    METRIC_PATH,
    METRICS_KEY,
    metric_entries,
    quality_document,
    read_metrics,
    write_evaluation,
)

DOCUMENT = {
    METRICS_KEY: {
        "accuracy": {"value": 0.83, "standard_deviation": "NaN"},
        "auc": {"value": 1, "standard_deviation": "NaN"},
        "flag": {"value": True},
        "confusion_matrix": {"0": {"0": 5, "1": 1}, "1": {"0": 2, "1": 4}},
        "precision_recall_curve": {"precisions": [1.0], "recalls": [0.0]},
    },
    "artifact": {"sha256": "0" * 64},
}


def test_metrics_are_the_numeric_values_only() -> None:
    metrics = read_metrics(json.dumps(DOCUMENT).encode(), "s3://bucket/evaluation.json")

    assert metrics == {"accuracy": 0.83, "auc": 1.0}
    assert isinstance(metrics["auc"], float)


def test_entries_keep_the_curves_for_the_ui() -> None:
    entries = metric_entries(json.dumps(DOCUMENT), "evaluation.json")

    assert entries["precision_recall_curve"] == {"precisions": [1.0], "recalls": [0.0]}
    assert metric_entries("{}", "evaluation.json") == {}


@pytest.mark.parametrize(
    ("text", "problem"), [("<html>", "is not valid JSON"), ("[1]", "is not a JSON object")]
)
def test_unreadable_documents_name_the_uri(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"model-quality metrics at s3://b/e.json {problem}"):
        read_metrics(text.encode(), "s3://b/e.json")


def test_the_gate_path_points_at_a_metric_value() -> None:
    path = METRIC_PATH.format("accuracy").split(".")

    value: Any = DOCUMENT
    for key in path:
        value = value[key]

    assert value == 0.83


def test_a_written_document_reads_back_at_the_gates_paths(tmp_path: Path) -> None:
    matrix = {"0": {"0": 5, "1": 1}, "1": {"0": 2, "1": 4}}
    document = quality_document({"accuracy": 0.83, "auc": 0.9}, "a" * 64, {"confusion_matrix": matrix})

    path = write_evaluation(document, tmp_path / "evaluation")

    assert path == tmp_path / "evaluation" / EVALUATION_FILE
    assert read_metrics(path.read_bytes(), str(path)) == {"accuracy": 0.83, "auc": 0.9}
    written = json.loads(path.read_text())
    assert _json_get(written, METRIC_PATH.format("auc")) == 0.9
    assert _json_get(written, ARTIFACT_SHA256_PATH) == "a" * 64
    assert written[METRICS_KEY]["confusion_matrix"] == matrix


def _json_get(document: Any, path: str) -> Any:
    """The value at a dotted JsonGet path (the property file paths the condition step reads)."""
    for part in path.split("."):
        document = document[part]
    return document
