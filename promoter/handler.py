"""Pin the serving function on the newest Approved model version; roll back when the live one is rejected.

Level-triggered: the desired version is recomputed from the registry every time, so repeated, late or
out-of-order events converge on the same state. The event's model package is cross-checked first
(`decide`): ListModelPackages is eventually consistent, so when it disagrees with the package the event
names, the handler raises and Lambda's asynchronous retries run it again; what still fails lands in the
promoter's alarmed dead-letter queue. `$LATEST` is published only when it runs the image the stack
deployed. A newer version whose input schema differs from the live one's is not made live: the handler
logs why and raises, so the dead-letter queue's alarm fires (`schema_guard.py`, also used by
`mlpipe models approve`). When the pin moves, the new version's ModelLifeCycle stage becomes Production
and the replaced one's Archived. Every moved pin is recorded in the deployment history, one S3 object
per change (`history.py`, entries built by the state machine in `rollout.py`). Deployed as its folder,
with boto3 only.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import WaiterError

try:  # in Lambda the promoter's folder is the code root; in the repository it is the `promoter` package
    import canary_aws
    import history
    from rollout import parse_plan
    from schema_guard import change_accepted, describe_changes, schema_changes
except ImportError:
    from promoter import canary_aws, history
    from promoter.rollout import parse_plan
    from promoter.schema_guard import change_accepted, describe_changes, schema_changes

MODEL_VERSION_VARIABLE = "MODEL_VERSION"
# Pinned with MODEL_VERSION, from the version's DescribeModelPackage: the serving loader then fetches and
# verifies the artifact without opening the registry at init (lambda_inference/pinned_artifact.py).
MODEL_ARTIFACT_URI_VARIABLE = "MODEL_ARTIFACT_URI"
MODEL_SHA256_VARIABLE = "MODEL_SHA256"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
HISTORY_BUCKET_VARIABLE = "DEPLOYMENT_HISTORY_BUCKET"  # the artifact bucket (promoter/history.py)
CANARY_PLAN_VARIABLE = "CANARY_PLAN"  # e.g. "10:5" (rollout.parse_plan); "" or unset: all at once
CANARY_ALARM_VARIABLE = "CANARY_ALARM"  # comma-separated alarms; any in ALARM rolls a canary back
NO_PIN = ""  # the serving loader then serves the latest Approved version, or 503 while there is none
APPROVED = "Approved"
WAIT_ATTEMPTS = 90  # x 1 s: under the promoter's 120 s timeout; a timeout is retried like any error
logger = logging.getLogger()
logger.setLevel(logging.INFO)


class PromotionError(RuntimeError):
    """The serving function could not be moved to the desired model version."""


class SchemaChanged(PromotionError):
    """The desired version takes other inputs than the live one: live stays, and the alarm fires."""


class RegistryLag(PromotionError):
    """The registry's answers disagree with the event; a retry a minute later sees them agree."""


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """What one run did: the pin before and after, and the function version the alias now targets."""

    previous: str
    current: str
    function_version: str | None = None
    plan: str = ""  # set when a canary started: `current` takes the plan's first weight, not all traffic

    @property
    def changed(self) -> bool:
        return self.function_version is not None


@dataclass(frozen=True)
class PinnedArtifact:
    """Where the pinned version's archive is and its SHA-256; both empty: serving asks the registry."""

    uri: str = ""
    sha256: str = ""

    def variables(self, model_version: str) -> dict[str, str]:
        """The three pin variables, always all of them: a stale artifact never outlives its version."""
        return {
            MODEL_VERSION_VARIABLE: model_version,
            MODEL_ARTIFACT_URI_VARIABLE: self.uri,
            MODEL_SHA256_VARIABLE: self.sha256,
        }


NO_ARTIFACT = PinnedArtifact()


@dataclass(frozen=True, kw_only=True)
class ChangedPackage:
    """The model package an event names: what the event says, and what DescribeModelPackage says now."""

    version: int
    event_status: str
    event_time: datetime
    status: str
    modified: datetime


def approved_versions(sagemaker: Any, group: str) -> set[int]:
    """Every Approved version number in the model package group, as ListModelPackages reports them."""
    versions: set[int] = set()
    for page in sagemaker.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, ModelApprovalStatus=APPROVED
    ):
        versions.update(int(summary["ModelPackageVersion"]) for summary in page["ModelPackageSummaryList"])
    return versions


def changed_package(sagemaker: Any, event: dict[str, Any]) -> ChangedPackage | None:
    """The event's package described now; None for an event without one (a manual reconcile)."""
    detail = event.get("detail", {})
    if "ModelPackageArn" not in detail:
        return None
    if "time" not in event:
        raise PromotionError("the event names a model package but has no 'time'; invoke with {} to reconcile")
    described = sagemaker.describe_model_package(ModelPackageName=detail["ModelPackageArn"])
    return ChangedPackage(
        version=int(described["ModelPackageVersion"]),
        event_status=str(detail.get("ModelApprovalStatus", "")),
        event_time=datetime.fromisoformat(event["time"]),
        status=str(described.get("ModelApprovalStatus", "")),
        modified=described.get("LastModifiedTime") or described["CreationTime"],
    )


