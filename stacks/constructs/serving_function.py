"""The prediction Lambda, from the image `lambda_inference/Dockerfile` builds, served through alias `live`."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pipeline.definition.layout import model_runs_key
from runtime.monitoring.capture import CAPTURE_PREFIX
from runtime.names import (
    BACKEND_ENV,
    MODEL_ARTIFACT_URI_ENV,
    MODEL_PACKAGE_GROUP_ENV,
    MODEL_SHA256_ENV,
    MODEL_VERSION_ENV,
)
from runtime.settings import model_name
from stacks.constructs.function_parts import encrypted_log_group, lambda_role
from stacks.policy import GUARD, NAG, VPC_REASON, acknowledge, nag_resource

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "lambda_inference/Dockerfile"
LIVE_ALIAS = "live"
# Kept out of the asset hash so a local run or a cache folder does not change the image tag.
HASH_EXCLUDES = ["**/__pycache__", "**/*.pyc", ".git", ".venv", "node_modules", "cdk.out", ".mlpipe"]


class ServingFunction(Construct):
    """Container Lambda with explicit sizing, X-Ray, its own log group and a least-privilege role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package_group: str,
        bucket: s3.IBucket,
        bucket_key: kms.IKey,
        log_key: kms.IKey,
        memory_mb: int,
        timeout_seconds: int,
        reserved_concurrency: int | None,
        log_retention: logs.RetentionDays,
        capture_rate: float = 1.0,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = encrypted_log_group(self, log_key, log_retention)
        self.role = lambda_role(self, "mlpipe serving function: read approved models, write its logs")
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            code=serving_image(),
            architecture=lambda_.Architecture.X86_64,
            memory_size=memory_mb,
            timeout=cdk.Duration.seconds(timeout_seconds),
            reserved_concurrent_executions=reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            # The handler logs with the standard library, fields in `extra`; in JSON format the runtime
            # writes each record as one JSON object with those fields and the request id
            # (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html).
            # print()ed lines, such as the capture's embedded-format metrics, stay as written.
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            role=self.role,
            description="mlpipe predictions; MODEL_VERSION is pinned by the promoter",
            environment={
                BACKEND_ENV: "aws",
                MODEL_PACKAGE_GROUP_ENV: model_package_group,
                # Empty until the promoter pins a version: the loader then serves the latest Approved
                # one, or answers 503 while there is none.
                MODEL_VERSION_ENV: "",
                # Pinned with it (lambda_inference/pinned_artifact.py): then no registry call at init.
                MODEL_ARTIFACT_URI_ENV: "",
                MODEL_SHA256_ENV: "",
                # Serving-time capture (runtime/monitoring/capture_env.py, docs/monitoring.md).
                "ARTIFACT_BUCKET": bucket.bucket_name,
                "CAPTURE_RATE": f"{capture_rate:g}",
            },
        )
        self.alias = lambda_.Alias(self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version)
        # This model's archives and capture folder only (runs/<group>/, capture/<name>/): never another's.
        models = bucket.arn_for_objects(f"{model_runs_key(model_package_group)}*")
        self._grant_model_reads(model_package_group, models, bucket_key)
        captures = bucket.arn_for_objects(f"{CAPTURE_PREFIX}/{model_name(model_package_group)}/*")
        grant_capture_writes(self.role, captures, bucket_key)
        acknowledge(
            self.role,
            {
                f"{NAG}IAM5[Resource::{nag_resource(self, captures)}]": "captured batches get a new key "
                "each (capture/<model>/date=<day>/<uuid>.jsonl.gz); put only, in this model's capture folder"
            },
        )
        acknowledge(
            self.role,
            {
                f"{NAG}IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/"
                f"{model_package_group}/*]": "approved versions are found at run time; only this group",
                f"{NAG}IAM5[Resource::{nag_resource(self, models)}]": "model artifacts of "
                "approved versions live under per-execution keys below this model's output prefix",
                f"{NAG}IAM5[Resource::*]": "sagemaker:ListModelPackages and the X-Ray trace uploads that "
                "tracing adds have no resource type to scope to",
            },
        )
        acknowledge(
            self.function,
            {
                f"{GUARD}lambda_inside_vpc_check": VPC_REASON,
            },
        )

    def _grant_model_reads(self, group: str, models: str, bucket_key: kms.IKey) -> None:
        self.log_group.grant_write(self.role)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ListVersions",
                actions=["sagemaker:ListModelPackages"],
                resources=["*"],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="DescribeVersions",
                actions=["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"],
                resources=[
                    _sagemaker_arn(f"model-package/{group}/*"),
                    _sagemaker_arn(f"model-package-group/{group}"),
                ],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadModels",
                actions=["s3:GetObject"],
                resources=[models],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="DecryptModels",
                actions=["kms:Decrypt"],
                resources=[bucket_key.key_arn],
            )
        )


def grant_capture_writes(role: iam.Role, captures: str, bucket_key: kms.IKey) -> None:
    """s3:PutObject below the model's `capture/<name>/` only, and the data key SSE-KMS needs to encrypt
    a new object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)."""
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="WriteCaptures", actions=["s3:PutObject"], resources=[captures])
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="EncryptCaptures", actions=["kms:GenerateDataKey"], resources=[bucket_key.key_arn]
        )
    )


def serving_image(cmd: list[str] | None = None) -> lambda_.DockerImageCode:
    """The image `lambda_inference/Dockerfile` builds; `cmd` overrides its handler (one asset, one build)."""
    return lambda_.DockerImageCode.from_image_asset(
        str(REPO_ROOT),
        file=DOCKERFILE,
        platform=ecr_assets.Platform.LINUX_AMD64,
        exclude=HASH_EXCLUDES,
        cmd=cmd,
    )


def _sagemaker_arn(resource: str) -> str:
    return cdk.Fn.sub(f"arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")
