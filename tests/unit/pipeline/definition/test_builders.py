"""Each definition builder on its own, against literal expected JSON (what the definition file will hold)."""

from __future__ import annotations

from typing import Any

import pytest


def expr(value: Any) -> Any:
    """A builder's result as it appears in the definition JSON."""
    return value if isinstance(value, str) else value.expr


@pytest.fixture
def parameters() -> dict[str, Any]:
    from sagemaker.core.workflow.parameters import ParameterInteger, ParameterString

    return {
        "Target": ParameterString(name="Target", default_value="y"),
        "Seed": ParameterInteger(name="Seed", default_value=42),
        "TrainFile": ParameterString(name="TrainFile", default_value="train.csv"),
    }


def test_training_hyperparameters_json_encode_literals_and_pass_parameters_as_text(
    parameters: dict[str, Any],
) -> None:
    from pipeline.definition.trainer import training_hyperparameters

    built = training_hyperparameters({"target": parameters["Target"], "seed": parameters["Seed"]})

    assert {name: expr(value) for name, value in built.items()} == {
        "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": '"s3://mlpipe-code-placeholder/training.tar.gz"',
        "target": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Target"}]}},
        "seed": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Seed"}]}},
    }


def test_a_literal_hyperparameter_with_quote_and_backslash_is_valid_json() -> None:
    from pipeline.definition.trainer import hyperparameter_text

    assert hyperparameter_text('a"b\\c') == '"a\\"b\\\\c"'


def test_option_arguments_are_one_argument_each(parameters: dict[str, Any]) -> None:
    from pipeline.definition.processing import option_argument

    assert (
        option_argument("output-dir", "/opt/ml/processing/output") == "--output-dir=/opt/ml/processing/output"
    )
    assert expr(option_argument("seed", parameters["Seed"])) == {
        "Std:Join": {"On": "", "Values": ["--seed=", {"Get": "Parameters.Seed"}]}
    }


def test_script_entrypoint_unpacks_the_bundle_and_hands_over_the_arguments() -> None:
    from pipeline.definition.processing import script_entrypoint

    assert script_entrypoint("evaluate.py") == [
        "/bin/sh",
        "-c",
        "mkdir -p /opt/ml/processing/code && tar -xzf /opt/ml/processing/input/code/* "
        '-C /opt/ml/processing/code && exec python3 /opt/ml/processing/code/evaluate.py "$@"',
        "sh",
    ]


def test_data_object_and_run_uri_name_exact_keys(parameters: dict[str, Any]) -> None:
    from pipeline.definition.factory import data_object, run_uri

    assert expr(data_object(parameters["TrainFile"])) == {
        "Std:Join": {
            "On": "",
            "Values": ["s3://mlpipe-artifact-bucket-placeholder/data/", {"Get": "Parameters.TrainFile"}],
        }
    }
    assert expr(run_uri("train")) == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                "mlpipe-artifact-bucket-placeholder",
                "runs",
                "mlpipe-model-group-placeholder",  # each model's own prefix, the only one its role writes
                {"Get": "Execution.PipelineExecutionId"},
                "train",
            ],
        }
    }


def test_sdk_parameters_follow_the_declarations() -> None:
    from pipeline.definition.factory import sdk_parameter
    from runtime.parameters import PARAMETERS_BY_NAME

    assert sdk_parameter(PARAMETERS_BY_NAME["MaxDepth"]).to_request() == {
        "Name": "MaxDepth",
        "Type": "Integer",
        "DefaultValue": 4,
    }
    assert sdk_parameter(PARAMETERS_BY_NAME["Eta"]).to_request() == {
        "Name": "Eta",
        "Type": "Float",
        "DefaultValue": 0.03,
    }


def test_training_compute_is_one_instance() -> None:
    from pipeline.definition.trainer import training_compute

    compute = training_compute("ml.m5.xlarge")
    assert (compute.instance_type, compute.instance_count, compute.volume_size_in_gb) == (
        "ml.m5.xlarge",
        1,
        30,
    )


def test_evaluation_report_property_file() -> None:
    from pipeline.definition.gate import evaluation_report

    assert evaluation_report().expr == {
        "PropertyFileName": "EvaluationReport",
        "OutputName": "evaluation",
        "FilePath": "evaluation.json",
    }
