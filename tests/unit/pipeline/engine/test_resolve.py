"""Expressions: Get (parameters, execution variables, step properties), Std:Join, Std:JsonGet."""

from __future__ import annotations

import pytest

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.resolve import resolve

REPORT = {"Get": "Steps.Evaluate.PropertyFiles.Report"}


def test_parameters_keep_their_type(context: RunContext) -> None:
    assert resolve({"Get": "Parameters.MaxDepth"}, context) == 4
    assert resolve({"Get": "Parameters.MinAccuracy"}, context) == 0.75


def test_execution_variables(context: RunContext) -> None:
    assert resolve({"Get": "Execution.PipelineExecutionId"}, context) == "exec-1"
    assert resolve({"Get": "Execution.PipelineName"}, context) == "demo"


def test_step_properties_by_output_name_and_index(context: RunContext) -> None:
    by_name = "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"
    by_index = "Steps.Evaluate.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"
    assert resolve({"Get": by_name}, context) == "s3://b/run/evaluation/"
    assert resolve({"Get": by_index}, context) == "s3://b/report"


def test_join_renders_numbers_and_booleans_as_sagemaker_does(context: RunContext) -> None:
    values = [
        "depth",
        {"Get": "Parameters.MaxDepth"},
        {"Get": "Parameters.MinAccuracy"},
        {"Get": "Parameters.Flag"},
    ]
    assert resolve({"Std:Join": {"On": "-", "Values": values}}, context) == "depth-4-0.75-true"


def test_json_get_reads_a_property_file_through_its_output(context: RunContext) -> None:
    expression = {"Std:JsonGet": {"PropertyFile": REPORT, "Path": "metrics.accuracy.value"}}
    assert resolve(expression, context) == 0.82


def test_json_get_reads_an_s3_uri_and_list_indexes(context: RunContext) -> None:
    expression = {"Std:JsonGet": {"S3Uri": "s3://b/run/evaluation/evaluation.json", "Path": "list[1]"}}
    assert resolve(expression, context) == 20


def test_nested_structures_resolve_recursively(context: RunContext) -> None:
    value = {"Args": ["--target", {"Get": "Parameters.Target"}], "Plain": {"Keep": 1}}
    assert resolve(value, context) == {"Args": ["--target", "Survived"], "Plain": {"Keep": 1}}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Get": "Parameters.Nope"}, "undeclared parameter 'Nope'"),
        ({"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}, "step Train, which has not run"),
        ({"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['nope']"}, "missing 'nope'"),
        ({"Get": "Execution.Nope"}, "unsupported execution variable"),
        ({"Std:Select": {}}, "unsupported function Std:Select"),
        ({"Std:JsonGet": {"PropertyFile": REPORT, "Path": "metrics.f1.value"}}, "missing 'f1'"),
        (
            {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.X"}, "Path": "a"}},
            "no property file 'X'",
        ),
    ],
)
def test_bad_references_say_what_is_wrong(
    context: RunContext, expression: dict[str, object], message: str
) -> None:
    with pytest.raises(EngineError, match=message):
        resolve(expression, context)
