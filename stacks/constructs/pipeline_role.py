"""The role SageMaker Pipelines and its jobs run as, scoped to this bucket, group and job types."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pipeline.definition.layout import model_runs_key
from stacks.constructs.artifact_store import DATA_PREFIX
from stacks.policy import NAG, acknowledge, nag_resource

SAGEMAKER = "sagemaker.amazonaws.com"
# SageMaker Pipelines names every job it starts "pipelines-<execution id>-<step>-<suffix>".
PIPELINE_JOB_PREFIX = "pipelines-"
# ARN resource type -> the API noun of the jobs the pipeline starts, watches and may stop.
JOB_KINDS = {"processing-job": "ProcessingJob", "training-job": "TrainingJob"}
# Register step only: it creates versions in the existing group (approval is a human's call).
REGISTRY_ACTIONS = (
    "sagemaker:CreateModelPackage",
    "sagemaker:DescribeModelPackage",
    "sagemaker:DescribeModelPackageGroup",
)
JOB_LOG_GROUPS = ("/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TrainingJobs")


class PipelineRole(Construct):
    """Execution role of the pipeline and its jobs: no managed policies, no service-wide actions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        key: kms.IKey,
        model_package_group: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(SAGEMAKER),
            description="mlpipe SageMaker pipeline and job execution role",
        )
        for statement in (
            *_sagemaker_statements(model_package_group),
            *_storage_statements(bucket, key, model_runs_key(model_package_group)),
            *_logging_statements(),
            iam.PolicyStatement(
                sid="PassOnlyItselfToSageMaker",
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER}},
            ),
        ):
            self.role.add_to_principal_policy(statement)
        acknowledge(self.role, _wildcard_reasons(bucket, model_package_group))


def code_bundle_statements(
    bucket: s3.IBucket, keys: Sequence[str], *, listed_key: str
) -> list[iam.PolicyStatement]:
    """Read the step code bundles (CDK file assets), and list the one a processing input reads.

    A ProcessingInput with S3DataType `S3Prefix` makes SageMaker use "all objects with the specified
    key name prefix" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html),
    which it finds by listing the bucket with the input's key as the prefix: without s3:ListBucket
    on the assets bucket, Preprocess and Evaluate cannot fetch their code. The `s3:prefix` condition
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html) limits the
    listing to that one key. The training bundle is fetched by the container with GetObject only.
    """
    return [
        iam.PolicyStatement(
            sid="ReadCodeBundles",
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects(key) for key in keys],
        ),
        iam.PolicyStatement(
            sid="ListProcessingCodeBundle",
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringEquals": {"s3:prefix": listed_key}},
        ),
    ]


def image_pull_statements(image_uri: str) -> list[iam.PolicyStatement]:
    """Pull the step image (AWS's XGBoost framework image) from its repository in AWS's account.

    The execution-role page lists the ECR pull actions for CreateProcessingJob and CreateTrainingJob
    (https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html); the image URI is a token
    when the region is, so the repository ARN is cut from it with Fn::Split:
    <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>.
    """
    account = cdk.Fn.select(0, cdk.Fn.split(".", image_uri))
    repository = cdk.Fn.select(0, cdk.Fn.split(":", cdk.Fn.select(1, cdk.Fn.split("/", image_uri))))
    return [
        iam.PolicyStatement(
            sid="PullStepImage",
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=[
                cdk.Fn.join(
                    "",
                    [
                        "arn:",
                        cdk.Aws.PARTITION,
                        ":ecr:",
                        cdk.Aws.REGION,
                        ":",
                        account,
                        ":repository/",
                        repository,
                    ],
                )
            ],
        ),
        iam.PolicyStatement(sid="LogInToEcr", actions=["ecr:GetAuthorizationToken"], resources=["*"]),
    ]


