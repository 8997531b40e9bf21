"""The committed pipeline definition: current, reproducible, offline, and true to docs/architecture.md."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import bundles
from pipeline.definition import builder, placeholders
from runtime.parameters import PARAMETERS

STALE = "the committed definition is stale: run `make definition` and commit the result"
# As docs/architecture.md "Script arguments" lists them.
PREPROCESS_FLAGS = [
    "--input-dir",
    "--test-dir",
    "--output-dir",
    "--train-file",
    "--test-file",
    "--target",
    "--feature-columns",
    "--categorical-columns",
    "--derived-features",
    "--id-column",
    "--required-columns",
    "--validation-fraction",
    "--seed",
]
EVALUATE_FLAGS = [
    "--model-dir",
    "--evaluation-dir",
    "--data-dir",
    "--output-dir",
    "--target",
    "--train-file",
    "--test-file",
    "--model-name",
    "--run-id",
    "--report-uri",
    "--min-accuracy",
    "--min-precision",
    "--min-recall",
    "--min-f1",
    "--min-auc",
    "--min-accuracy-over-baseline",
    "--min-auc-over-chance",
    "--champion-model-uri",
    "--champion-tolerance",
    "--primary-metric",
]
# The quality gate's conditions, in order: (evaluation.json path, comparison, parameter).
GATE_CONDITIONS = [
    *(
        (f"binary_classification_metrics.{metric}.value", "GreaterThanOrEqualTo", parameter)
        for metric, parameter in (
            ("accuracy", "MinAccuracy"),
            ("precision", "MinPrecision"),
            ("recall", "MinRecall"),
            ("f1", "MinF1"),
            ("auc", "MinAuc"),
        )
    ),
    ("quality_gate.accuracy_over_baseline.value", "GreaterThanOrEqualTo", "MinAccuracyOverBaseline"),
    ("quality_gate.auc_over_chance.value", "GreaterThanOrEqualTo", "MinAucOverChance"),
    ("quality_gate.shortfall_vs_champion.value", "LessThanOrEqualTo", "ChampionTolerance"),
]
# Script mode's two, then each parameter under its declared training name.
HYPERPARAMETERS = {"sagemaker_program", "sagemaker_submit_directory"} | {
    p.hyperparameter for p in PARAMETERS if p.hyperparameter
}


@pytest.fixture(scope="module")
def fresh_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[Any]]]:
    """Two in-process builds with no AWS configuration, no credentials and every connection refused."""
    missing = tmp_path_factory.mktemp("no-aws") / "absent"
    attempts: list[Any] = []

    def refuse(_socket: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"network is off in this test (tried {address})")

    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            patch.delenv(name)
        patch.setenv("AWS_CONFIG_FILE", str(missing))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
        patch.setattr(socket.socket, "connect", refuse)
        yield builder.render_definition(), builder.render_definition(), attempts


def steps_by_name(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for step in definition["Steps"]:
        found[step["Name"]] = step
        for branch in ("IfSteps", "ElseSteps"):
            found |= {inner["Name"]: inner for inner in step.get("Arguments", {}).get(branch, [])}
    return found


def nodes(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from nodes(child)


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(builder.DEFINITION_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return steps_by_name(definition)


@pytest.mark.slow
def test_committed_definition_is_current(fresh_builds: tuple[str, str, list[Any]]) -> None:
    fresh, _, _ = fresh_builds
    assert builder.DEFINITION_PATH.read_text(encoding="utf-8") == fresh, STALE


@pytest.mark.slow
def test_two_builds_are_identical_and_offline(fresh_builds: tuple[str, str, list[Any]]) -> None:
    first, second, attempts = fresh_builds
    assert first == second
    assert attempts == []


@pytest.mark.slow
def test_committed_image_map_is_current() -> None:
    assert builder.IMAGES_PATH.read_text(encoding="utf-8") == builder.render_images(), STALE


def test_image_map_matches_the_image_placeholder_tag() -> None:
    images = json.loads(builder.IMAGES_PATH.read_text(encoding="utf-8"))
    assert placeholders.XGBOOST_IMAGE_URI.endswith(f":{images['version']}")
    assert {"us-east-1", "eu-west-1", "cn-north-1"} <= set(images["images"])
    assert all(uri.endswith(f"/sagemaker-xgboost:{images['version']}") for uri in images["images"].values())


def test_parameters_match_pipeline_parameters(definition: dict[str, Any]) -> None:
    # The SDK leaves DefaultValue out for an empty string.
    declared = [(p["Name"], p["Type"], p.get("DefaultValue", "")) for p in definition["Parameters"]]
    assert declared == [(p.name, p.type, p.default) for p in PARAMETERS]


def test_steps_have_the_documented_names_and_types(steps: dict[str, dict[str, Any]]) -> None:
    assert {name: step["Type"] for name, step in steps.items()} == {
        "Preprocess": "Processing",
        "Train": "Training",
        "Evaluate": "Processing",
        "CheckQuality": "Condition",
        "Register": "RegisterModel",
        "QualityGateFailed": "Fail",
    }


def test_steps_depend_on_each_other_through_properties(steps: dict[str, dict[str, Any]]) -> None:
    text = {name: json.dumps(step) for name, step in steps.items()}
    assert "Steps.Preprocess.ProcessingOutputConfig.Outputs['train']" in text["Train"]
    assert "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation']" in text["Train"]
    assert "Steps.Train.ModelArtifacts.S3ModelArtifacts" in text["Evaluate"]
    assert "Steps.Preprocess.ProcessingOutputConfig.Outputs['evaluation']" in text["Evaluate"]
    assert "Steps.Train.ModelArtifacts.S3ModelArtifacts" in text["Register"]
    assert "Steps.Evaluate.PropertyFiles.EvaluationReport" in text["CheckQuality"]
    assert steps["Evaluate"]["PropertyFiles"] == [
        {"FilePath": "evaluation.json", "OutputName": "evaluation", "PropertyFileName": "EvaluationReport"}
    ]


@pytest.mark.parametrize(
    ("step", "script", "flags"),
    [("Preprocess", "preprocess.py", PREPROCESS_FLAGS), ("Evaluate", "evaluate.py", EVALUATE_FLAGS)],
)
def test_processing_steps_follow_the_container_contract(
    steps: dict[str, dict[str, Any]], step: str, script: str, flags: list[str]
) -> None:
    app = steps[step]["Arguments"]["AppSpecification"]
    assert app["ContainerEntrypoint"][:2] == ["/bin/sh", "-c"]
    assert (
        "tar -xzf /opt/ml/processing/input/code/* -C /opt/ml/processing/code" in app["ContainerEntrypoint"][2]
    )
    assert f'python3 /opt/ml/processing/code/{script} "$@"' in app["ContainerEntrypoint"][2]
    assert [_flag(argument) for argument in app["ContainerArguments"]] == flags
    inputs = {i["InputName"]: i["S3Input"] for i in steps[step]["Arguments"]["ProcessingInputs"]}
    assert inputs["code"]["S3Uri"] == placeholders.PROCESSING_CODE_URI
    assert inputs["code"]["LocalPath"] == "/opt/ml/processing/input/code"


def test_preprocess_downloads_exactly_the_train_and_test_objects(steps: dict[str, dict[str, Any]]) -> None:
    """Defect 3 of issue 10: the `data` input was the whole data/ prefix, so every run downloaded every file.

    With S3DataType S3Prefix, SageMaker uses "all objects with the specified key name prefix"
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html): the
    prefix must be the file's own key.
    """
    inputs = {i["InputName"]: i["S3Input"] for i in steps["Preprocess"]["Arguments"]["ProcessingInputs"]}
    data_prefix = f"s3://{placeholders.ARTIFACT_BUCKET}/data/"
    for name, parameter, local_path in (
        ("data", "TrainFile", "/opt/ml/processing/input/data"),
        ("test", "TestFile", "/opt/ml/processing/input/test"),
    ):
        assert inputs[name]["S3Uri"] == {
            "Std:Join": {"On": "", "Values": [data_prefix, {"Get": f"Parameters.{parameter}"}]}
        }
        assert inputs[name]["LocalPath"] == local_path
    arguments = steps["Preprocess"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert "--test-dir=/opt/ml/processing/input/test" in arguments


def _flag(argument: str | dict[str, Any]) -> str:
    """`--flag` of a `--flag=value` argument, literal or a Std:Join whose first part is `--flag=`."""
    text = argument if isinstance(argument, str) else argument["Std:Join"]["Values"][0]
    return text.partition("=")[0]


def test_values_are_attached_to_their_flags(steps: dict[str, dict[str, Any]]) -> None:
    """Issue 18 item 10: `--train-file -x.csv` stops argparse ("expected one argument"); `--train-file=-x.csv`
    is one argument whatever the value starts with."""
    arguments = steps["Preprocess"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    train_file = {"Std:Join": {"On": "", "Values": ["--train-file=", {"Get": "Parameters.TrainFile"}]}}
    assert train_file in arguments


def test_training_runs_on_exactly_one_instance(
    definition: dict[str, Any], steps: dict[str, dict[str, Any]]
) -> None:
    """Defect 11 of issue 10: train.py joins no collective, so a second host would repeat the same work."""
    assert steps["Train"]["Arguments"]["ResourceConfig"]["InstanceCount"] == 1
    assert "TrainingInstanceCount" not in {p["Name"] for p in definition["Parameters"]}


def test_training_runs_train_py_from_the_bundle_in_script_mode(steps: dict[str, dict[str, Any]]) -> None:
    hyperparameters = steps["Train"]["Arguments"]["HyperParameters"]
    assert set(hyperparameters) == HYPERPARAMETERS
    assert json.loads(hyperparameters["sagemaker_program"]) == "train.py"
    assert json.loads(hyperparameters["sagemaker_submit_directory"]) == placeholders.TRAINING_CODE_URI
    channels = [c["ChannelName"] for c in steps["Train"]["Arguments"]["InputDataConfig"]]
    assert channels == ["train", "validation"]


def test_every_gate_check_is_a_condition_on_the_property_file(steps: dict[str, dict[str, Any]]) -> None:
    """Issue 13: a minimum per metric, the majority-class and chance margins, champion/challenger."""
    conditions = steps["CheckQuality"]["Arguments"]["Conditions"]
    assert [
        (c["LeftValue"]["Std:JsonGet"]["Path"], c["Type"], c["RightValue"]["Get"].removeprefix("Parameters."))
        for c in conditions
    ] == GATE_CONDITIONS
    assert all(
        c["LeftValue"]["Std:JsonGet"]["PropertyFile"]
        == {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}
        for c in conditions
    )
    branches = steps["CheckQuality"]["Arguments"]
    assert [s["Name"] for s in branches["IfSteps"]] == ["Register"]
    assert [s["Name"] for s in branches["ElseSteps"]] == ["QualityGateFailed"]


def test_the_gate_parameters_reach_evaluate_as_its_flags(steps: dict[str, dict[str, Any]]) -> None:
    """Evaluate explains the outcome (report, Fail message) from the same parameters the conditions use."""
    arguments = steps["Evaluate"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    passed = {
        a["Std:Join"]["Values"][1]["Get"].removeprefix("Parameters.")
        for a in arguments
        if isinstance(a, dict)
        and isinstance(a["Std:Join"]["Values"][1], dict)
        and "Get" in a["Std:Join"]["Values"][1]
    }
    assert {parameter for _, _, parameter in GATE_CONDITIONS} | {
        "ChampionModelUri",
        "PrimaryMetric",
    } <= passed


def test_register_is_pending_and_the_fail_message_lists_the_failures(
    steps: dict[str, dict[str, Any]],
) -> None:
    register = steps["Register"]["Arguments"]
    assert register["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["ModelPackageGroupName"] == placeholders.MODEL_PACKAGE_GROUP
    assert register["CustomerMetadataProperties"]["sha256"]["Std:JsonGet"]["Path"] == "artifact.sha256"
    assert "evaluation.json" in json.dumps(register["ModelMetrics"]["ModelQuality"]["Statistics"])
    values = steps["QualityGateFailed"]["Arguments"]["ErrorMessage"]["Std:Join"]["Values"]
    paths = [v["Std:JsonGet"]["Path"] for v in values if isinstance(v, dict)]
    assert paths == ["quality_gate.failures", "report.uri"]


def test_only_placeholders_name_aws_resources(definition: dict[str, Any]) -> None:
    code_uris = {placeholders.PROCESSING_CODE_URI, placeholders.TRAINING_CODE_URI}
    for node in nodes(definition):
        if isinstance(node, dict) and "Std:Join" in node and node["Std:Join"]["Values"][0] == "s3:/":
            assert node["Std:Join"]["Values"][1] == placeholders.ARTIFACT_BUCKET, node
        if not isinstance(node, str):
            continue
        for uri in re.findall(r"s3://[^\s\"]+", node):
            assert uri.startswith(f"s3://{placeholders.ARTIFACT_BUCKET}/") or uri in code_uris, uri
        if "arn:" in node:
            assert node == placeholders.PIPELINE_ROLE_ARN, node
        if ".dkr.ecr." in node:
            assert node == placeholders.XGBOOST_IMAGE_URI, node
    raw = builder.DEFINITION_PATH.read_text(encoding="utf-8")
    assert set(re.findall(r"\d{12}", raw)) == {"111122223333"}, "an AWS account id leaked"
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", raw), "a timestamp leaked"
    assert "sagemaker-us-east-1" not in raw, "the SDK's default bucket leaked"
    assert placeholders.TRAINING_CODE_URI in raw and placeholders.MODEL_PACKAGE_GROUP in raw


@pytest.mark.slow
def test_processing_entrypoint_unpacks_any_bundle_name_and_passes_arguments(
    steps: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    # given the Evaluate entrypoint with /opt/ml/ remapped, as the local engine runs it, and the
    # bundle stored under a CDK-style hashed name
    code_input = tmp_path / "processing" / "input" / "code"
    bundles.build_processing_bundle(code_input / "0123abcd.gz")
    entrypoint = steps["Evaluate"]["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    command = [
        part.replace("/opt/ml/", f"{tmp_path}/").replace("python3", sys.executable) for part in entrypoint
    ]
    # when it runs with a ContainerArgument
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60, check=False)
    # then the script got the argument from "$@"
    assert result.returncode == 0, result.stderr
    assert "--model-dir" in result.stdout


def test_parameter_hyperparameters_are_the_plain_values_without_hand_quoting(
    steps: dict[str, dict[str, Any]],
) -> None:
    """Issue 18 item 10: `["\"", Target, "\""]` made a column named `a"b` invalid JSON in the container."""
    hyperparameters = steps["Train"]["Arguments"]["HyperParameters"]
    for parameter in PARAMETERS:
        if parameter.hyperparameter:
            assert hyperparameters[parameter.hyperparameter] == {
                "Std:Join": {"On": "", "Values": [{"Get": f"Parameters.{parameter.name}"}]}
            }
