"""The pipeline role as SageMaker uses it for the jobs' code, data, outputs, logs, metrics, keys and registry.

Calls a job makes with the execution role: "CreateProcessingJob API: Execution Role Permissions" and
"CreateTrainingJob API: Execution Role Permissions" in
https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html (S3 get/put/list, CloudWatch Logs
streams and events, cloudwatch:PutMetricData, ECR pull of the algorithm image). With `S3Prefix`,
"SageMaker uses all objects with the specified key name prefix" (it lists the prefix):
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html. Objects under
SSE-KMS need kms:Decrypt to read and kms:GenerateDataKey to write:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html. ListBucket's s3:prefix
condition key: https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html.
The register step calls CreateModelPackage in the group:
https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-version.html.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT, REGION
from tests.integration.iam.simulator import ALLOWED, DENIED, EXPLICITLY_DENIED, Request

pytestmark = pytest.mark.slow
EXECUTION = "pipelines-exec0001"
GROUP = "mlpipe-titanic-dev"
S3_URI = re.compile(r"s3://([^/\"]+)/([^\"\\]*)")
ASSETS_BUCKET = re.compile(r"^cdk-[a-z0-9]+-assets-")


def _role(d: Deployment) -> Principal:
    return d.role_session("pipeline", "PipelineRole", "SageMaker")


def _bucket(d: Deployment) -> str:
    return d.ref(d.one("data", "AWS::S3::Bucket", "ArtifactStoreBucket"))


def _bucket_key(d: Deployment) -> str:
    return d.attribute(d.one("data", "AWS::KMS::Key", "ArtifactStoreKey"))


def _steps(d: Deployment) -> list[dict[str, Any]]:
    pipeline = d.one("pipeline", "AWS::SageMaker::Pipeline", "TrainingPipeline")
    definition = pipeline["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
    return list(json.loads(definition)["Steps"])


def _code_objects(d: Deployment) -> list[tuple[str, str]]:
    """(bucket, key) of every code bundle the definition names literally (processing inputs, training)."""
    text = json.dumps(_steps(d))
    found = sorted({(m[1], m[2]) for m in S3_URI.finditer(text) if ASSETS_BUCKET.match(m[1])})
    assert len(found) >= 2, f"expected the processing and training code bundles in the definition: {found}"
    return found


def _prefix_inputs_on_assets(d: Deployment) -> list[tuple[str, str]]:
    """(bucket, prefix) of the processing inputs SageMaker lists: S3Prefix inputs on the assets bucket."""
    inputs = [
        item["S3Input"]
        for step in _steps(d)
        for item in step["Arguments"].get("ProcessingInputs", [])
        if isinstance(item["S3Input"]["S3Uri"], str) and item["S3Input"]["S3DataType"] == "S3Prefix"
    ]
    found = [S3_URI.match(item["S3Uri"]).groups() for item in inputs if S3_URI.match(item["S3Uri"])]  # type: ignore[union-attr]
    return [(bucket, key) for bucket, key in found if ASSETS_BUCKET.match(bucket)]


def _joins(node: Any) -> list[list[Any]]:
    if isinstance(node, dict):
        own = [node["Std:Join"]["Values"]] if isinstance(node.get("Std:Join"), dict) else []
        return own + [found for value in node.values() for found in _joins(value)]
    if isinstance(node, list):
        return [found for item in node for found in _joins(item)]
    return []


def _run_outputs(d: Deployment) -> list[str]:
    """Object keys below every `runs/` location the synthesized definition writes, for execution EXECUTION."""
    execution = {"Get": "Execution.PipelineExecutionId"}
    keys = [
        "/".join(EXECUTION if value == execution else value for value in values).split("/", 3)[3] + "/part"
        for values in _joins(_steps(d))
        if "runs" in values and all(isinstance(v, str) or v == execution for v in values)
    ]
    assert len(keys) >= 6, f"expected the three splits, the model, evaluation and report: {keys}"
    return keys


def _xgboost_repository(d: Deployment) -> str:
    images = {step["Arguments"].get("AppSpecification", {}).get("ImageUri") for step in _steps(d)}
    image = next(uri for uri in images if uri)
    registry, _, path = image.partition("/")
    account, region = registry.split(".")[0], registry.split(".")[3]
    return f"arn:aws:ecr:{region}:{account}:repository/{path.split(':')[0]}"


def _object(d: Deployment, key: str) -> str:
    return f"arn:aws:s3:::{_bucket(d)}/{key}"


def _s3_kms(d: Deployment, action: str) -> Request:
    context = {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    return d.request(_role(d), action, _bucket_key(d), context=context)


def _ecr_pull(d: Deployment) -> list[Request]:
    repository = _xgboost_repository(d)
    # The repository is AWS's: its policy is outside our templates, so a stand-in lets this account
    # pull and only our side (the role's identity policies) is under test.
    stand_in = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "ecr:*"}
        ],
    }
    pulls = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    requests = [d.request(_role(d), action, repository) for action in pulls]
    requests = [Request(**{**r.__dict__, "resource_policy": stand_in}) for r in requests]
    return [*requests, d.request(_role(d), "ecr:GetAuthorizationToken", "*")]


def _logs(d: Deployment) -> list[Request]:
    return [
        d.request(
            _role(d),
            action,
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/{group}:log-stream:{EXECUTION}-x/algo-1",
        )
        for group in ("ProcessingJobs", "TrainingJobs")
        for action in ("logs:CreateLogStream", "logs:PutLogEvents")
    ]


def _sagemaker(resource: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}"


CASES: dict[str, Case] = {
    "reads the code bundles (s3:GetObject)": Case(
        (ALLOWED,),
        lambda d: [d.request(_role(d), "s3:GetObject", f"arn:aws:s3:::{b}/{k}") for b, k in _code_objects(d)],
    ),
    "lists the code bundle prefixes of S3Prefix inputs (s3:ListBucket, issue 10 item 2)": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_role(d), "s3:ListBucket", f"arn:aws:s3:::{b}", context={"s3:prefix": k})
            for b, k in _prefix_inputs_on_assets(d)
        ],
    ),
    "cannot list the whole CDK assets bucket": Case(
        DENIED,
        lambda d: d.request(
            _role(d), "s3:ListBucket", f"arn:aws:s3:::{_code_objects(d)[0][0]}", context={"s3:prefix": ""}
        ),
    ),
    "reads and lists the training data": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_role(d), "s3:GetObject", _object(d, "data/train.csv")),
            d.request(
                _role(d),
                "s3:ListBucket",
                f"arn:aws:s3:::{_bucket(d)}",
                context={"s3:prefix": "data/train.csv"},
            ),
        ],
    ),
    "writes and reads every output the definition names, below runs/<its group>/": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_role(d), action, _object(d, key))
            for action in ("s3:PutObject", "s3:GetObject")
            for key in _run_outputs(d)
        ],
    ),
    "lists its outputs (S3Prefix channels) below runs/<its group>/": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_role(d), "s3:ListBucket", f"arn:aws:s3:::{_bucket(d)}", context={"s3:prefix": key})
            for key in _run_outputs(d)
        ],
    ),
    "cannot write or read outside its group's run prefix (another model's, the ungrouped layout)": Case(
        DENIED,
        lambda d: (
            [
                d.request(_role(d), action, _object(d, key))
                for action in ("s3:PutObject", "s3:GetObject")
                for key in (
                    f"runs/mlpipe-other/{EXECUTION}/train/pipelines-x-Train/output/model.tar.gz",
                    f"runs/{EXECUTION}/train/pipelines-x-Train/output/model.tar.gz",
                    f"runs/{GROUP}-other/{EXECUTION}/train/model.tar.gz",
                )
            ]
            + [
                d.request(
                    _role(d), "s3:ListBucket", f"arn:aws:s3:::{_bucket(d)}", context={"s3:prefix": "runs/"}
                )
            ]
        ),
    ),
    "decrypts and generates data keys with the bucket key through S3": Case(
        (ALLOWED,), lambda d: [_s3_kms(d, "kms:Decrypt"), _s3_kms(d, "kms:GenerateDataKey")]
    ),
    "writes its job logs": Case((ALLOWED,), _logs),
    "publishes job metrics in the SageMaker namespace": Case(
        (ALLOWED,),
        lambda d: d.request(
            _role(d),
            "cloudwatch:PutMetricData",
            "*",
            context={"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"},
        ),
    ),
    "pulls the AWS XGBoost image": Case((ALLOWED,), _ecr_pull),
    "starts the pipeline's jobs and passes itself to them": Case(
        (ALLOWED,),
        lambda d: [
            d.request(
                _role(d), "sagemaker:CreateProcessingJob", _sagemaker("processing-job/pipelines-x-pre")
            ),
            d.request(_role(d), "sagemaker:CreateTrainingJob", _sagemaker("training-job/pipelines-x-train")),
            d.request(
                _role(d),
                "iam:PassRole",
                _role(d).context["aws:PrincipalArn"],
                context={"iam:PassedToService": "sagemaker.amazonaws.com"},
            ),
        ],
    ),
    "registers a model version in its group": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_role(d), "sagemaker:CreateModelPackage", _sagemaker(f"model-package/{GROUP}/1")),
            d.request(
                _role(d), "sagemaker:DescribeModelPackageGroup", _sagemaker(f"model-package-group/{GROUP}")
            ),
        ],
    ),
    "cannot approve model versions": Case(
        DENIED,
        lambda d: d.request(_role(d), "sagemaker:UpdateModelPackage", _sagemaker(f"model-package/{GROUP}/1")),
    ),
    "is refused over plain HTTP by the bucket policy": Case(
        (EXPLICITLY_DENIED,),
        lambda d: d.request(_role(d), "s3:GetObject", _object(d, "data/train.csv"), secure_transport=False),
    ),
}


@pytest.fixture(scope="module")
def decisions(deployment: Deployment) -> dict[str, list[str]]:
    return decide_all(deployment, CASES)


@pytest.mark.parametrize("name", CASES)
def test_pipeline_role(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []


def test_every_output_is_below_its_group_and_execution(deployment: Deployment) -> None:
    """The synthesized definition writes only below runs/<group>/<execution id>/, where the role writes."""
    outside = [key for key in _run_outputs(deployment) if not key.startswith(f"runs/{GROUP}/{EXECUTION}/")]
    assert outside == []
