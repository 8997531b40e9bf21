"""The serving function's role and the promoter's role, call by call.

Serving (lambda_inference/model_loader.py): lists and describes model packages
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackages.html, no resource type:
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html), reads
the artifact (s3:GetObject) and decrypts it (kms:Decrypt for SSE-KMS objects:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
Promoter (promoter/handler.py, issue 10 item 6): Lambda actions and their resources
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html); botocore's waiters
function_active_v2 / function_updated_v2 poll GetFunction, the v1 ones GetFunctionConfiguration
(botocore/data/lambda/2015-03-31/waiters-2.json); an async on-failure destination is written with the
function's execution role (sqs:SendMessage or sns:Publish:
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), and an encrypted
queue or topic needs kms:GenerateDataKey and kms:Decrypt
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from promoter.handler import set_stages
from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT, REGION
from tests.integration.iam.simulator import ALLOWED, DENIED, Request

pytestmark = pytest.mark.slow
GROUP = "mlpipe-titanic-dev"
# The model's own run prefix, runs/<group>/<execution id>/ (pipeline/definition/layout.py).
MODEL = f"runs/{GROUP}/pipelines-exec0001/train/pipelines-x-Train/output/model.tar.gz"
# Any other model's archive in the same bucket, and the layout without a group folder.
OTHER_MODELS = (
    "runs/mlpipe-other/pipelines-exec0002/train/pipelines-x-Train/output/model.tar.gz",
    "runs/pipelines-exec0002/train/pipelines-x-Train/output/model.tar.gz",
)


def _serving(d: Deployment) -> Principal:
    return d.role_session("serving", "ServingFunctionRole", "serving-function")


def _promoter(d: Deployment) -> Principal:
    return d.role_session("serving", "PromoterRole", "promoter-function")


def _function(d: Deployment) -> str:
    return d.attribute(d.one("serving", "AWS::Lambda::Function", "ServingFunction"))


def _object(d: Deployment, key: str) -> str:
    return f"arn:aws:s3:::{d.ref(d.one('data', 'AWS::S3::Bucket', 'ArtifactStoreBucket'))}/{key}"


def _bucket_key(d: Deployment) -> str:
    return d.attribute(d.one("data", "AWS::KMS::Key", "ArtifactStoreKey"))


def _sagemaker(resource: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}"


def _serving_errors_alarm(d: Deployment) -> str:
    """The alarm whose ALARM state rolls a canary back (stacks/serving_stack.py, promoter/canary_aws.py)."""
    return d.attribute(d.one("serving", "AWS::CloudWatch::Alarm", "AlarmsServingErrors"))


def _serving_latency_alarm(d: Deployment) -> str:
    """The p99 duration alarm, the canary's second rollback trigger (issue 15 item 1)."""
    return d.attribute(d.one("serving", "AWS::CloudWatch::Alarm", "AlarmsServingP99Duration"))


def _registry_reads(who: Principal, d: Deployment) -> list[Request]:
    return [
        d.request(who, "sagemaker:ListModelPackages", "*"),
        d.request(who, "sagemaker:DescribeModelPackage", _sagemaker(f"model-package/{GROUP}/3")),
    ]


