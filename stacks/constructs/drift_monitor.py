"""The scheduled drift check: an EventBridge schedule invokes a Lambda that runs `monitoring/handler.py`.

The function runs from the serving image (the same asset, so one build and one ECR image) with its own
CMD; why a Lambda rather than a SageMaker processing job is in docs/monitoring.md. Its metrics
(namespace mlpipe/Monitoring) feed two alarms on the serving stack's topic: drifted features and
prediction drift; a third alarms on capture failures the serving function reports.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pipeline.definition.layout import model_runs_key
from runtime.monitoring.capture import CAPTURE_PREFIX, METRIC_NAMESPACE
from runtime.settings import model_name
from stacks.constructs.alarms import Alarms
from stacks.constructs.function_parts import encrypted_log_group, lambda_role
from stacks.constructs.serving_function import serving_image
from stacks.policy import GUARD, NAG, VPC_REASON, acknowledge, nag_resource

HANDLER = "monitoring.handler.lambda_handler"
SCHEDULE = cdk.Duration.days(1)
WINDOW_HOURS = 24


class DriftMonitor(Construct):
    """Daily drift check of the live version over the last day of captured requests, with its alarms."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package_group: str,
        bucket: s3.IBucket,
        bucket_key: kms.IKey,
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        log_group = encrypted_log_group(self, log_key, log_retention)
        self.role = lambda_role(
            self, "mlpipe drift check: read baselines and captures, write drift reports and metrics"
        )
        log_group.grant_write(self.role)
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            code=serving_image(cmd=[HANDLER]),
            architecture=lambda_.Architecture.X86_64,
            # Up to MAX_WINDOW_RECORDS (500 k) parsed records, ~850 MB (docs/monitoring.md, sizing).
            memory_size=2048,
            timeout=cdk.Duration.minutes(10),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=self.role,
            description="mlpipe drift check of the live model version (monitoring/handler.py)",
            environment={
                "MLPIPE_BACKEND": "aws",
                "MODEL_PACKAGE_GROUP": model_package_group,
                "ARTIFACT_BUCKET": bucket.bucket_name,
                "DRIFT_WINDOW_HOURS": str(WINDOW_HOURS),
            },
            retry_attempts=0,  # a failed check is reported by the Errors alarm; the next day runs anyway
        )
        self.schedule = events.Rule(
            self,
            "Schedule",
            description=f"daily drift check of {model_package_group}",
            schedule=events.Schedule.rate(SCHEDULE),
            targets=[targets.LambdaFunction(self.function, retry_attempts=2)],
        )
        self._grant(model_package_group, bucket, bucket_key)
        self._alarm(alarms, model_name(model_package_group))
        acknowledge(self.function, {f"{GUARD}lambda_inside_vpc_check": VPC_REASON})

    def _grant(self, group: str, bucket: s3.IBucket, bucket_key: kms.IKey) -> None:
        sagemaker = "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:"
        # This model's runs and captures only (capture/<name>/, runtime/monitoring/capture.py).
        runs, captures = model_runs_key(group), f"{CAPTURE_PREFIX}/{model_name(group)}/"
        reads = [bucket.arn_for_objects(f"{runs}*"), bucket.arn_for_objects(f"{captures}*")]
        reports = bucket.arn_for_objects(f"{runs}*/drift/*")
        statements = [
            iam.PolicyStatement(sid="ListVersions", actions=["sagemaker:ListModelPackages"], resources=["*"]),
            iam.PolicyStatement(
                sid="DescribeVersions",
                actions=["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"],
                resources=[
                    cdk.Fn.sub(f"{sagemaker}model-package/{group}/*"),
                    cdk.Fn.sub(f"{sagemaker}model-package-group/{group}"),
                ],
            ),
            iam.PolicyStatement(sid="ReadModelsAndCaptures", actions=["s3:GetObject"], resources=reads),
            iam.PolicyStatement(
                sid="ListCaptures",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{captures}*"]}},
            ),
            iam.PolicyStatement(sid="WriteDriftReports", actions=["s3:PutObject"], resources=[reports]),
            iam.PolicyStatement(
                sid="UseBucketKey",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[bucket_key.key_arn],
            ),
            iam.PolicyStatement(
                sid="PublishDriftMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACE}},
            ),
        ]
        for statement in statements:
            self.role.add_to_principal_policy(statement)
        acknowledge(
            self.role,
            {
                f"{NAG}IAM5[Resource::*]": "sagemaker:ListModelPackages, cloudwatch:PutMetricData (scoped by "
                "its namespace condition) and X-Ray trace uploads have no resource type to scope to",
                f"{NAG}IAM5[Resource::{nag_resource(self, reads[0])}]": "model archives and evaluation "
                "metrics of the live version live under per-execution keys below this model's output prefix",
                f"{NAG}IAM5[Resource::{nag_resource(self, reads[1])}]": "captured batches are read by date "
                "partition below this model's capture prefix; read only",
                f"{NAG}IAM5[Resource::{nag_resource(self, reports)}]": "drift reports go next to the live "
                "version's evaluation report, in its run's folder; put only, drift/ folders only",
                f"{NAG}IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:"
                f"model-package/{group}/*]": "the live version is found at run time; only this group",
            },
        )

    def _alarm(self, alarms: Alarms, name: str) -> None:
        def metric(metric_name: str, period: cdk.Duration) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=METRIC_NAMESPACE,
                metric_name=metric_name,
                dimensions_map={"Model": name},
                period=period,
                statistic="Maximum" if metric_name != "CaptureFailures" else "Sum",
            )

        alarms.alarm_on("DriftedFeatures", metric("DriftedFeatures", SCHEDULE), 1)
        alarms.alarm_on("PredictionDrift", metric("PredictionDrifted", SCHEDULE), 1)
        alarms.alarm_on("CaptureFailures", metric("CaptureFailures", cdk.Duration.hours(1)), 1)
        alarms.alarm_on("DriftCheckErrors", self.function.metric_errors(period=SCHEDULE, statistic="Sum"), 1)
