"""Register a version on (moto's) SageMaker as the pipeline's Register step does, and fill moto's gaps.

On AWS, versions are created by the Register step (pipeline/definition/register.py), never by the
registry adapter: these helpers build the same CreateModelPackage request from a Registration, in
the layout of runtime/registry/model_package.py, and validate it against botocore's service model.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.validate import ParamValidator

from runtime.registry.base import Registration
from runtime.registry.model_package import CARD_STATUS, CODE_PREFIX, model_card_content
from runtime.store.base import ArtifactStore
from tests.integration.backends.service_model import sagemaker_model

IMAGE = "111122223333.dkr.ecr.eu-west-3.amazonaws.com/sagemaker-xgboost:3.0-5"


def statistics_document(registration: Registration) -> bytes:
    """evaluation.json as Evaluate writes it: SageMaker's model-quality format plus the artifact digest."""
    entries = {
        name: {"value": value, "standard_deviation": "NaN"} for name, value in registration.metrics.items()
    }
    return json.dumps(
        {"binary_classification_metrics": entries, "artifact": {"sha256": registration.sha256}}
    ).encode()


def create_request(group: str, registration: Registration, store: ArtifactStore) -> dict[str, Any]:
    """The Register step's CreateModelPackage request for `registration`; writes its metrics to `store`."""
    metrics_uri = registration.artifact_uri.rsplit("/", 1)[0] + "/evaluation/evaluation.json"
    store.put_bytes(statistics_document(registration), metrics_uri)
    properties = {
        "sha256": registration.sha256,
        "training_data_sha256": registration.training_data_sha256,
        "report_uri": registration.report_uri,
        **{CODE_PREFIX + name: uri for name, uri in registration.code_version.items()},
    }
    card = model_card_content(
        parameters=registration.parameters,
        input_schema=registration.input_schema,
        output_schema=registration.output_schema,
        metrics=registration.metrics,
        training_data=registration.training_data_sha256,
    )
    request = {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": registration.status,
        "InferenceSpecification": {
            "Containers": [{"Image": IMAGE, "ModelDataUrl": registration.artifact_uri}],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        "ModelMetrics": {
            "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": metrics_uri}}
        },
        # SageMaker refuses empty values (min length 1): an unknown fact is left out, read back as "".
        "CustomerMetadataProperties": {key: value for key, value in properties.items() if value},
        "ModelCard": {"ModelCardContent": card, "ModelCardStatus": CARD_STATUS},
    }
    assert_valid_request("CreateModelPackage", request)
    return request


def assert_valid_request(operation: str, request: dict[str, Any]) -> None:
    """botocore's own validation of a request against the operation's input shape."""
    shape = sagemaker_model().operation_model(operation).input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


class ModelCardKeepingClient:
    """A moto SageMaker client that returns the model card DescribeModelPackage returns on AWS.

    moto 5.2.5 accepts ModelCard in CreateModelPackage and drops it (test_moto_gap.py); SageMaker
    returns it in DescribeModelPackage (botocore's DescribeModelPackageOutput has a ModelCard member,
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html).
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._cards: dict[str, dict[str, str]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def create_model_package(self, **request: Any) -> dict[str, Any]:
        response: dict[str, Any] = self._client.create_model_package(**request)
        if "ModelCard" in request:
            self._cards[response["ModelPackageArn"]] = request["ModelCard"]
        return response

    def describe_model_package(self, **request: Any) -> dict[str, Any]:
        described: dict[str, Any] = self._client.describe_model_package(**request)
        card = self._cards.get(described.get("ModelPackageArn", ""))
        return {**described, "ModelCard": card} if card else described