def _failure_queue_or_topic(d: Deployment) -> str:
    """Where Lambda sends an event the promoter failed on: on-failure destination or dead-letter queue."""
    promoter = d.one("serving", "AWS::Lambda::Function", "PromoterFunction")
    configs = [
        resource["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        for _, _, resource in d.resources("AWS::Lambda::EventInvokeConfig")
        if resource["Properties"]["FunctionName"] == d.ref(promoter)
    ]
    dead_letter = promoter["Properties"].get("DeadLetterConfig", {}).get("TargetArn")
    found = [arn for arn in (*configs, dead_letter) if arn]
    assert found, "the promoter has neither an on-failure destination nor a dead-letter queue"
    return str(found[0])


def _encryption_key(d: Deployment, destination: str) -> str | None:
    """The KMS key ARN of a queue or topic, None under SSE-SQS; fails when it is not encrypted at all."""
    kind = "AWS::SQS::Queue" if destination.split(":")[2] == "sqs" else "AWS::SNS::Topic"
    target = next(r for _, _, r in d.resources(kind) if destination in d.identifiers(r))
    props = target["Properties"]
    if props.get("SqsManagedSseEnabled"):
        return None  # SSE-SQS: SQS owns the key, the sender needs no KMS permission
    key_id = props.get("KmsMasterKeyId")
    assert key_id, f"the failure destination {destination} is not encrypted"
    return next(d.attribute(k) for _, _, k in d.resources("AWS::KMS::Key") if key_id in d.identifiers(k))


def _sends_failures(d: Deployment) -> list[Request]:
    destination = _failure_queue_or_topic(d)
    kind = destination.split(":")[2]
    requests = [d.request(_promoter(d), "sqs:SendMessage" if kind == "sqs" else "sns:Publish", destination)]
    key = _encryption_key(d, destination)
    if key:
        context = {"kms:ViaService": f"{kind}.{REGION}.amazonaws.com"}
        requests += [
            d.request(_promoter(d), a, key, context=context) for a in ("kms:GenerateDataKey", "kms:Decrypt")
        ]
    return requests


# Issue 16: the serving function writes capture batches; the drift check reads them and the live version's
# archive, writes its report next to the evaluation report and publishes metrics in its own namespace
# (cloudwatch:namespace condition key: https://docs.aws.amazon.com/service-authorization/latest/reference/
# list_amazoncloudwatch.html; s3:prefix on ListBucket: https://docs.aws.amazon.com/service-authorization/
# latest/reference/list_amazons3.html; SSE-KMS uploads need kms:GenerateDataKey:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
CAPTURE = "capture/titanic-dev/date=2026-03-01/0f0e.jsonl.gz"  # capture/<model name>/, name of GROUP
OTHER_CAPTURE = "capture/other/date=2026-03-01/0f0e.jsonl.gz"
DRIFT_REPORT = f"runs/{GROUP}/pipelines-exec0001/evaluate/report/drift/2026-03-01T000000Z.html"
VIA_S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}


def _drift(d: Deployment) -> Principal:
    return d.role_session("serving", "DriftMonitorRole", "drift-function")


def _drift_allowed(d: Deployment) -> list[Request]:
    who = _drift(d)
    return [
        *_registry_reads(who, d),
        d.request(who, "s3:GetObject", _object(d, MODEL)),
        d.request(who, "s3:GetObject", _object(d, CAPTURE)),
        d.request(
            who,
            "s3:ListBucket",
            _object(d, "").rstrip("/"),
            context={"s3:prefix": "capture/titanic-dev/date=2026-03-01/"},
        ),
        d.request(who, "s3:PutObject", _object(d, DRIFT_REPORT)),
        *(d.request(who, a, _bucket_key(d), context=VIA_S3) for a in ("kms:Decrypt", "kms:GenerateDataKey")),
        d.request(
            who, "cloudwatch:PutMetricData", "*", context={"cloudwatch:namespace": "mlpipe/Monitoring"}
        ),
    ]


def _drift_denied(d: Deployment) -> list[Request]:
    who = _drift(d)
    return [
        *(d.request(who, "s3:PutObject", _object(d, key)) for key in (MODEL, "data/train.csv", CAPTURE)),
        d.request(who, "s3:DeleteObject", _object(d, CAPTURE)),
        d.request(who, "s3:ListBucket", _object(d, "").rstrip("/"), context={"s3:prefix": "data/"}),
        # Another model's captures, archives and report folders.
        d.request(who, "s3:GetObject", _object(d, OTHER_CAPTURE)),
        d.request(who, "s3:ListBucket", _object(d, "").rstrip("/"), context={"s3:prefix": "capture/other/"}),
        *(d.request(who, "s3:GetObject", _object(d, key)) for key in OTHER_MODELS),
        d.request(who, "s3:PutObject", _object(d, "runs/mlpipe-other/e/evaluate/report/drift/x.html")),
        d.request(who, "cloudwatch:PutMetricData", "*", context={"cloudwatch:namespace": "AWS/Lambda"}),
        d.request(who, "sagemaker:UpdateModelPackage", _sagemaker(f"model-package/{GROUP}/3")),
    ]


# UpdateModelPackage's request fields as its condition keys (Service Authorization Reference, Amazon
# SageMaker: sagemaker:ModelApprovalStatus, sagemaker:ModelLifeCycle:Stage and :StageStatus on
# UpdateModelPackage, https://docs.aws.amazon.com/service-authorization/latest/reference/
# list_amazonsagemaker.html; the stage condition keys in use: https://docs.aws.amazon.com/sagemaker/latest/
# dg/model-registry-staging-construct-set-up.html). A key absent from the request is absent from the context.
APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")


