"""SageMaker-only behaviour: versions the pipeline registered, metrics in S3, errors (moto and Stubber)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from runtime.registry.base import Registration, RegistryError, VersionNotFound
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.store.s3 import S3ArtifactStore
from tests.integration.backends.conftest import BUCKET, GROUP
from tests.integration.backends.service_model import shaped_response

EVALUATION_URI = f"s3://{BUCKET}/runs/abc/evaluation/evaluation.json"
EVALUATION = {
    "binary_classification_metrics": {
        "accuracy": {"value": 0.84, "standard_deviation": "NaN"},
        "roc_auc": {"value": 0.89, "standard_deviation": "NaN"},
        "confusion_matrix": {"0": {"0": 100, "1": 10}, "1": {"0": 15, "1": 54}},
    },
    "artifact": {"sha256": "ff" * 32},
}


def register_like_the_pipeline(registry: SageMakerModelRegistry, metrics_uri: str = EVALUATION_URI) -> None:
    """What the RegisterModel step creates: the artifact as ModelDataUrl, metrics as a statistics file."""
    registry.client.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [
                {"Image": "xgboost:3.0-5", "ModelDataUrl": f"s3://{BUCKET}/runs/abc/model.tar.gz"}
            ],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        ModelMetrics={
            "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": metrics_uri}}
        },
        CustomerMetadataProperties={"sha256": "ff" * 32},
    )


def test_reads_a_version_the_pipeline_registered(
    sagemaker_registry: SageMakerModelRegistry, s3_store: S3ArtifactStore
) -> None:
    s3_store.put_bytes(json.dumps(EVALUATION).encode(), EVALUATION_URI)
    register_like_the_pipeline(sagemaker_registry)

    version = sagemaker_registry.get_version(1)

    assert version.artifact_uri == f"s3://{BUCKET}/runs/abc/model.tar.gz"
    assert version.metrics == {"accuracy": 0.84, "roc_auc": 0.89}
    assert version.sha256 == "ff" * 32
    # Registered before the Register step carried a model card and provenance: read as empty.
    assert (version.input_schema, version.parameters) == ({}, {})
    assert (version.training_data_sha256, version.code_version, version.report_uri) == ("", {}, "")


def test_an_unreadable_model_card_is_an_error_naming_the_version(
    sagemaker_registry: SageMakerModelRegistry, s3_store: S3ArtifactStore
) -> None:
    s3_store.put_bytes(json.dumps(EVALUATION).encode(), EVALUATION_URI)
    client = sagemaker_registry.client
    client.create_model_package(
        ModelPackageGroupName=GROUP, ModelCard={"ModelCardContent": "{not json", "ModelCardStatus": "Draft"}
    )

    with pytest.raises(RegistryError, match=r"model-package/.*/1 holds unreadable facts: ModelCardContent"):
        sagemaker_registry.get_version(1)


def test_missing_metrics_file_is_an_error_naming_it(sagemaker_registry: SageMakerModelRegistry) -> None:
    register_like_the_pipeline(sagemaker_registry)

    with pytest.raises(RegistryError, match=EVALUATION_URI):
        sagemaker_registry.get_version(1)


def test_the_adapter_refuses_to_register(s3_store: S3ArtifactStore, boto_session: boto3.Session) -> None:
    """On AWS, the pipeline's Register step creates versions; the adapter only reads and updates them."""
    registry = SageMakerModelRegistry(GROUP, boto_session.client("sagemaker"), store=s3_store)
    registration = Registration(
        artifact_uri=f"s3://{BUCKET}/m.tar.gz", sha256="0", metrics={}, parameters={}, input_schema={},
        output_schema={},
    )  # fmt: skip

    with pytest.raises(RegistryError, match=r"Register step.*mlpipe run --backend aws"):
        registry.register_version(registration)


def test_unknown_group_says_how_to_fix_it(s3_store: S3ArtifactStore, boto_session: boto3.Session) -> None:
    registry = SageMakerModelRegistry("no-such-group", boto_session.client("sagemaker"), store=s3_store)

    with pytest.raises(RegistryError, match=r"'no-such-group'.*cdk deploy creates it"):
        registry.get_version(1)


def test_service_errors_are_not_reported_as_missing_versions(boto_session: boto3.Session) -> None:
    # Throttling is not something moto can produce; the Stubber answers as SageMaker would.
    client = boto_session.client("sagemaker")
    arn_prefix = "arn:aws:sagemaker:eu-west-3:111122223333"
    group_arn = f"{arn_prefix}:model-package-group/{GROUP}"
    group = shaped_response("DescribeModelPackageGroup", {"ModelPackageGroupArn": group_arn})
    with Stubber(client) as stubber:
        stubber.add_response("describe_model_package_group", group)
        stubber.add_client_error("describe_model_package", "ThrottlingException", "Rate exceeded")
        stubber.add_client_error(
            "describe_model_package", "ValidationException", f"ModelPackage {arn_prefix}:x does not exist."
        )
        registry = SageMakerModelRegistry(GROUP, client, store=None)

        with pytest.raises(RegistryError, match="Rate exceeded") as raised:
            registry.get_version(1)
        assert not isinstance(raised.value, VersionNotFound)
        with pytest.raises(VersionNotFound):
            registry.get_version(2)
        stubber.assert_no_pending_responses()
