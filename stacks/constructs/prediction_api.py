"""HTTP API with one route, `POST /predict`, signed with SigV4 (IAM auth), throttled and access-logged."""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.constructs.function_parts import encrypted_log_group
from stacks.policy import GUARD, acknowledge

ROUTE_METHOD = "POST"
ROUTE_PATH = "/predict"
STAGE_NAME = "$default"
ANY_STAGE = "*"
# HTTP API $context variables (REST-only ones such as resourcePath would fail the deploy).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "sourceIp": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userArn": "$context.identity.userArn",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "error": "$context.error.message",
    "integrationError": "$context.integrationErrorMessage",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class AccessLogs:
    """Access-log settings of a stage (a jsii interface, so Python implements it as a class)."""

    def __init__(self, *, destination: apigwv2.IAccessLogDestination, format: apigw.AccessLogFormat) -> None:
        self._destination = destination
        self._format = format

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


class PredictionApi(Construct):
    """Every route requires AWS_IAM authorization; the integration targets the function's `live` alias."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: lambda_.IFunction,
        api_name: str | None = None,
        rate_limit: float,
        burst_limit: int,
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=api_name,  # None: CDK names it after the construct
            description="mlpipe predictions: POST /predict, SigV4-signed",
            default_authorizer=authorizers.HttpIamAuthorizer(),
            create_default_stage=False,
        )
        self.api.add_routes(
            path=ROUTE_PATH,
            methods=[apigwv2.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration("Predict", target),
        )
        acknowledge(
            self.api,
            {
                f"{GUARD}lambda_function_public_access_prohibited_check": "the invoke permission is for "
                "apigateway.amazonaws.com with SourceArn set to this API's routes; the rule cannot read the "
                "Fn::Join that builds that ARN (a test asserts SourceArn)",
            },
        )
        self.access_logs = encrypted_log_group(self, log_key, log_retention, "AccessLogs")
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=rate_limit, burst_limit=burst_limit),
            access_log_settings=AccessLogs(
                destination=apigwv2.LogGroupLogDestination(self.access_logs),
                format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS, sort_keys=True)),
            ),
        )

    @property
    def url(self) -> str:
        """Base URL ending in "/" (docs/architecture.md: the route is `<ApiUrl>predict`)."""
        return self.stage.url

    @property
    def route_arn(self) -> str:
        """The execute-api ARN of `POST /predict`, for client policies: `<api-id>/*/POST/predict`.

        The documented form is `arn:aws:execute-api:region:account-id:api-id/stage-name/HTTP-VERB/
        resource-path`, with `*` for "any stage" (API Gateway developer guide, "Control access for
        invoking an API" and "IAM policy examples for API execution permissions"). `*` is certain to
        match whatever the `$default` stage is spelled as in the request's ARN; it grants no more than
        `$default` would, since this API has that one stage. CDK's own `HttpRoute.grantInvoke` writes the
        same form.
        """
        return self.api.arn_for_execute_api(ROUTE_METHOD, ROUTE_PATH, ANY_STAGE)