def _update(d: Deployment, who: Principal, call: dict[str, Any], *, group: str = GROUP) -> Request:
    context: dict[str, str] = {}
    if "ModelApprovalStatus" in call:
        context["sagemaker:ModelApprovalStatus"] = call["ModelApprovalStatus"]
    if "ModelLifeCycle" in call:
        context["sagemaker:ModelLifeCycle:Stage"] = call["ModelLifeCycle"]["Stage"]
        context["sagemaker:ModelLifeCycle:StageStatus"] = call["ModelLifeCycle"]["StageStatus"]
    arn = call.get("ModelPackageArn") or _sagemaker(f"model-package/{group}/3")
    return d.request(who, "sagemaker:UpdateModelPackage", arn, context=context)


class _RecordingRegistry:
    """Just enough of a SageMaker client for promoter.handler.set_stages: it lists, and records updates."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []

    def get_paginator(self, _name: str) -> Any:
        summaries = [
            {"ModelPackageVersion": v, "ModelPackageArn": _sagemaker(f"model-package/{GROUP}/{v}")}
            for v in (2, 3)
        ]
        return SimpleNamespace(paginate=lambda **_: [{"ModelPackageSummaryList": summaries}])

    def update_model_package(self, **kwargs: Any) -> dict[str, Any]:
        self.updates.append(kwargs)
        return {"ModelPackageArn": kwargs["ModelPackageArn"]}


def _handler_stage_calls() -> list[dict[str, Any]]:
    """The UpdateModelPackage calls promoter/handler.py makes when v3 replaces v2: the grant must fit them."""
    registry = _RecordingRegistry()
    set_stages(registry, GROUP, live="3", replaced="2")
    assert len(registry.updates) == 2, registry.updates
    return registry.updates


CASES: dict[str, Case] = {
    "serving writes captured batches below capture/ (issue 16)": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_serving(d), "s3:PutObject", _object(d, CAPTURE)),
            d.request(_serving(d), "kms:GenerateDataKey", _bucket_key(d), context=VIA_S3),
        ],
    ),
    "serving cannot read, delete or write elsewhere than capture/ (issue 16)": Case(
        DENIED,
        lambda d: [
            d.request(_serving(d), "s3:GetObject", _object(d, CAPTURE)),
            d.request(_serving(d), "s3:DeleteObject", _object(d, CAPTURE)),
            d.request(_serving(d), "s3:PutObject", _object(d, DRIFT_REPORT)),
            # Another model's capture folder and archives, and archives of the layout without a group.
            d.request(_serving(d), "s3:PutObject", _object(d, OTHER_CAPTURE)),
            *(d.request(_serving(d), "s3:GetObject", _object(d, key)) for key in OTHER_MODELS),
        ],
    ),
    "drift check reads versions, archives and captures, writes reports and its metrics (issue 16)": Case(
        (ALLOWED,), _drift_allowed
    ),
    "drift check cannot write models, data or captures, nor other namespaces (issue 16)": Case(
        DENIED, _drift_denied
    ),
    "serving lists and describes model versions": Case((ALLOWED,), lambda d: _registry_reads(_serving(d), d)),
    "serving reads and decrypts the model artifact": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_serving(d), "s3:GetObject", _object(d, MODEL)),
            d.request(
                _serving(d),
                "kms:Decrypt",
                _bucket_key(d),
                context={"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
            ),
        ],
    ),
    "serving cannot write or delete in the bucket": Case(
        DENIED,
        lambda d: [
            d.request(_serving(d), action, _object(d, key))
            for action in ("s3:PutObject", "s3:DeleteObject")
            for key in (MODEL, "data/train.csv")
        ],
    ),
    "serving cannot approve versions or change functions": Case(
        DENIED,
        lambda d: [
            d.request(_serving(d), "sagemaker:UpdateModelPackage", _sagemaker(f"model-package/{GROUP}/3")),
            d.request(_serving(d), "lambda:UpdateFunctionConfiguration", _function(d)),
        ],
    ),
    "promoter lists and describes model versions (item 6: DescribeModelPackage)": Case(
        (ALLOWED,), lambda d: _registry_reads(_promoter(d), d)
    ),
    "promoter sets the ModelLifeCycle stages its handler writes (issue 12)": Case(
        (ALLOWED,),
        lambda d: [_update(d, _promoter(d), call) for call in _handler_stage_calls()],
    ),
    "promoter cannot approve or reject versions (a human's call)": Case(
        DENIED,
        lambda d: [
            *(_update(d, _promoter(d), {"ModelApprovalStatus": s}) for s in APPROVAL_STATUSES),
            # an approval change riding on a stage update the promoter may make
            *(
                _update(d, _promoter(d), {**call, "ModelApprovalStatus": "Approved"})
                for call in _handler_stage_calls()
            ),
        ],
    ),
    "promoter sets no other stage, status or field (issue 12)": Case(
        DENIED,
        lambda d: [
            _update(d, _promoter(d), {"ModelLifeCycle": {"Stage": "Development", "StageStatus": "Approved"}}),
            _update(d, _promoter(d), {"ModelLifeCycle": {"Stage": "Production", "StageStatus": "Rejected"}}),
            _update(d, _promoter(d), {"ApprovalDescription": "no ModelLifeCycle in the request"}),
            _update(
                d,
                _promoter(d),
                {"ModelLifeCycle": {"Stage": "Production", "StageStatus": "Approved"}},
                group="someone-elses-group",
            ),
        ],
    ),
    "promoter pins the serving function and its alias": Case(
        (ALLOWED,),
        lambda d: [
            *(
                d.request(_promoter(d), action, _function(d))
                for action in (
                    "lambda:GetFunctionConfiguration",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:PublishVersion",
                    "lambda:GetAlias",
                    "lambda:UpdateAlias",
                )
            ),
            d.request(_promoter(d), "lambda:GetFunctionConfiguration", f"{_function(d)}:3"),
            d.request(_promoter(d), "lambda:UpdateAlias", f"{_function(d)}:live"),
        ],
    ),
    "promoter waits with botocore's waiters (item 6: GetFunction)": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_promoter(d), "lambda:GetFunction", _function(d)),
            d.request(_promoter(d), "lambda:GetFunctionConfiguration", _function(d)),
        ],
    ),
    "promoter records failures in its encrypted failure queue or topic (item 6)": Case(
        (ALLOWED,), _sends_failures
    ),
    "promoter appends deployment history below its group's prefix (issue 15)": Case(
        (ALLOWED,),
        lambda d: [
            d.request(
                _promoter(d), "s3:PutObject", _object(d, f"deployments/{GROUP}/20261129T120000Z-v1-v2.json")
            ),
            d.request(_promoter(d), "kms:GenerateDataKey", _bucket_key(d), context=VIA_S3),
        ],
    ),
    "promoter cannot read, delete or write elsewhere in the bucket (issue 15)": Case(
        DENIED,
        lambda d: [
            d.request(
                _promoter(d), "s3:GetObject", _object(d, f"deployments/{GROUP}/20261129T120000Z-v1-v2.json")
            ),
            d.request(
                _promoter(d),
                "s3:DeleteObject",
                _object(d, f"deployments/{GROUP}/20261129T120000Z-v1-v2.json"),
            ),
            d.request(_promoter(d), "s3:PutObject", _object(d, "deployments/another-group/x.json")),
            d.request(_promoter(d), "s3:PutObject", _object(d, MODEL)),
        ],
    ),
    "promoter reads its canary alarms' states (issue 15 item 1: DescribeAlarms)": Case(
        (ALLOWED,),
        lambda d: [
            d.request(_promoter(d), "cloudwatch:DescribeAlarms", _serving_errors_alarm(d)),
            d.request(_promoter(d), "cloudwatch:DescribeAlarms", _serving_latency_alarm(d)),
        ],
    ),
    "promoter reads no other alarm and changes none (issue 15 item 1)": Case(
        DENIED,
        lambda d: [
            d.request(
                _promoter(d), "cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:x"
            ),
            d.request(_promoter(d), "cloudwatch:SetAlarmState", _serving_errors_alarm(d)),
            d.request(_promoter(d), "cloudwatch:DisableAlarmActions", _serving_errors_alarm(d)),
            d.request(_promoter(d), "cloudwatch:SetAlarmState", _serving_latency_alarm(d)),
        ],
    ),
    "promoter cannot change the serving code or other functions": Case(
        DENIED,
        lambda d: [
            d.request(_promoter(d), "lambda:UpdateFunctionCode", _function(d)),
            d.request(
                _promoter(d),
                "lambda:UpdateFunctionConfiguration",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:someone-else",
            ),
        ],
    ),
}


@pytest.fixture(scope="module")
def decisions(deployment: Deployment) -> dict[str, list[str]]:
    return decide_all(deployment, CASES)


@pytest.mark.parametrize("name", CASES)
def test_lambda_role(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []
