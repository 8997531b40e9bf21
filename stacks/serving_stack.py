"""The serving side: Lambda from the image, the IAM-authorized HTTP API, the promoter and the alarms."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from runtime.names import API_URL, CLIENT_POLICY_ARN, FUNCTION_NAME
from stacks.config import EnvironmentConfig
from stacks.constructs.alarms import CLOUDWATCH, Alarms, alarm_arn_pattern
from stacks.constructs.api_client_policy import ApiClientPolicy
from stacks.constructs.drift_monitor import DriftMonitor
from stacks.constructs.encryption_key import EncryptionKey
from stacks.constructs.prediction_api import PredictionApi
from stacks.constructs.promoter import Promoter
from stacks.constructs.serving_function import ServingFunction
from stacks.model_stacks import ModelStacks

RETENTION = {
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
}


class ServingStack(cdk.Stack):
    """Composes one model's function, API, client policy, promoter and alarms; outputs what clients need."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        model: ModelStacks,
        bucket_key: kms.IKey,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # By name, not by export: the data stack stays free to change without export lock-in.
        bucket = s3.Bucket.from_bucket_name(self, "ArtifactBucket", cdk.Fn.sub(config.artifact_bucket_name))
        retention = _retention(config.log_retention_days)
        key = EncryptionKey(
            self,
            "ObservabilityKey",
            description="mlpipe serving logs and alarm topic",
            service_statements=_observability_key_statements(alarm_arn_pattern(self)),
        ).key
        serving = ServingFunction(
            self,
            "ServingFunction",
            model_package_group=model.group,
            bucket=bucket,
            bucket_key=bucket_key,
            log_key=key,
            memory_mb=config.lambda_memory_mb,
            timeout_seconds=config.lambda_timeout_seconds,
            reserved_concurrency=config.reserved_concurrency,
            log_retention=retention,
        )
        api = PredictionApi(
            self,
            "PredictionApi",
            target=serving.alias,
            api_name=model.api_name,
            rate_limit=config.api_rate_limit,
            burst_limit=config.api_burst_limit,
            log_key=key,
            log_retention=retention,
        )
        client_policy = ApiClientPolicy(self, "ApiClientPolicy", route_arn=api.route_arn).policy
        promoter = Promoter(
            self,
            "Promoter",
            model_package_group=model.group,
            serving=serving.function,
            alias=serving.alias,
            log_key=key,
            log_retention=retention,
            reserved_concurrency=config.promoter_reserved_concurrency,
            history_bucket=bucket,
            bucket_key=bucket_key,
            canary_plan=config.canary_plan,
        )
        alarms = Alarms(
            self,
            "Alarms",
            serving=serving.alias,
            promoter=promoter.function,
            api=api.api,
            topic_key=key,
            p99_duration_ms=config.p99_duration_alarm_ms,
            email=config.alarm_email,
        )
        alarms.alarm_on("PromoterFailedEvents", promoter.failed_events_metric, 1)
        # Errors or p99 latency through the `live` alias during a canary roll it back (issue 15 item 1,
        # promoter/canary_aws.py): alarms the environment has anyway, so dev and prod differ only in plan.
        promoter.watch_canary(
            *(
                next(a for a in alarms.alarms if a.node.id == name)
                for name in ("ServingErrors", "ServingP99Duration")
            )
        )
        DriftMonitor(
            self,
            "DriftMonitor",
            model_package_group=model.group,
            bucket=bucket,
            bucket_key=bucket_key,
            log_key=key,
            log_retention=retention,
            alarms=alarms,
        )
        cdk.CfnOutput(
            self, API_URL, value=api.url, description="API base URL; POST <ApiUrl>predict, signed with SigV4"
        )
        cdk.CfnOutput(self, FUNCTION_NAME, value=serving.function.function_name)
        cdk.CfnOutput(
            self,
            CLIENT_POLICY_ARN,
            value=client_policy.managed_policy_arn,
            description="attach to the roles that may call the API",
        )


def _retention(days: int) -> logs.RetentionDays:
    if days not in RETENTION:
        raise ValueError(f"log retention of {days} days is not offered here; pick one of {sorted(RETENTION)}")
    return RETENTION[days]


def _observability_key_statements(alarm_arns: str) -> tuple[iam.PolicyStatement, ...]:
    logs_principal = iam.ServicePrincipal(cdk.Fn.sub("logs.${AWS::Region}.amazonaws.com"))
    return (
        iam.PolicyStatement(
            sid="CloudWatchLogsEncrypt",
            principals=[logs_principal],
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
            ],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": cdk.Fn.sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
                    )
                }
            },
        ),
        # CloudWatch encrypts alarm notifications for the topic with this key. Same conditions as the topic
        # policy, but as a name pattern: the alarms' ARNs would make the key depend on the alarms, which
        # depend on the topic, which depends on the key (a cycle CloudFormation refuses).
        iam.PolicyStatement(
            sid="CloudWatchAlarmsPublishToTopic",
            principals=[iam.ServicePrincipal(CLOUDWATCH)],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": alarm_arns},
            },
        ),
    )
