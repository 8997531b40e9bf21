"""Model Registry approval events -> the promoter function, which pins the serving alias on a version.

Events the promoter could not handle are kept, not dropped: Lambda retries a failed asynchronous
invocation twice, then sends the event to the function's dead-letter queue; EventBridge sends an event
it could not deliver to the same queue (https://docs.aws.amazon.com/lambda/latest/dg/
invocation-async-error-handling.html, https://docs.aws.amazon.com/eventbridge/latest/userguide/
eb-rule-dlq.html). The serving stack alarms on that queue (`failed_events_metric`).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from runtime.names import MODEL_PACKAGE_GROUP_ENV
from stacks.constructs.function_parts import encrypted_log_group, lambda_role
from stacks.policy import GUARD, NAG, VPC_REASON, acknowledge, nag_resource

PROMOTER_CODE = Path(__file__).resolve().parents[2] / "promoter"
STATE_CHANGE = "SageMaker Model Package State Change"
# Lambda's default, written out: retried 1 then 2 minutes later, time enough for ListModelPackages to
# catch up with an approval (the handler raises until it does).
ASYNC_RETRIES = 2
# The ModelLifeCycle that promoter/handler.py's set_stages writes (live, replaced); the IAM test simulates
# the handler's own UpdateModelPackage calls against the grant built from these.
LIFE_CYCLE_STAGES = ("Production", "Archived")
LIFE_CYCLE_STAGE_STATUS = "Approved"
CANARY_TICK = {"mlpipe": "tick"}  # promoter/canary_aws.py TICK


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
        reserved_concurrency: int | None,
        history_bucket: s3.IBucket,
        bucket_key: kms.IKey,
        canary_plan: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        self.failed_events = _failed_events_queue(self)
        self.log_group = encrypted_log_group(self, log_key, log_retention)
        role = lambda_role(self, "mlpipe promoter: read approvals, pin the serving alias")
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="handler.lambda_handler",
            code=lambda_.Code.from_asset(str(PROMOTER_CODE), exclude=["__pycache__", "*.pyc"]),
            memory_size=256,
            timeout=cdk.Duration.seconds(120),
            # Per environment (stacks/config.py); 1 = one at a time: two approvals cannot race on the alias.
            reserved_concurrent_executions=reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=role,
            description="mlpipe: pin the serving function on the newest Approved model version",
            environment={
                MODEL_PACKAGE_GROUP_ENV: model_package_group,
                "SERVING_FUNCTION_NAME": serving.function_name,
                "SERVING_ALIAS": alias.alias_name,
                # The promoter publishes $LATEST only while it runs this image (the one this deploy set).
                "SERVING_IMAGE_URI": _image_uri(serving),
                # One JSON object per change of what is live (promoter/history.py, docs/deploy.md).
                "DEPLOYMENT_HISTORY_BUCKET": history_bucket.bucket_name,
                # Canary steps (promoter/canary_aws.py); "" moves the alias all at once.
                "CANARY_PLAN": canary_plan,
            },
            dead_letter_queue=self.failed_events,
            retry_attempts=ASYNC_RETRIES,
            max_event_age=cdk.Duration.hours(6),
        )
        self.log_group.grant_write(role)
        _grant_promotion(role, serving, model_package_group)
        history_entries = history_bucket.arn_for_objects(f"deployments/{model_package_group}/*")
        _grant_history_writes(role, history_entries, bucket_key)
        serving_versions = f"{nag_resource(self, serving.function_arn)}:*"
        acknowledge(
            role,
            {
                f"{NAG}IAM5[Resource::*]": "sagemaker:ListModelPackages and the X-Ray trace uploads that "
                "tracing adds have no resource type to scope to",
                f"{NAG}IAM5[Resource::{serving_versions}]": "the promoter reads and publishes numbered "
                "versions of the serving function only",
                f"{NAG}IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:"
                f"model-package/{model_package_group}/*]": "the promoter describes the version an event "
                "names; versions are numbered at registration, only this group",
                f"{NAG}IAM5[Resource::{nag_resource(self, history_entries)}]": "one new history object per "
                "deployment (deployments/<group>/<time>-v<from>-v<to>.json); put only, this group's prefix",
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
                targets.LambdaFunction(
                    self.function,
                    retry_attempts=4,
                    max_event_age=cdk.Duration.hours(1),
                    dead_letter_queue=self.failed_events,
                )
            ],
        )

        # The canary's clock: a tick a minute advances, finishes or rolls back (promoter/canary_aws.py).
        # Disabled without a plan; EventBridge schedules run at most once a minute
        # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
        self.canary_ticks = events.Rule(
            self,
            "CanaryTicks",
            description="mlpipe promoter canary tick",
            schedule=events.Schedule.rate(cdk.Duration.minutes(1)),
            enabled=bool(canary_plan),
            targets=[
                targets.LambdaFunction(
                    self.function,
                    event=events.RuleTargetInput.from_object(CANARY_TICK),
                    retry_attempts=0,  # a missed tick is harmless: the next comes a minute later
                )
            ],
        )

    def watch_canary(self, *alarms: cloudwatch.IAlarm) -> None:
        """Roll a canary back while any of `alarms` is in ALARM: their names for the promoter (comma-
        separated, promoter/canary_aws.py `alarm_names`), DescribeAlarms on exactly these."""
        self.function.add_environment("CANARY_ALARM", cdk.Fn.join(",", [a.alarm_name for a in alarms]))
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReadCanaryAlarm",
                actions=["cloudwatch:DescribeAlarms"],
                resources=[alarm.alarm_arn for alarm in alarms],
            )
        )

    @property
    def failed_events_metric(self) -> cloudwatch.IMetric:
        """Events waiting in the dead-letter queue; SQS reports it while the queue holds messages."""
        return self.failed_events.metric_approximate_number_of_messages_visible(
            period=cdk.Duration.minutes(5), statistic="Maximum"
        )


def _failed_events_queue(scope: Construct) -> sqs.Queue:
    return sqs.Queue(
        scope,
        "FailedEvents",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),  # SQS's maximum: time to read why, fix and redrive
        # SQS's default, made explicit: it marks the queue as a dead-letter queue (Control Tower CT.SQS.PR.1).
        redrive_allow_policy=sqs.RedriveAllowPolicy(redrive_permission=sqs.RedrivePermission.ALLOW_ALL),
    )


def _image_uri(serving: lambda_.IFunction) -> str:
    """The ImageUri the serving function's template sets (a token that CloudFormation resolves)."""
    function = serving.node.default_child
    code = function.code if isinstance(function, lambda_.CfnFunction) else None
    image_uri = getattr(code, "image_uri", None)
    if not isinstance(image_uri, str):
        raise TypeError(
            f"{serving.node.path} is not a container-image function; pass the DockerImageFunction"
        )
    return image_uri


