"""The promoter against moto's SageMaker Model Registry and Lambda: approve, reject, repeat.

moto keeps ListModelPackages consistent with DescribeModelPackage and ignores PublishVersion's CodeSha256
and RevisionId, so the disagreements and races are tested on botocore's Stubber in
tests/unit/stacks/test_promoter_handler.py; here the calls run end to end against moto's state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from promoter import handler
from promoter.handler import MODEL_VERSION_VARIABLE, promote
from tests.integration.stacks.cfn import actions_of, only, resources_of

REGION = "us-east-1"
GROUP = "mlpipe-titanic-test"
FUNCTION = "mlpipe-serving"
ALIAS = "live"
IMAGE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/mlpipe:abc"
EVENT_FILE = Path(__file__).resolve().parents[2] / "events" / "sagemaker_model_package_state_change.json"


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
            Code={"ImageUri": IMAGE},
            Environment={"Variables": {"MODEL_PACKAGE_GROUP": GROUP, MODEL_VERSION_VARIABLE: ""}},
        )
        first = lambda_client.publish_version(FunctionName=FUNCTION)["Version"]
        lambda_client.create_alias(FunctionName=FUNCTION, Name=ALIAS, FunctionVersion=first)
        yield sagemaker, lambda_client


def _artifact(version: int) -> dict[str, str]:
    """What the Register step records for `version`: its archive, and that archive's SHA-256 as the
    CustomerMetadataProperties `sha256` (runtime/registry/model_package.py)."""
    uri = f"s3://bucket/runs/x/v{version}/model.tar.gz"
    return {"MODEL_ARTIFACT_URI": uri, "MODEL_SHA256": hashlib.sha256(uri.encode()).hexdigest()}


def _register(sagemaker: Any, status: str) -> str:
    listed = sagemaker.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"]
    recorded = _artifact(len(listed) + 1)
    return str(
        sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            CustomerMetadataProperties={"sha256": recorded["MODEL_SHA256"]},
            InferenceSpecification={
                "Containers": [
                    {
                        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
                        "ModelDataUrl": recorded["MODEL_ARTIFACT_URI"],
                    }
                ],
                "SupportedContentTypes": ["application/json"],
                "SupportedResponseMIMETypes": ["application/json"],
            },
        )["ModelPackageArn"]
    )


def _set_status(sagemaker: Any, arn: str, status: str) -> None:
    """As `mlpipe models approve` does it (runtime/registry/sagemaker.py `_update`): moto
    replaces CustomerMetadataProperties with what an update carries, SageMaker merges them; re-sent,
    both keep sha256."""
    properties = (
        sagemaker.describe_model_package(ModelPackageName=arn).get("CustomerMetadataProperties") or {}
    )
    sagemaker.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus=status, CustomerMetadataProperties=properties
    )


def _live(lambda_client: Any) -> str:
    return handler.pinned_version(lambda_client, FUNCTION, ALIAS)


def _live_environment(lambda_client: Any) -> dict[str, str]:
    """The environment of the function version the alias targets."""
    target = lambda_client.get_alias(FunctionName=FUNCTION, Name=ALIAS)["FunctionVersion"]
    config = lambda_client.get_function_configuration(FunctionName=FUNCTION, Qualifier=target)
    return dict(config["Environment"]["Variables"])


def _promote(sagemaker: Any, lambda_client: Any, expected_image: str = IMAGE) -> handler.Promotion:
    return promote(
        sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=expected_image,
        delay=0,
    )  # fmt: skip


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
    # pinned with its artifact and digest, every other variable kept (the update replaces the whole map)
    assert _live_environment(lambda_client) == {
        "MODEL_PACKAGE_GROUP": GROUP,
        MODEL_VERSION_VARIABLE: "2",
        **_artifact(2),
    }


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
    environment = _live_environment(lambda_client)
    assert {name: environment[name] for name in _artifact(1)} == _artifact(1)  # v1's artifact again


def test_rejecting_the_only_approved_version_unpins(aws: tuple[Any, Any]) -> None:
    sagemaker, lambda_client = aws
    v1 = _register(sagemaker, "Approved")
    _promote(sagemaker, lambda_client)

    _set_status(sagemaker, v1, "Rejected")
    _promote(sagemaker, lambda_client)

    assert _live(lambda_client) == ""
    # the artifact goes with the version: no partial pin is left behind
    environment = _live_environment(lambda_client)
    assert (environment["MODEL_ARTIFACT_URI"], environment["MODEL_SHA256"]) == ("", "")


def test_same_event_twice_changes_once(aws: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)
    monkeypatch.setenv("SERVING_FUNCTION_NAME", FUNCTION)
    monkeypatch.setenv("SERVING_ALIAS", ALIAS)
    monkeypatch.setenv("SERVING_IMAGE_URI", IMAGE)
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


def test_a_latest_running_another_image_is_not_published(aws: tuple[Any, Any]) -> None:
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")

    with pytest.raises(handler.PromotionError, match="not the deployed image"):
        _promote(sagemaker, lambda_client, expected_image=IMAGE.replace(":abc", ":other"))

    assert _live(lambda_client) == ""
    versions = lambda_client.list_versions_by_function(FunctionName=FUNCTION)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


def test_the_sample_event_for_a_rejected_live_version_rolls_back(
    aws: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given v1 and v2 approved, v2 live, then v2 rejected
    sagemaker, lambda_client = aws
    _register(sagemaker, "Approved")
    v2 = _register(sagemaker, "Approved")
    _promote(sagemaker, lambda_client)
    _set_status(sagemaker, v2, "Rejected")
    event = json.loads(EVENT_FILE.read_text())
    event["detail"].update(ModelPackageArn=v2, ModelPackageVersion=2, ModelApprovalStatus="Rejected")
    event["time"] = datetime.now(UTC).isoformat()

    # when the handler gets that event
    result = promote(
        sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
        event=event, delay=0,
    )  # fmt: skip

    # then DescribeModelPackage and the list agree with the event, and v1 serves again
    assert (result.previous, result.current) == ("2", "1")
    assert _live(lambda_client) == "1"


# The synthesized serving template (session fixture `templates`, one synth per session).


def _promoter_function(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    functions = resources_of(template, "AWS::Lambda::Function").items()
    return next((i, p) for i, p in functions if p.get("Handler") == "handler.lambda_handler")


def _queue(template: dict[str, Any]) -> str:
    (queue,) = resources_of(template, "AWS::SQS::Queue")
    return queue


@pytest.mark.slow
def test_failed_events_queue_is_encrypted_and_tls_only(templates: dict[str, Any]) -> None:
    """SSE-SQS, and a queue policy denying plain HTTP (AwsSolutions-SQS2/SQS4, Control Tower CT.SQS.PR.2)."""
    template = templates["serving"]
    properties = only(template, "AWS::SQS::Queue")
    assert properties["SqsManagedSseEnabled"] is True
    assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600
    statements = only(template, "AWS::SQS::QueuePolicy")["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


@pytest.mark.slow
def test_failed_invocations_and_undelivered_events_land_in_the_queue(templates: dict[str, Any]) -> None:
    """Lambda's async retries end in the function's dead-letter queue; EventBridge's in the target's."""
    template = templates["serving"]
    queue_arn = {"Fn::GetAtt": [_queue(template), "Arn"]}
    function_id, function = _promoter_function(template)
    assert function["DeadLetterConfig"] == {"TargetArn": queue_arn}
    # The drift check (issue 16) has its own invoke config and schedule rule: take the promoter's.
    (invoke_config,) = [
        c
        for c in resources_of(template, "AWS::Lambda::EventInvokeConfig").values()
        if c["FunctionName"] == {"Ref": function_id}
    ]
    assert invoke_config["FunctionName"] == {"Ref": function_id}
    assert invoke_config["MaximumRetryAttempts"] == 2
    (target,) = next(
        r for i, r in resources_of(template, "AWS::Events::Rule").items() if i.startswith("Promoter")
    )["Targets"]
    assert target["DeadLetterConfig"] == {"Arn": queue_arn}
    statements = only(template, "AWS::SQS::QueuePolicy")["PolicyDocument"]["Statement"]
    (from_rule,) = [s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert actions_of(from_rule) == ["sqs:SendMessage"]
    rule_id = next(iter(resources_of(template, "AWS::Events::Rule")))
    assert from_rule["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}


@pytest.mark.slow
def test_waiting_failed_events_raise_an_alarm_on_the_alarm_topic(templates: dict[str, Any]) -> None:
    template = templates["serving"]
    alarms = resources_of(template, "AWS::CloudWatch::Alarm").values()
    (alarm,) = [a for a in alarms if a.get("Namespace") == "AWS/SQS"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [_queue(template), "QueueName"]}}
    ]
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    (topic,) = resources_of(template, "AWS::SNS::Topic")
    assert alarm["AlarmActions"] == [{"Ref": topic}]


@pytest.mark.slow
def test_promoter_is_told_the_image_the_stack_deploys(templates: dict[str, Any]) -> None:
    template = templates["serving"]
    _, promoter = _promoter_function(template)
    serving = next(
        p for p in resources_of(template, "AWS::Lambda::Function").values() if "ImageUri" in p["Code"]
    )
    assert promoter["Environment"]["Variables"]["SERVING_IMAGE_URI"] == serving["Code"]["ImageUri"]


@pytest.mark.slow
def test_promoter_may_describe_this_groups_versions_and_read_the_function_code(
    templates: dict[str, Any],
) -> None:
    statements = [
        statement
        for policy in resources_of(templates["serving"], "AWS::IAM::Policy").values()
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    (describe,) = [s for s in statements if s.get("Sid") == "DescribeEventVersion"]
    assert actions_of(describe) == ["sagemaker:DescribeModelPackage"]
    assert describe["Resource"]["Fn::Sub"].endswith(":model-package/mlpipe-titanic-dev/*")
    # UpdateModelPackage (issue 12: ModelLifeCycle stages) only with stage conditions, never approvals;
    # tests/integration/iam/test_lambda_roles.py simulates what these statements allow.
    updates = {s["Sid"]: s for s in statements if "sagemaker:UpdateModelPackage" in actions_of(s)}
    assert set(updates) == {"SetLifeCycleStage", "NeverChangeApproval"}
    assert updates["SetLifeCycleStage"]["Condition"]["Null"] == {"sagemaker:ModelApprovalStatus": "true"}
    assert updates["NeverChangeApproval"]["Effect"] == "Deny"
    (pin,) = [s for s in statements if s.get("Sid") == "PinServingAlias"]
    assert {"lambda:GetFunction", "lambda:PublishVersion"} <= set(actions_of(pin))


# The canary (issue 15 item 1): dev moves all at once, prod shifts 10% for 5 minutes (stacks/config.py).


def _tick_rule(template: dict[str, Any]) -> dict[str, Any]:
    (rule,) = [r for i, r in resources_of(template, "AWS::Events::Rule").items() if "CanaryTicks" in i]
    return rule


@pytest.mark.slow
def test_dev_moves_all_at_once_and_has_no_ticking_schedule(templates: dict[str, Any]) -> None:
    template = templates["serving"]
    _, promoter = _promoter_function(template)
    assert promoter["Environment"]["Variables"]["CANARY_PLAN"] == ""
    assert _tick_rule(template)["State"] == "DISABLED"


@pytest.mark.slow
def test_prod_ticks_the_promoter_every_minute_and_watches_alias_errors(
    prod_templates: dict[str, Any],
) -> None:
    """EventBridge sends the constant input {"mlpipe": "tick"} once a minute; the alarm (the serving
    errors alarm every environment has) counts Errors of the `live` alias (dimensions FunctionName and
    Resource, https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html), the p99
    Duration alarm watches the same alias (issue 15 item 1), and the promoter may read those two alarms'
    states only."""
    template = prod_templates["serving"]
    function_id, promoter = _promoter_function(template)
    variables = promoter["Environment"]["Variables"]
    assert variables["CANARY_PLAN"] == "10:5"
    rule = _tick_rule(template)
    assert (rule["State"], rule["ScheduleExpression"]) == ("ENABLED", "rate(1 minute)")
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert json.loads(target["Input"]) == {"mlpipe": "tick"}
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    (alarm_id,) = [i for i, a in alarms.items() if "ServingErrors" in i]
    alarm = alarms[alarm_id]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/Lambda", "Errors", "Sum")
    functions = resources_of(template, "AWS::Lambda::Function").items()
    serving = {"Ref": next(i for i, p in functions if "ImageUri" in p["Code"])}
    assert alarm["Dimensions"] == [
        {"Name": "FunctionName", "Value": serving},
        {"Name": "Resource", "Value": {"Fn::Join": ["", [serving, ":live"]]}},
    ]
    (latency_id,) = [i for i, a in alarms.items() if "ServingP99Duration" in i]
    latency = alarms[latency_id]
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("Duration", "p99")
    assert latency["Dimensions"] == alarm["Dimensions"]
    assert variables["CANARY_ALARM"] == {"Fn::Join": [",", [{"Ref": alarm_id}, {"Ref": latency_id}]]}
    statements = [
        statement
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    (read,) = [s for s in statements if s.get("Sid") == "ReadCanaryAlarm"]
    assert actions_of(read) == ["cloudwatch:DescribeAlarms"]
    assert read["Resource"] == [{"Fn::GetAtt": [alarm_id, "Arn"]}, {"Fn::GetAtt": [latency_id, "Arn"]}]