def decide(package: ChangedPackage | None, approved: set[int]) -> str | None:
    """The pin the registry asks for, None when the event was superseded; raises RegistryLag on disagreement.

    The rows, in order (tests/unit/stacks/test_promoter_handler.py tests each one):
    - no package (manual invoke): the newest Approved version, or no pin when there is none;
    - Describe disagrees with the event and was modified after it: a later change has its own event;
    - Describe disagrees with the event otherwise: Describe has not caught up, retry;
    - the package is Approved but not listed, or listed but no longer Approved: the list lags, retry;
    - otherwise the newest listed version: a newer approval promotes, an older one changes nothing,
      rejecting the live version rolls back to the previous Approved one (or unpins), rejecting or
      registering another version changes nothing.
    """
    if package is not None:
        if package.status != package.event_status:
            if package.modified > package.event_time:
                return None
            raise RegistryLag(
                f"the event says v{package.version} is {package.event_status}, DescribeModelPackage "
                f"still says {package.status or 'nothing'}; retrying"
            )
        if (package.status == APPROVED) != (package.version in approved):
            raise RegistryLag(
                f"v{package.version} is {package.status}, ListModelPackages (Approved) lists "
                f"{sorted(approved)}; retrying until the list catches up"
            )
    return str(max(approved)) if approved else NO_PIN


def pinned_version(lambda_client: Any, function: str, alias: str) -> str:
    """The MODEL_VERSION of the function version the alias targets ("" when unpinned)."""
    target = lambda_client.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
    config = lambda_client.get_function_configuration(FunctionName=function, Qualifier=target)
    return _model_version(config)


def _model_version(config: dict[str, Any]) -> str:
    return str(config.get("Environment", {}).get("Variables", {}).get(MODEL_VERSION_VARIABLE, NO_PIN))


def _pin_variables(config: dict[str, Any]) -> dict[str, str]:
    variables = config.get("Environment", {}).get("Variables", {})
    return {name: str(variables.get(name, "")) for name in NO_ARTIFACT.variables("")}


def artifact_of(described: dict[str, Any]) -> PinnedArtifact:
    """The archive URI (`InferenceSpecification.Containers[0].ModelDataUrl`) and the `sha256` the Register
    step recorded in CustomerMetadataProperties (runtime/registry/model_package.py), from a
    DescribeModelPackage response; NO_ARTIFACT, logged, when either is missing or no SHA-256."""
    containers = described.get("InferenceSpecification", {}).get("Containers", [])
    uri = str(containers[0].get("ModelDataUrl", "")) if containers else ""
    sha256 = str((described.get("CustomerMetadataProperties") or {}).get("sha256", ""))
    if uri and SHA256_HEX.fullmatch(sha256):
        return PinnedArtifact(uri, sha256)
    logger.warning(
        "%s records no artifact URI or SHA-256; pinning MODEL_VERSION alone (serving asks the registry)",
        described.get("ModelPackageArn"),
    )
    return NO_ARTIFACT


def pinned_artifact(
    sagemaker: Any, group: str, version: str, described: dict[str, Any] | None = None
) -> PinnedArtifact:
    """The artifact to pin with `version` (NO_ARTIFACT when unpinning); `described`: its
    DescribeModelPackage when the caller already has it."""
    if not version:
        return NO_ARTIFACT
    if described is None:
        described = sagemaker.describe_model_package(ModelPackageName=package_arn(sagemaker, group, version))
    return artifact_of(described)


def wait_for(lambda_client: Any, waiter: str, function: str, *, delay: float = 1) -> None:
    """Run one of botocore's Lambda waiters (`function_updated_v2`, `function_active_v2`)."""
    try:
        lambda_client.get_waiter(waiter).wait(
            FunctionName=function, WaiterConfig={"Delay": delay, "MaxAttempts": WAIT_ATTEMPTS}
        )
    except WaiterError as error:
        config = (error.last_response or {}).get("Configuration", {})
        why = config.get("LastUpdateStatusReason") or config.get("StateReason") or str(error)
        raise PromotionError(f"{function} did not pass {waiter}: {why}") from None


