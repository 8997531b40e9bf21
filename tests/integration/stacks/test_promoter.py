"""The promoter against moto's SageMaker Model Registry and Lambda: approve, reject, repeat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from stacks.promoter import handler
from stacks.promoter.handler import MODEL_VERSION_VARIABLE, promote

REGION = "us-east-1"
GROUP = "mlpipe-titanic-test"
FUNCTION = "mlpipe-serving"
ALIAS = "live"
EVENT_FILE = Path(__file__).resolve().parents[2] / "events" / "sagemaker_model_package_state_change.json"


def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """moto SageMaker with an empty group, and a serving function whose alias targets an unpinned version."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    with mock_aws():
        sagemaker, lambda_client = boto3.client("sagemaker"), boto3.client("lambda")
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        role = boto3.client("iam").create_role(
            RoleName="serving",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        lambda_client.create_function(
            FunctionName=FUNCTION,
            Role=role,
            PackageType="Image",
            Code={"ImageUri": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/mlpipe:abc"},
            Environment={"Variables": {"MODEL_PACKAGE_GROUP": GROUP, MODEL_VERSION_VARIABLE: ""}},
        )
        first = lambda_client.publish_version(FunctionName=FUNCTION)["Version"]
        lambda_client.create_alias(FunctionName=FUNCTION, Name=ALIAS, FunctionVersion=first)
        yield sagemaker, lambda_client


def _register(sagemaker: Any, status: str) -> str:
    return str(
        sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [
                    {
                        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
                        "ModelDataUrl": "s3://bucket/runs/x/model.tar.gz",
                    }
                ],
                "SupportedContentTypes": ["application/json"],
                "SupportedResponseMIMETypes": ["application/json"],
            },
        )["ModelPackageArn"]
    )


def _set_status(sagemaker: Any, arn: str, status: str) -> None:
    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus=status)


def _live(lambda_client: Any) -> str:
    return handler.pinned_version(lambda_client, FUNCTION, ALIAS)


def _promote(sagemaker: Any, lambda_client: Any) -> handler.Promotion:
    return promote(sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, sleep=_no_sleep)


def test_nothing_approved_keeps_the_function_unpinned(aws: tuple[Any, Any]) -> None:
    sagemaker, lambda_client = aws
    _register(sagemaker, "PendingManualApproval")

    result = _promote(sagemaker, lambda_client)

    assert not result.changed
    assert _live(lambda_client) == ""


def test_approving_v2_pins_v2(aws: tuple[Any, Any]) -> None:
    # given v1 approved and live, v2 pending
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")
    v2 = _register(sagemaker, "PendingManualApproval")
    _promote(sagemaker, lambda_client)
    assert _live(lambda_client) == "1"

    # when v2 is approved
    _set_status(sagemaker, v2, "Approved")
    result = _promote(sagemaker, lambda_client)

    # then the alias serves a published version pinned to v2
    assert result.changed and (result.previous, result.current) == ("1", "2")
    alias = lambda_client.get_alias(FunctionName=FUNCTION, Name=ALIAS)
    assert alias["FunctionVersion"] == result.function_version
    assert _live(lambda_client) == "2"


def test_rejecting_live_v2_rolls_back_to_v1(aws: tuple[Any, Any]) -> None:
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")
    v2 = _register(sagemaker, "Approved")
    _promote(sagemaker, lambda_client)
    assert _live(lambda_client) == "2"

    _set_status(sagemaker, v2, "Rejected")
    result = _promote(sagemaker, lambda_client)

    assert (result.previous, result.current) == ("2", "1")
    assert _live(lambda_client) == "1"


def test_rejecting_the_only_approved_version_unpins(aws: tuple[Any, Any]) -> None:
    sagemaker, lambda_client = aws
    v1 = _register(sagemaker, "Approved")
    _promote(sagemaker, lambda_client)

    _set_status(sagemaker, v1, "Rejected")
    _promote(sagemaker, lambda_client)

    assert _live(lambda_client) == ""


def test_same_event_twice_changes_once(aws: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)
    monkeypatch.setenv("SERVING_FUNCTION_NAME", FUNCTION)
    monkeypatch.setenv("SERVING_ALIAS", ALIAS)
    monkeypatch.setattr(handler, "_clients", lambda: (sagemaker, lambda_client))
    event = json.loads(EVENT_FILE.read_text())
    assert event["detail"]["ModelPackageGroupName"] == GROUP

    first = handler.lambda_handler(event, None)
    second = handler.lambda_handler(event, None)

    assert first["changed"] and first["current"] == "1"
    assert not second["changed"]
    versions = lambda_client.list_versions_by_function(FunctionName=FUNCTION)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]


def test_events_of_another_group_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)

    result = handler.lambda_handler({"detail": {"ModelPackageGroupName": "someone-else"}}, None)

    assert result == {"changed": False, "ignored": True}
