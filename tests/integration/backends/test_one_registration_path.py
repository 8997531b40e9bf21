"""Issue 11 item 2: one run registered through both backends reads back the same facts.

The committed definition's Register step is resolved for one run; the local engine registers it in
SQLite, and the same resolved request, as SageMaker would send it (CreateModelPackage, checked with
botocore's ParamValidator), goes to moto's SageMaker. `models show --json` prints `to_json()`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sagemaker.core.shapes.model_card_shapes import ModelCardContent

from pipeline.definition import placeholders
from pipeline.engine.context import RunContext
from pipeline.engine.graph import PlannedStep
from pipeline.engine.resolve import resolve
from pipeline.engine.steps.register import run_register
from pipeline.local_run import DEFINITION_PATH
from runtime.hashing import sha256_bytes, sha256_file
from runtime.registry.model_package import registration_facts, write_training_data
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.store.s3 import S3ArtifactStore
from tests.integration.backends.conftest import BUCKET, GROUP
from tests.integration.backends.model_packages import ModelCardKeepingClient, assert_valid_request

RUN = f"s3://{BUCKET}/runs/exec-1"
ARCHIVE = b"model.tar.gz bytes"
# CDK file assets are keyed by content hash (aws-cdk-lib AssetStaging); the values are illustrative.
CODE_URIS = {
    placeholders.TRAINING_CODE_URI: f"s3://cdk-hnb659fds-assets-111122223333-eu-west-3/{'a' * 64}.tar.gz",
    placeholders.PROCESSING_CODE_URI: f"s3://cdk-hnb659fds-assets-111122223333-eu-west-3/{'b' * 64}.tar.gz",
}
METADATA = {
    "parameters": {"max_depth": "4", "eta": "0.03", "target": 'quote"and\\backslash'},
    "input_schema": {"type": "object", "required": ["Sex"], "properties": {"Sex": {"type": "string"}}},
    "output_schema": {"type": "object", "properties": {"probability": {"type": "number"}}},
}
METRICS = {"accuracy": 0.84, "auc": 0.88}


def register_arguments() -> dict[str, Any]:
    definition = placeholders.substitute(json.loads(DEFINITION_PATH.read_text()), {
        placeholders.ARTIFACT_BUCKET: BUCKET, placeholders.MODEL_PACKAGE_GROUP: GROUP, **CODE_URIS,
    })  # fmt: skip
    (check,) = [step for step in definition["Steps"] if step["Type"] == "Condition"]
    (register,) = [step for step in check["Arguments"]["IfSteps"] if step["Name"] == "Register"]
    evaluate = next(step for step in definition["Steps"] if step["Name"] == "Evaluate")
    return {"Register": register, "Evaluate": evaluate}


def evaluated_run(store: S3ArtifactStore, raw_input: Path, work: Path) -> dict[str, dict[str, Any]]:
    """What Preprocess, Train and Evaluate leave behind, written with their own helpers."""
    store.put_bytes(ARCHIVE, f"{RUN}/train/model.tar.gz")
    evaluation_dir = work / "evaluation"
    evaluation_dir.mkdir()
    write_training_data(evaluation_dir, raw_input)  # preprocess.py
    scalars = {name: {"value": value, "standard_deviation": "NaN"} for name, value in METRICS.items()}
    evaluation = {
        "binary_classification_metrics": scalars,
        "artifact": {"sha256": sha256_bytes(ARCHIVE)},
        "report": {"uri": f"{RUN}/evaluate/report/index.html"},  # evaluate.py, from --report-uri
        "registration": registration_facts(evaluation_dir, METADATA, METRICS),  # evaluate.py
    }
    store.put_bytes(json.dumps(evaluation).encode(), f"{RUN}/evaluate/evaluation/evaluation.json")
    outputs = [
        {"OutputName": name, "S3Output": {"S3Uri": f"{RUN}/evaluate/{name}"}}
        for name in ("evaluation", "report")
    ]
    return {
        "Train": {"ModelArtifacts": {"S3ModelArtifacts": f"{RUN}/train/model.tar.gz"}},
        "Evaluate": {"ProcessingOutputConfig": {"Outputs": outputs}},
    }


@pytest.fixture
def raw_input(tmp_path: Path) -> Path:
    path = tmp_path / "train.csv"
    path.write_text("Survived,Sex\n1,female\n0,male\n")
    return path


def test_both_backends_show_the_same_version(
    s3_store: S3ArtifactStore, sagemaker_registry: SageMakerModelRegistry, raw_input: Path, tmp_path: Path
) -> None:
    # given: one run, evaluated, and the committed Register step
    steps = register_arguments()
    context = RunContext(
        store=s3_store, registry=SqliteModelRegistry(tmp_path / "registry.db", GROUP), execution_id="exec-1",
        pipeline_name="mlpipe-training", run_dir=tmp_path / "run", parameters={},
        definitions={"Evaluate": steps["Evaluate"]}, properties=evaluated_run(s3_store, raw_input, tmp_path),
    )  # fmt: skip
    request = resolve(steps["Register"]["Arguments"], context)
    assert_valid_request("CreateModelPackage", request)
    ModelCardContent.model_validate_json(request["ModelCard"]["ModelCardContent"])

    # when: the local engine registers it, and SageMaker registers the same request
    step = PlannedStep(
        name="Register", type="RegisterModel", definition=steps["Register"], depends_on=frozenset()
    )
    run_register(step, context)
    client = ModelCardKeepingClient(sagemaker_registry.client)
    client.create_model_package(**request)
    local = context.registry.get_version(1).to_json()
    aws = SageMakerModelRegistry(GROUP, client, store=s3_store).get_version(1).to_json()

    # then: the same keys and values (but the creation time), and every fact is there
    local.pop("created"), aws.pop("created")
    assert aws == local
    assert local["training_data_sha256"] == sha256_file(raw_input)
    assert local["sha256"] == sha256_bytes(ARCHIVE)
    assert local["metrics"] == METRICS
    assert local["parameters"] == METADATA["parameters"]
    assert (local["input_schema"], local["output_schema"]) == (
        METADATA["input_schema"],
        METADATA["output_schema"],
    )
    assert local["report_uri"] == f"{RUN}/evaluate/report/index.html"
    assert local["code_version"] == {
        "training": CODE_URIS[placeholders.TRAINING_CODE_URI],
        "processing": CODE_URIS[placeholders.PROCESSING_CODE_URI],
    }


def test_customer_metadata_values_fit_the_service_pattern(
    s3_store: S3ArtifactStore, raw_input: Path, tmp_path: Path
) -> None:
    """ParamValidator checks lengths, not patterns: the value pattern of CustomerMetadataProperties is
    `([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,256}` (botocore sagemaker service-2.json,
    CustomerMetadataValue; https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModelPackage.html).
    """
    steps = register_arguments()
    context = RunContext(
        store=s3_store, registry=SqliteModelRegistry(tmp_path / "registry.db", GROUP), execution_id="exec-1",
        pipeline_name="mlpipe-training", run_dir=tmp_path / "run", parameters={},
        definitions={"Evaluate": steps["Evaluate"]}, properties=evaluated_run(s3_store, raw_input, tmp_path),
    )  # fmt: skip

    properties = resolve(steps["Register"]["Arguments"], context)["CustomerMetadataProperties"]

    assert set(properties) == {
        "sha256",
        "training_data_sha256",
        "report_uri",
        "code.training",
        "code.processing",
    }
    for value in properties.values():
        assert 1 <= len(value) <= 256
        assert all(char.isalnum() or char.isspace() or char in "_.:/=+-@" for char in value), value