def deployed_code(lambda_client: Any, function: str, expected_image: str) -> dict[str, Any]:
    """GetFunction's configuration of `$LATEST`, refused unless it runs the image the stack deployed."""
    response = lambda_client.get_function(FunctionName=function)
    code = response.get("Code", {})
    if expected_image not in (code.get("ImageUri"), code.get("ResolvedImageUri")):
        raise PromotionError(
            f"$LATEST of {function} runs {code.get('ImageUri') or 'no image'}, not the deployed image "
            f"{expected_image}; a deploy in progress is retried, otherwise redeploy with `npx cdk deploy`"
        )
    return dict(response["Configuration"])


def pin(
    lambda_client: Any,
    function: str,
    alias: str,
    model_version: str,
    *,
    artifact: PinnedArtifact,
    expected_image: str,
    delay: float = 1,
    move_alias: bool = True,
) -> str:
    """Set MODEL_VERSION with its artifact's URI and SHA-256, publish exactly that `$LATEST` and point the
    alias at it (unless not `move_alias`: a canary routes to it, promoter/canary_aws.py); returns the version.

    UpdateFunctionConfiguration replaces the whole `Environment.Variables` map
    (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html;
    snyk/lambda-env-updater README), so every variable `$LATEST` has is sent back with the three pin
    variables set."""
    wait_for(lambda_client, "function_updated_v2", function, delay=delay)  # e.g. a deploy still updating
    before = deployed_code(lambda_client, function, expected_image)
    pinned = artifact.variables(model_version)
    variables = {**before.get("Environment", {}).get("Variables", {}), **pinned}
    lambda_client.update_function_configuration(
        FunctionName=function, Environment={"Variables": variables}, **_revision(before)
    )
    wait_for(lambda_client, "function_updated_v2", function, delay=delay)
    wait_for(lambda_client, "function_active_v2", function, delay=delay)
    after = deployed_code(lambda_client, function, expected_image)
    if _pin_variables(after) != pinned:
        raise PromotionError(f"{function} changed while pinning v{model_version}; retrying")
    # CodeSha256 and RevisionId make the publish fail if $LATEST changed since it was checked.
    published = lambda_client.publish_version(
        FunctionName=function,
        CodeSha256=after["CodeSha256"],
        Description=f"model version {model_version or 'latest approved'}",
        **_revision(after),
    )
    if move_alias:
        lambda_client.update_alias(FunctionName=function, Name=alias, FunctionVersion=published["Version"])
    return str(published["Version"])


def _revision(configuration: dict[str, Any]) -> dict[str, str]:
    """RevisionId as a precondition; the service model makes it optional (moto omits it), Lambda sends it."""
    revision = configuration.get("RevisionId")
    return {"RevisionId": revision} if revision else {}


def package_arn(sagemaker: Any, group: str, version: str) -> str:
    """The ARN of version `version` of `group` (any approval status), from ListModelPackages."""
    for page in sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group):
        for summary in page["ModelPackageSummaryList"]:
            if str(summary.get("ModelPackageVersion")) == version:
                return str(summary["ModelPackageArn"])
    raise RegistryLag(f"v{version} of {group} is not listed yet; retrying")


def input_schema(sagemaker: Any, arn: str) -> dict[str, Any]:
    """The input schema recorded in the version's model card (runtime/registry/model_package.py)."""
    return schema_of(sagemaker.describe_model_package(ModelPackageName=arn))


def schema_of(described: dict[str, Any]) -> dict[str, Any]:
    """The input schema in a DescribeModelPackage response's model card ({} when none is recorded)."""
    content = described.get("ModelCard", {}).get("ModelCardContent") or "{}"
    details = json.loads(content).get("additional_information", {}).get("custom_details", {})
    return dict(json.loads(details.get("input_schema") or "{}"))


def check_same_inputs(sagemaker: Any, group: str, live: str, desired: str) -> dict[str, Any] | None:
    """Raise SchemaChanged when `desired` takes other inputs than `live` (promoter/schema_guard.py),
    unless `mlpipe models approve --force` recorded the acceptance on `desired`'s package; returns
    `desired`'s DescribeModelPackage (None when there was nothing to compare)."""
    if not live or not desired:
        return None
    before = input_schema(sagemaker, package_arn(sagemaker, group, live))
    candidate = sagemaker.describe_model_package(ModelPackageName=package_arn(sagemaker, group, desired))
    changes = describe_changes(schema_changes(before, schema_of(candidate)))
    if changes and change_accepted(candidate.get("CustomerMetadataProperties")):
        logger.info(
            "v%s of %s takes other inputs than live v%s (%s); accepted with --force",
            desired,
            group,
            live,
            changes,
        )
        return candidate
    if changes:
        raise SchemaChanged(
            f"not making v{desired} of {group} live: its input schema differs from live v{live} ({changes}); "
            "clients sending the live inputs would break. Reject it, register it under another model name, "
            f"or accept the change: `mlpipe models approve {desired} --force --backend aws`"
        )
    return candidate


