"""A RunContext over a local store in tmp_path, with one finished step's properties."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from pipeline.engine.context import RunContext
from runtime.registry.base import ModelRegistry
from runtime.store.local import LocalArtifactStore

EVALUATE_DEFINITION = {
    "Name": "Evaluate",
    "Type": "Processing",
    "PropertyFiles": [
        {"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ],
}
EVALUATE_PROPERTIES = {
    "ProcessingOutputConfig": {
        "Outputs": [
            {"OutputName": "report", "S3Output": {"S3Uri": "s3://b/report"}},
            {"OutputName": "evaluation", "S3Output": {"S3Uri": "s3://b/run/evaluation/"}},
        ]
    },
}


@pytest.fixture
def context(tmp_path: Path) -> RunContext:
    store = LocalArtifactStore(tmp_path)
    store.put_bytes(
        b'{"metrics": {"accuracy": {"value": 0.82}}, "list": [10, 20]}',
        "s3://b/run/evaluation/evaluation.json",
    )
    return RunContext(
        store=store,
        registry=cast(ModelRegistry, None),
        execution_id="exec-1",
        pipeline_name="demo",
        run_dir=tmp_path / "run",
        parameters={"MinAccuracy": 0.75, "MaxDepth": 4, "Target": "Survived", "Flag": True},
        definitions={"Evaluate": EVALUATE_DEFINITION},
        properties={"Evaluate": EVALUATE_PROPERTIES},
    )