def _grant_stages(role: iam.Role, versions: str) -> None:
    """UpdateModelPackage for the ModelLifeCycle stages promoter/handler.py sets, never for approvals.

    Approving or rejecting stays a human's call: UpdateModelPackage takes both the approval status and
    the stage, and the Service Authorization Reference gives it the condition keys
    sagemaker:ModelApprovalStatus, sagemaker:ModelLifeCycle:Stage and sagemaker:ModelLifeCycle:StageStatus
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html), so the
    grant requires the promoter's stages and the absence of an approval status, and a Deny backs it up.
    """
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="SetLifeCycleStage",
            actions=["sagemaker:UpdateModelPackage"],
            resources=[versions],
            conditions={
                "StringEquals": {
                    "sagemaker:ModelLifeCycle:Stage": list(LIFE_CYCLE_STAGES),
                    "sagemaker:ModelLifeCycle:StageStatus": LIFE_CYCLE_STAGE_STATUS,
                },
                "Null": {"sagemaker:ModelApprovalStatus": "true"},
            },
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="NeverChangeApproval",
            effect=iam.Effect.DENY,
            actions=["sagemaker:UpdateModelPackage"],
            resources=["*"],
            conditions={"Null": {"sagemaker:ModelApprovalStatus": "false"}},
        )
    )


def _grant_history_writes(role: iam.Role, entries: str, bucket_key: kms.IKey) -> None:
    """s3:PutObject below this group's `deployments/` prefix only (no read, no delete: the history is
    append-only for the promoter), and the data key SSE-KMS needs for a new object
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)."""
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="WriteDeploymentHistory", actions=["s3:PutObject"], resources=[entries])
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="EncryptDeploymentHistory", actions=["kms:GenerateDataKey"], resources=[bucket_key.key_arn]
        )
    )


def _grant_promotion(role: iam.Role, serving: lambda_.IFunction, group: str) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="ListApprovedVersions",
            actions=["sagemaker:ListModelPackages"],
            resources=["*"],
        )
    )
    versions = cdk.Fn.sub(
        f"arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:model-package/{group}/*"
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="DescribeEventVersion", actions=["sagemaker:DescribeModelPackage"], resources=[versions]
        )
    )
    _grant_stages(role, versions)
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="PinServingAlias",
            actions=[
                "lambda:GetAlias",
                "lambda:GetFunction",
                "lambda:UpdateAlias",
                "lambda:GetFunctionConfiguration",
                "lambda:UpdateFunctionConfiguration",
                "lambda:PublishVersion",
            ],
            resources=[serving.function_arn, f"{serving.function_arn}:*"],
        )
    )
