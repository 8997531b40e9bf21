"""Every step of the deployed pipeline definition is a request SageMaker's own API model accepts.

The synthesized template's definition is resolved (tokens for a test account and region, parameter
values, `Std:Join`) and each step's Arguments are checked with botocore's `ParamValidator` (required
members, unknown members, types, minimums) plus the model's enums, against the input shape of the
API call SageMaker Pipelines makes for that step type: a Processing step's Arguments are a
CreateProcessingJob request, a Training step's a CreateTrainingJob request, a RegisterModel step's a
CreateModelPackage request (https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps-types.html;
definition schema: https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/).
The one field added here is the job name, which the pipeline generates itself for every job it
starts ("pipelines-<execution id>-<step>-..."; the SDK drops job names from step arguments).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator

from tests.integration.service_model import resolve

pytestmark = pytest.mark.slow

# Step type -> (API operation, stand-ins for the fields the pipeline fills in itself).
OPERATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "Processing": ("CreateProcessingJob", {"ProcessingJobName": "pipelines-a1b2c3d4e5f6-Step-x1"}),
    "Training": ("CreateTrainingJob", {"TrainingJobName": "pipelines-a1b2c3d4e5f6-Step-x1"}),
    "RegisterModel": ("CreateModelPackage", {}),
}
NO_REQUEST = {"Condition", "Fail"}  # evaluated by the pipeline itself, no API call
PARAMETER_SETS = {
    "defaults": {},
    "test file and larger instances": {
        "TrainFile": "big.csv",
        "TestFile": "holdout.csv",
        "TrainingInstanceType": "ml.m5.4xlarge",
        "ProcessingInstanceType": "ml.m5.2xlarge",
        "MaxDepth": 6,
        "Eta": 0.1,
    },
}
SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")


def enum_errors(value: Any, shape: Shape, where: str) -> list[str]:
    """Enum violations, which ParamValidator does not check."""
    allowed = shape.metadata.get("enum")
    if allowed and value not in allowed:
        return [f"{where}: {value!r} is not one of {allowed}"]
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return [
            error
            for name, item in value.items()
            if name in shape.members
            for error in enum_errors(item, shape.members[name], f"{where}.{name}")
        ]
    if shape.type_name == "list" and isinstance(value, list):
        return [e for i, item in enumerate(value) for e in enum_errors(item, shape.member, f"{where}[{i}]")]
    if shape.type_name == "map" and isinstance(value, dict):
        return [e for k, item in value.items() for e in enum_errors(item, shape.value, f"{where}.{k}")]
    return []


def problems(operation: str, request: dict[str, Any]) -> str:
    """Why SageMaker's model rejects `request` for `operation`; empty when it accepts it."""
    shape = SAGEMAKER.operation_model(operation).input_shape
    report = ParamValidator().validate(request, shape)
    found = [report.generate_report()] if report.has_errors() else []
    return "\n".join(found + enum_errors(request, shape, operation))


def step_requests(
    template: dict[str, Any], overrides: dict[str, Any]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Step name -> (operation, resolved request) for every step that makes an API call."""
    definition = resolve.pipeline_definition(template)
    parameters = resolve.parameter_values(definition, overrides)
    found = {}
    for step in resolve.steps(definition):
        if step["Type"] in NO_REQUEST:
            continue
        assert step["Type"] in OPERATIONS, f"step {step['Name']}: no API mapped for type {step['Type']}"
        operation, filled_by_pipeline = OPERATIONS[step["Type"]]
        arguments = resolve.expression(step["Arguments"], parameters)
        found[step["Name"]] = (operation, {**arguments, **filled_by_pipeline})
    return found


@pytest.fixture(scope="module")
def template(cloud_assembly: Path) -> dict[str, Any]:
    [path] = cloud_assembly.glob("*-pipeline.template.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("overrides", PARAMETER_SETS.values(), ids=PARAMETER_SETS.keys())
def test_every_step_is_a_request_the_service_model_accepts(
    template: dict[str, Any], overrides: dict[str, Any]
) -> None:
    requests = step_requests(template, overrides)

    assert set(requests) == {"Preprocess", "Train", "Evaluate", "Register"}
    for name, (operation, request) in requests.items():
        assert problems(operation, request) == "", f"step {name} as {operation}"


def test_the_test_file_input_reads_exactly_the_named_object(template: dict[str, Any]) -> None:
    requests = step_requests(template, PARAMETER_SETS["test file and larger instances"])
    _, preprocess = requests["Preprocess"]
    uris = {i["InputName"]: i["S3Input"]["S3Uri"] for i in preprocess["ProcessingInputs"]}
    bucket = f"mlpipe-dev-artifacts-{resolve.ACCOUNT}-{resolve.REGION}"
    assert uris["data"] == f"s3://{bucket}/data/big.csv"
    assert uris["test"] == f"s3://{bucket}/data/holdout.csv"


@pytest.mark.parametrize(
    ("step", "path", "value", "expected"),
    [
        ("Preprocess", ["ProcessingResources", "ClusterConfig", "InstanceCount"], "1", "InstanceCount"),
        ("Train", ["HyperParameters", "max_depth"], 4, "max_depth"),
        ("Train", ["ResourceConfig", "InstanceTypo"], "ml.m5.large", "InstanceTypo"),
        ("Evaluate", ["ProcessingInputs", 0, "S3Input", "S3DataType"], "Prefix", "S3DataType"),
        ("Register", ["ModelApprovalStatus"], "Pending", "ModelApprovalStatus"),
    ],
)
def test_a_wrong_request_is_reported(
    template: dict[str, Any], step: str, path: list[Any], value: Any, expected: str
) -> None:
    """The validator bites: a wrong type, unknown member or value outside an enum is an error."""
    operation, request = copy.deepcopy(step_requests(template, {})[step])
    parent = request
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value

    assert expected in problems(operation, request)