def _arn(resource: str) -> str:
    return cdk.Fn.sub(f"arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def _sagemaker_statements(group: str) -> list[iam.PolicyStatement]:
    jobs = [
        iam.PolicyStatement(
            sid=f"Run{noun}s",
            actions=[f"sagemaker:{verb}{noun}" for verb in ("Create", "Describe", "Stop")]
            + ["sagemaker:AddTags"],
            resources=[_arn(f"{kind}/{PIPELINE_JOB_PREFIX}*")],
        )
        for kind, noun in JOB_KINDS.items()
    ]
    registry = iam.PolicyStatement(
        sid="RegisterInThisGroup",
        actions=[*REGISTRY_ACTIONS, "sagemaker:AddTags"],
        resources=[_arn(f"model-package-group/{group}"), _arn(f"model-package/{group}/*")],
    )
    return [*jobs, registry]


def _storage_statements(bucket: s3.IBucket, key: kms.IKey, runs: str) -> list[iam.PolicyStatement]:
    """Read the data prefix, shared by every model on purpose: its keys are content-addressed
    (sha256/<digest>/<name>, pipeline/content_keys.py), so an upload never replaces an object a run read.
    Read and write `runs` (runs/<group>/), this model's own outputs: never another model's archives."""
    return [
        iam.PolicyStatement(
            sid="ReadData", actions=["s3:GetObject"], resources=[bucket.arn_for_objects(f"{DATA_PREFIX}*")]
        ),
        iam.PolicyStatement(
            sid="ReadWriteOutputs",
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[bucket.arn_for_objects(f"{runs}*")],
        ),
        iam.PolicyStatement(
            sid="ListOwnPrefixes",
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{DATA_PREFIX}*", f"{runs}*"]}},
        ),
        iam.PolicyStatement(
            sid="LocateBucket", actions=["s3:GetBucketLocation"], resources=[bucket.bucket_arn]
        ),
        iam.PolicyStatement(
            sid="UseBucketKey", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn]
        ),
    ]


def _logging_statements() -> list[iam.PolicyStatement]:
    log_groups = [
        cdk.Fn.sub(f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}:*")
        for group in JOB_LOG_GROUPS
    ]
    return [
        iam.PolicyStatement(
            sid="WriteJobLogs",
            actions=[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ],
            resources=log_groups,
        ),
        iam.PolicyStatement(
            sid="PublishJobMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
        ),
    ]


def _wildcard_reasons(bucket: s3.IBucket, group: str) -> dict[str, str]:
    """Why each resource wildcard of the role is as narrow as it can be."""
    sagemaker = "arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>"
    logs = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group"
    data = nag_resource(bucket, bucket.arn_for_objects(f"{DATA_PREFIX}*"))
    runs = nag_resource(bucket, bucket.arn_for_objects(f"{model_runs_key(group)}*"))
    reasons = {
        f"{NAG}IAM5[Resource::{sagemaker}:{kind}/{PIPELINE_JOB_PREFIX}*]": "job names are generated per "
        "execution; the prefix is the one SageMaker Pipelines gives every job it starts"
        for kind in JOB_KINDS
    }
    reasons |= {
        f"{NAG}IAM5[Resource::{logs}:{group_name}:*]": "each job writes its own log stream, named at run "
        "time, in SageMaker's log group for that job type"
        for group_name in JOB_LOG_GROUPS
    }
    return reasons | {
        f"{NAG}IAM5[Resource::{sagemaker}:model-package/{group}/*]": "version numbers are assigned at "
        "registration; limited to this model package group",
        f"{NAG}IAM5[Resource::{data}]": "the pipeline reads whichever CSV "
        "files users upload under the data prefix (file names are pipeline parameters)",
        f"{NAG}IAM5[Resource::{runs}]": "each execution writes under keys generated from its "
        "execution id below this model's own output prefix (runs/<group>/), never another model's",
        f"{NAG}IAM5[Resource::*]": "cloudwatch:PutMetricData and ecr:GetAuthorizationToken have no "
        "resource type (Service Authorization Reference); a condition limits the metrics to the SageMaker "
        "namespaces, and the token only lets the role pull what PullStepImage names",
    }
