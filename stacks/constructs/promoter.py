"""Model Registry approval events -> the promoter function, which pins the serving alias on a version."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.policy import GUARD, NAG, VPC_REASON, acknowledge, nag_resource

PROMOTER_CODE = Path(__file__).resolve().parents[1] / "promoter"
STATE_CHANGE = "SageMaker Model Package State Change"


class Promoter(Construct):
    """EventBridge rule for this group's state changes, and the single-concurrency function it invokes."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package_group: str,
        serving: lambda_.IFunction,
        alias: lambda_.Alias,
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=log_retention,
            encryption_key=log_key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="mlpipe promoter: read approvals, pin the serving alias",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="handler.lambda_handler",
            code=lambda_.Code.from_asset(str(PROMOTER_CODE), exclude=["__pycache__", "*.pyc"]),
            memory_size=256,
            timeout=cdk.Duration.seconds(120),
            # One at a time: two approvals in quick succession must not race on the alias.
            reserved_concurrent_executions=1,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=role,
            description="mlpipe: pin the serving function on the newest Approved model version",
            environment={
                "MODEL_PACKAGE_GROUP": model_package_group,
                "SERVING_FUNCTION_NAME": serving.function_name,
                "SERVING_ALIAS": alias.alias_name,
            },
        )
        self.log_group.grant_write(role)
        _grant_promotion(role, serving)
        serving_versions = f"{nag_resource(self, serving.function_arn)}:*"
        acknowledge(
            role,
            {
                f"{NAG}IAM5[Resource::*]": "sagemaker:ListModelPackages and the X-Ray trace uploads that "
                "tracing adds have no resource type to scope to",
                f"{NAG}IAM5[Resource::{serving_versions}]": "the promoter reads and publishes numbered "
                "versions of the serving function only",
            },
        )
        acknowledge(self.function, {f"{GUARD}lambda_inside_vpc_check": VPC_REASON})
        self.rule = events.Rule(
            self,
            "ApprovalChanges",
            description=f"{STATE_CHANGE} in {model_package_group}",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[STATE_CHANGE],
                detail={"ModelPackageGroupName": [model_package_group]},
            ),
            targets=[
                targets.LambdaFunction(self.function, retry_attempts=4, max_event_age=cdk.Duration.hours(1))
            ],
        )


def _grant_promotion(role: iam.Role, serving: lambda_.IFunction) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="ListApprovedVersions",
            actions=["sagemaker:ListModelPackages"],
            resources=["*"],
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="PinServingAlias",
            actions=[
                "lambda:GetAlias",
                "lambda:UpdateAlias",
                "lambda:GetFunctionConfiguration",
                "lambda:UpdateFunctionConfiguration",
                "lambda:PublishVersion",
            ],
            resources=[serving.function_arn, f"{serving.function_arn}:*"],
        )
    )
