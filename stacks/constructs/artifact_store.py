"""The artifact bucket (pipeline data, code outputs, models) and the bucket its access logs go to."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pipeline.definition.layout import RUNS_FOLDER
from stacks.constructs.encryption_key import EncryptionKey
from stacks.policy import GUARD, acknowledge

DATA_PREFIX = "data/"
"""Where users upload the CSV files the pipeline reads (`s3://<bucket>/data/`)."""
PIPELINE_OUTPUT_PREFIX = f"{RUNS_FOLDER}/"
"""Where pipeline executions write step outputs, model archives included: `runs/<model package group>/
<execution id>/...`, one prefix per model (pipeline/definition/layout.py) that only its roles may use."""
ACCESS_LOG_EXPIRY_DAYS = 365
# Construct id of the provider that `auto_delete_objects` adds to the stack (aws-cdk-lib aws-s3).
AUTO_DELETE_PROVIDER = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


class ArtifactStore(Construct):
    """KMS-encrypted, versioned, private artifact bucket with lifecycle rules and access logging.

    Why a customer-managed KMS key rather than S3-managed keys: the key policy is a second gate on
    every read of models and data, each decrypt is audited in CloudTrail, and it meets the Control
    Tower control CT.S3.PR.10. The bucket key keeps KMS request costs low.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_name: str,
        output_archive_days: int,
        noncurrent_expiry_days: int,
        retain: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY
        self.key = EncryptionKey(self, "Key", description="mlpipe artifact bucket", retain=retain).key
        # Server access logs can only be delivered to buckets encrypted with S3-managed keys.
        self.log_bucket = _private_bucket(
            self,
            "AccessLogs",
            removal=removal,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=cdk.Duration.days(ACCESS_LOG_EXPIRY_DAYS),
                    noncurrent_version_expiration=cdk.Duration.days(noncurrent_expiry_days),
                ),
            ],
        )
        acknowledge(
            self.log_bucket,
            {
                f"{GUARD}s3_bucket_logging_enabled_check": "this is the access-log bucket; logging it "
                "would need yet another bucket",
                f"{GUARD}s3_bucket_default_encryption_kms_check": "S3 delivers server access logs only to "
                "buckets encrypted with S3-managed keys",
            },
        )
        self.bucket = _private_bucket(
            self,
            "Bucket",
            removal=removal,
            lifecycle_rules=_artifact_lifecycle(output_archive_days, noncurrent_expiry_days),
            bucket_name=bucket_name,
            key=self.key,
            log_bucket=self.log_bucket,
        )
        acknowledge(
            self,
            {
                f"{GUARD}s3_event_notifications_enabled_check": "nothing consumes object events: runs "
                "are started explicitly, not by uploads",
                f"{GUARD}s3_bucket_object_lock_enabled_check": "Object Lock would block the lifecycle rules "
                "that expire access logs and old object versions; versioning guards against overwrites",
            },
        )

        if not retain:
            _acknowledge_auto_delete_provider(self)

    @property
    def data_uri(self) -> str:
        return f"s3://{self.bucket.bucket_name}/{DATA_PREFIX}"


def _private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    removal: cdk.RemovalPolicy,
    lifecycle_rules: list[s3.LifecycleRule],
    bucket_name: str | None = None,
    key: kms.IKey | None = None,
    log_bucket: s3.IBucket | None = None,
) -> s3.Bucket:
    """Public access blocked, TLS enforced, versioned, ACLs disabled; KMS-encrypted when given a key."""
    return s3.Bucket(
        scope,
        construct_id,
        bucket_name=bucket_name,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        bucket_key_enabled=True if key else None,
        server_access_logs_bucket=log_bucket,
        server_access_logs_prefix="artifact-bucket/" if log_bucket else None,
        lifecycle_rules=lifecycle_rules,
        removal_policy=removal,
        # CloudFormation deletes only empty buckets, and a versioned bucket keeps every version: where
        # the environment destroys its data, CDK's custom resource empties the bucket on stack deletion.
        auto_delete_objects=removal == cdk.RemovalPolicy.DESTROY,
    )


def _acknowledge_auto_delete_provider(scope: Construct) -> None:
    # `auto_delete_objects` adds one provider Lambda per stack, a sibling of this construct.
    provider = cdk.Stack.of(scope).node.find_child(AUTO_DELETE_PROVIDER)
    acknowledge(
        provider,
        {
            f"{GUARD}lambda_inside_vpc_check": "CDK's own provider that empties the buckets when the stack "
            "is deleted (environments with retain_data=False only); it calls only S3 APIs and runs only "
            "during stack deletion",
        },
    )


def _artifact_lifecycle(output_archive_days: int, noncurrent_expiry_days: int) -> list[s3.LifecycleRule]:
    # Old run outputs move to Infrequent Access instead of expiring: the archives of approved model
    # versions live among them, and serving or a rollback must still be able to read those.
    return [
        s3.LifecycleRule(
            id="archive-old-pipeline-outputs",
            prefix=PIPELINE_OUTPUT_PREFIX,
            transitions=[
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=cdk.Duration.days(output_archive_days),
                )
            ],
        ),
        s3.LifecycleRule(
            id="expire-noncurrent-versions",
            noncurrent_version_expiration=cdk.Duration.days(noncurrent_expiry_days),
        ),
        s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(7)
        ),
    ]