def set_stages(sagemaker: Any, group: str, live: str, replaced: str) -> None:
    """ModelLifeCycle Production for the live version, Archived for the one it replaced.

    Called only when the pin changed: the state-change event this update causes finds nothing to move.
    """
    for version, stage in ((live, "Production"), (replaced, "Archived")):
        if version:
            sagemaker.update_model_package(
                ModelPackageArn=package_arn(sagemaker, group, version),
                ModelLifeCycle={"Stage": stage, "StageStatus": APPROVED},
            )


def promote(
    sagemaker: Any,
    lambda_client: Any,
    *,
    group: str,
    function: str,
    alias: str,
    expected_image: str,
    event: dict[str, Any] | None = None,
    delay: float = 1,
    plan: str = "",
) -> Promotion:
    """Move the alias to the version the registry asks for, after cross-checking the event against it."""
    package = changed_package(sagemaker, event or {})  # described before listing: the list is what lags
    desired = decide(package, approved_versions(sagemaker, group))
    previous = pinned_version(lambda_client, function, alias)
    if plan and desired is not None:
        desired = canary_aws.settle(lambda_client, function=function, alias=alias, desired=desired)
    if desired is None or desired == previous:
        return Promotion(previous=previous, current=previous)
    described = None
    if desired and previous and int(desired) > int(previous):  # a rollback restores inputs served before
        described = check_same_inputs(sagemaker, group, previous, desired)
    artifact = pinned_artifact(sagemaker, group, desired, described)
    if plan and desired and previous and int(desired) > int(previous):
        at = str((event or {}).get("time") or datetime.now(UTC).isoformat(timespec="seconds"))
        published = pin(
            lambda_client,
            function,
            alias,
            desired,
            artifact=artifact,
            expected_image=expected_image,
            delay=delay,
            move_alias=False,
        )
        canary_aws.start(
            lambda_client, function, alias, published=published, to=int(desired), plan=plan, at=at
        )
        return Promotion(previous=previous, current=desired, function_version=published, plan=plan)
    published = pin(
        lambda_client, function, alias, desired, artifact=artifact, expected_image=expected_image, delay=delay
    )
    set_stages(sagemaker, group, desired, previous)
    return Promotion(previous=previous, current=desired, function_version=published)


def record_deployment(
    sagemaker: Any, s3: Any, *, bucket: str, group: str, event: dict[str, Any], result: Promotion
) -> str:
    """Write the history entry of a moved pin (promoter/history.py); returns its S3 key.

    Who and why come from the package the event names (LastModifiedBy, ApprovalDescription: `mlpipe
    models rollback` writes its reason there); a manual reconcile has neither."""
    arn = event.get("detail", {}).get("ModelPackageArn")
    described = sagemaker.describe_model_package(ModelPackageName=arn) if arn else {}
    entry = history.entry_for(
        result.previous,
        result.current,
        at=str(event.get("time") or datetime.now(UTC).isoformat(timespec="seconds")),
        actor=history.who(described) if arn else "manual reconcile",
        reason=str(described.get("ApprovalDescription", "")),
        plan=parse_plan(result.plan),
    )
    return history.put_entry(s3, bucket, group, entry)


@cache
def _clients() -> tuple[Any, Any]:
    return boto3.client("sagemaker"), boto3.client("lambda")


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001 (Lambda's signature)
    group = os.environ["MODEL_PACKAGE_GROUP"]
    event_group = event.get("detail", {}).get("ModelPackageGroupName", group)
    if event_group != group:
        logger.info("ignoring an event for group %s; this promoter serves %s", event_group, group)
        return {"changed": False, "ignored": True}
    sagemaker, lambda_client = _clients()
    if canary_aws.is_tick(event):
        return canary_aws.on_tick(sagemaker, lambda_client, group=group, set_stages=set_stages)
    result = promote(
        sagemaker,
        lambda_client,
        group=group,
        function=os.environ["SERVING_FUNCTION_NAME"],
        alias=os.environ["SERVING_ALIAS"],
        expected_image=os.environ["SERVING_IMAGE_URI"],
        event=event,
        plan=os.environ.get(CANARY_PLAN_VARIABLE, ""),
    )
    if result.changed and os.environ.get(HISTORY_BUCKET_VARIABLE):
        try:
            record_deployment(
                sagemaker,
                boto3.client("s3"),
                bucket=os.environ[HISTORY_BUCKET_VARIABLE],
                group=group,
                event=event,
                result=result,
            )
        except Exception:  # the pin moved; a retry would find nothing to move, so say it in the log
            logger.exception("deployment history not written for %r -> %r", result.previous, result.current)
    logger.info(
        "model version pin %r -> %r (function version %s)",
        result.previous,
        result.current,
        result.function_version,
    )
    return {
        "changed": result.changed,
        "previous": result.previous,
        "current": result.current,
        "functionVersion": result.function_version,
        "canary": result.plan,
    }
