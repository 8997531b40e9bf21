"""The bucket layout: each model's runs below `runs/<group>/`; earlier versions' URIs still read."""

from __future__ import annotations

import json

import pytest

from pipeline.definition.layout import RunLocation, model_runs_key, run_location, run_prefix
from pipeline.local_run import DEFINITION_PATH

GROUPED = "s3://bucket/runs/mlpipe-penguins/exec-1/train/pipelines-x-Train/output/model.tar.gz"
EARLIER = "s3://bucket/runs/exec-1/train/pipelines-x-Train/output/model.tar.gz"


def test_every_output_of_the_committed_definition_is_below_its_models_prefix() -> None:
    """The definition the stack deploys and the engine runs: each runs/ Join names the group next."""
    joins: list[list[object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            values = (
                node.get("Std:Join", {}).get("Values") if isinstance(node.get("Std:Join"), dict) else None
            )
            if isinstance(values, list) and "runs" in values:
                joins.append(values)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(DEFINITION_PATH.read_text()))
    assert len(joins) >= 6  # 3 splits, the model, evaluation and report (and the report's index.html)
    for values in joins:
        at = values.index("runs")
        assert values[at + 1 : at + 3] == [
            "mlpipe-model-group-placeholder",
            {"Get": "Execution.PipelineExecutionId"},
        ]


def test_prefixes_name_the_group_then_the_execution() -> None:
    assert model_runs_key("mlpipe-titanic") == "runs/mlpipe-titanic/"
    assert run_prefix("b", "mlpipe-titanic", "exec-1") == "s3://b/runs/mlpipe-titanic/exec-1"


@pytest.mark.parametrize(
    ("uri", "prefix", "execution_id", "group"),
    [
        (GROUPED, "s3://bucket/runs/mlpipe-penguins/exec-1", "exec-1", "mlpipe-penguins"),
        ("s3://b/runs/g/e/evaluate/report/index.html", "s3://b/runs/g/e", "e", "g"),
        ("s3://b/runs/g/e/preprocess/train/train.csv", "s3://b/runs/g/e", "e", "g"),
        # Versions registered before the group level keep their absolute URIs.
        (EARLIER, "s3://bucket/runs/exec-1", "exec-1", ""),
        ("s3://b/runs/e/preprocess/train/train.csv", "s3://b/runs/e", "e", ""),
        ("s3://b/runs/e/evaluate/report/index.html", "s3://b/runs/e", "e", ""),
        ("s3://b/runs/r1/model.tar.gz", "s3://b/runs/r1", "r1", ""),
    ],
)
def test_run_location_reads_both_layouts(uri: str, prefix: str, execution_id: str, group: str) -> None:
    assert run_location(uri) == RunLocation(prefix=prefix, execution_id=execution_id, group=group)


@pytest.mark.parametrize("uri", ["s3://b/data/sha256/x/train.csv", "s3://b/runs/", "/tmp/model.tar.gz", ""])
def test_other_uris_have_no_run(uri: str) -> None:
    assert run_location(uri) is None
