"""Serving function, HTTP API, client policy, promoter wiring and alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import assertions

from stacks.config import ENVIRONMENTS
from tests.integration.stacks.cfn import actions_of, only, resources_of

pytestmark = pytest.mark.slow
DEV = ENVIRONMENTS["dev"]


def _functions(templates: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of(templates["serving"], "AWS::Lambda::Function")


def _serving(templates: dict[str, Any]) -> dict[str, Any]:
    # The drift check (issue 16) runs from the same image: pick the serving function by its construct.
    return next(props for lid, props in _functions(templates).items() if lid.startswith("ServingFunction"))


def _by_prefix(template: dict[str, Any], resource_type: str, prefix: str) -> dict[str, Any]:
    """The one resource of a type under a construct (the drift check adds its own rule, issue 16)."""
    (found,) = [p for lid, p in resources_of(template, resource_type).items() if lid.startswith(prefix)]
    return found


def test_serving_function_settings(templates: dict[str, Any]) -> None:
    props = _serving(templates)
    assert props["MemorySize"] == DEV.lambda_memory_mb
    assert props["Timeout"] == DEV.lambda_timeout_seconds < 29
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Architectures"] == ["x86_64"]
    assert props["Environment"]["Variables"] == {
        "MLPIPE_BACKEND": "aws",
        "MODEL_PACKAGE_GROUP": DEV.models[0].group,
        "MODEL_VERSION": "",
        "MODEL_ARTIFACT_URI": "",  # pinned with MODEL_VERSION by the promoter
        "MODEL_SHA256": "",
        "ARTIFACT_BUCKET": {"Fn::Sub": DEV.artifact_bucket_name},  # capture (issue 16)
        "CAPTURE_RATE": "1",
    }
    assert "mlpipe-dev-serving" in json.dumps(props["Code"]["ImageUri"])


def test_serving_function_logs_json_records_at_info(templates: dict[str, Any]) -> None:
    """The handler logs with the standard library and `extra` fields (lambda_inference/README.md): JSON
    format makes the runtime write them as keys; INFO keeps "model loaded" (which version, which artifact).
    tests/integration/lambda_runtime shows awslambdaric doing so with the variables Lambda sets for it."""
    config = _serving(templates)["LoggingConfig"]
    assert (config["LogFormat"], config["ApplicationLogLevel"]) == ("JSON", "INFO")
    assert "LogGroup" in config  # still the encrypted group with retention


def test_every_function_logs_to_an_encrypted_group_with_retention(templates: dict[str, Any]) -> None:
    groups = resources_of(templates["serving"], "AWS::Logs::LogGroup")
    for props in _functions(templates).values():
        group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group_id]["RetentionInDays"] == DEV.log_retention_days
        assert "KmsKeyId" in groups[group_id]


def test_every_route_requires_iam_auth(templates: dict[str, Any]) -> None:
    routes = resources_of(templates["serving"], "AWS::ApiGatewayV2::Route")
    assert [props["RouteKey"] for props in routes.values()] == ["POST /predict"]
    assert all(props["AuthorizationType"] == "AWS_IAM" for props in routes.values())


def test_api_targets_the_live_alias(templates: dict[str, Any]) -> None:
    integration = only(templates["serving"], "AWS::ApiGatewayV2::Integration")
    alias_id = integration["IntegrationUri"]["Ref"]
    assert templates["serving"]["Resources"][alias_id]["Properties"]["Name"] == "live"
    permission = next(
        p
        for p in resources_of(templates["serving"], "AWS::Lambda::Permission").values()
        if p["Principal"] == "apigateway.amazonaws.com"
    )
    assert permission["FunctionName"] == {"Ref": alias_id}
    source = json.dumps(permission["SourceArn"])
    api_id = next(iter(resources_of(templates["serving"], "AWS::ApiGatewayV2::Api")))
    assert f'{{"Ref": "{api_id}"}}, "/*/*/predict"' in source


def test_stage_throttles_and_writes_access_logs(templates: dict[str, Any]) -> None:
    stage = only(templates["serving"], "AWS::ApiGatewayV2::Stage")
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": DEV.api_burst_limit,
        "ThrottlingRateLimit": DEV.api_rate_limit,
    }
    assert "$context.requestId" in stage["AccessLogSettings"]["Format"]
    assert "Fn::GetAtt" in stage["AccessLogSettings"]["DestinationArn"]


def test_client_policy_grants_only_invoke_on_the_route_in_the_documented_arn_form(
    templates: dict[str, Any],
) -> None:
    """Issue 10, defect 10: `arn:<partition>:execute-api:<region>:<account>:<api-id>/*/POST/predict`.

    API Gateway documents `arn:aws:execute-api:region:account-id:api-id/stage-name/HTTP-VERB/
    resource-path-specifier` with `*` for any stage
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html,
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-iam-policy-examples-for-api-execution.html);
    CDK's HttpRoute.grantInvoke writes the same. `*` matches the `$default` stage however it is spelled;
    the API has only that stage.
    """
    policy = only(templates["serving"], "AWS::IAM::ManagedPolicy")
    (statement,) = policy["PolicyDocument"]["Statement"]
    api_id = next(iter(resources_of(templates["serving"], "AWS::ApiGatewayV2::Api")))
    (stage,) = resources_of(templates["serving"], "AWS::ApiGatewayV2::Stage").values()

    assert actions_of(statement) == ["execute-api:Invoke"]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":execute-api:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":",
                {"Ref": api_id},
                "/*/POST/predict",
            ],
        ]
    }
    assert stage["StageName"] == "$default"


def test_rule_sends_this_groups_state_changes_to_the_promoter(templates: dict[str, Any]) -> None:
    rule = _by_prefix(templates["serving"], "AWS::Events::Rule", "PromoterApprovalChanges")
    assert rule["EventPattern"] == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelPackageGroupName": [DEV.models[0].group]},
    }
    (target,) = rule["Targets"]
    promoter = next(
        logical_id
        for logical_id, props in _functions(templates).items()
        if props.get("Handler") == "handler.lambda_handler"
    )
    assert target["Arn"] == {"Fn::GetAtt": [promoter, "Arn"]}


def test_promoter_can_only_touch_the_serving_function(
    templates: dict[str, Any],
) -> None:
    promoter = next(props for props in _functions(templates).values() if props.get("Handler"))
    assert set(promoter["Environment"]["Variables"]) == {
        "MODEL_PACKAGE_GROUP",
        "SERVING_FUNCTION_NAME",
        "SERVING_ALIAS",
        "SERVING_IMAGE_URI",
        "DEPLOYMENT_HISTORY_BUCKET",  # issue 15: promoter/history.py
        "CANARY_PLAN",  # issue 15 item 1: promoter/canary_aws.py
        "CANARY_ALARM",
    }
    lambda_statements = [
        statement
        for policy in resources_of(templates["serving"], "AWS::IAM::Policy").values()
        for statement in policy["PolicyDocument"]["Statement"]
        if any(action.startswith("lambda:") for action in actions_of(statement))
    ]
    (statement,) = lambda_statements
    assert "lambda:UpdateAlias" in statement["Action"]
    assert all("ServingFunction" in json.dumps(resource) for resource in statement["Resource"])


def test_alarms_cover_errors_throttles_duration_and_api_5xx(templates: dict[str, Any]) -> None:
    alarms = resources_of(templates["serving"], "AWS::CloudWatch::Alarm").values()
    metrics = {
        (alarm["Namespace"], alarm["MetricName"], alarm.get("ExtendedStatistic", alarm.get("Statistic")))
        for alarm in alarms
    }
    assert {
        ("AWS/Lambda", "Errors", "Sum"),
        ("AWS/Lambda", "Throttles", "Sum"),
        ("AWS/Lambda", "Duration", "p99"),
        ("AWS/ApiGateway", "5xx", "Sum"),
    } <= metrics
    assert all(alarm["AlarmActions"] and alarm["OKActions"] for alarm in alarms)


def test_alarm_topic_is_encrypted(templates: dict[str, Any]) -> None:
    assertions.Template.from_json(templates["serving"]).has_resource_properties(
        "AWS::SNS::Topic",
        {"KmsMasterKeyId": assertions.Match.any_value()},
    )
