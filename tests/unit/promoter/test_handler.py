"""The promoter, call by call, on botocore's Stubber: every request and canned response is validated against
botocore's SageMaker and Lambda service models, and a call nobody expects fails the test.

AWS behaviour relied upon:
- ListModelPackages and DescribeModelPackage may disagree for a while after an approval changes; SageMaker
  may send several events per change (https://docs.aws.amazon.com/sagemaker/latest/dg/
  automating-sagemaker-with-eventbridge.html, "may send multiple events ... for each state change").
- EventBridge invokes Lambda asynchronously: an error in the handler is retried by Lambda twice, one then two
  minutes later (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
- botocore's `function_updated_v2` / `function_active_v2` waiters poll GetFunction for
  `Configuration.LastUpdateStatus` / `Configuration.State` (botocore/data/lambda/2015-03-31/waiters-2.json).
- DescribeModelPackage returns the model card the Register step wrote (`ModelCard.ModelCardContent`), and
  UpdateModelPackage sets `ModelLifeCycle` {Stage, StageStatus} of a version
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelPackage.html,
  https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-staging-construct.html); botocore's
  service model validates every request and response below.
- UpdateFunctionConfiguration takes `Environment.Variables` as a whole and replaces the function's map
  (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html; the CLI's behaviour,
  "replaces the whole environment", github.com/snyk/lambda-env-updater README): the request stubbed in
  `expect_pin` carries every variable `$LATEST` had plus the three pin variables.
- DescribeModelPackage returns `InferenceSpecification.Containers[].ModelDataUrl` and
  `CustomerMetadataProperties` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html):
  the artifact and the `sha256` the Register step recorded (runtime/registry/model_package.py).
- PublishVersion publishes only if `CodeSha256` and `RevisionId` still match `$LATEST`
  (https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html; a stale RevisionId fails with
  PreconditionFailedException, https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.loaders import Loader
from botocore.stub import Stubber

from promoter.handler import (
    APPROVED,
    MODEL_ARTIFACT_URI_VARIABLE,
    MODEL_SHA256_VARIABLE,
    MODEL_VERSION_VARIABLE,
    NO_ARTIFACT,
    PinnedArtifact,
    Promotion,
    PromotionError,
    RegistryLag,
    SchemaChanged,
    pin,
    pinned_artifact,
    promote,
)
from runtime import names

REGION = "us-east-1"
GROUP = "mlpipe-titanic-test"
FUNCTION = "serving"
ALIAS = "live"
IMAGE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/mlpipe-dev-serving:4f1c2e"
DIGEST = "a" * 64
EVENT_FILE = Path(__file__).resolve().parents[2] / "events" / "sagemaker_model_package_state_change.json"
EVENT_TIME = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PENDING, REJECTED = "PendingManualApproval", "Rejected"


@pytest.fixture
def stubs() -> Iterator[tuple[Any, Stubber, Any, Stubber]]:
    credentials = {"region_name": REGION, "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    sagemaker, lambda_client = boto3.client("sagemaker", **credentials), boto3.client("lambda", **credentials)
    with Stubber(sagemaker) as registry, Stubber(lambda_client) as functions:
        yield sagemaker, registry, lambda_client, functions
        registry.assert_no_pending_responses()
        functions.assert_no_pending_responses()


def package_arn(version: int) -> str:
    return f"arn:aws:sagemaker:{REGION}:123456789012:model-package/{GROUP}/{version}"


def state_change(version: int, status: str) -> dict[str, Any]:
    """The committed sample event, naming another version and status."""
    event: dict[str, Any] = json.loads(EVENT_FILE.read_text())
    event["resources"] = [package_arn(version)]
    event["detail"].update(
        ModelPackageGroupName=GROUP,
        ModelPackageVersion=version,
        ModelPackageArn=package_arn(version),
        ModelApprovalStatus=status,
    )
    return event


def expect_describe(registry: Stubber, version: int, status: str, modified: datetime) -> None:
    response = {
        "ModelPackageName": GROUP,
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": version,
        "ModelPackageArn": package_arn(version),
        "CreationTime": EVENT_TIME - timedelta(hours=1),
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": status,
        "LastModifiedTime": modified,
    }
    registry.add_response("describe_model_package", response, {"ModelPackageName": package_arn(version)})


def expect_list(registry: Stubber, approved: set[int]) -> None:
    summaries = [
        {
            "ModelPackageGroupName": GROUP,
            "ModelPackageVersion": version,
            "ModelPackageArn": package_arn(version),
            "CreationTime": EVENT_TIME,
            "ModelPackageStatus": "Completed",
            "ModelApprovalStatus": APPROVED,
        }
        for version in sorted(approved)
    ]
    registry.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": summaries},
        {"ModelPackageGroupName": GROUP, "ModelApprovalStatus": APPROVED},
    )


SCHEMA = {
    "properties": {"Age": {"type": ["number", "null"]}, "Sex": {"type": ["string"], "categories": ["f"]}}
}


def artifact(version: int) -> PinnedArtifact:
    """What the Register step recorded for `version`: its archive and that archive's SHA-256."""
    return PinnedArtifact(
        f"s3://mlpipe-artifacts/runs/{GROUP}/v{version}/model.tar.gz",
        hashlib.sha256(f"archive {version}".encode()).hexdigest(),
    )


def inference_specification(version: int) -> dict[str, Any]:
    container = {"Image": "xgboost:3.0-5", "ModelDataUrl": artifact(version).uri}
    return {
        "Containers": [container],
        "SupportedContentTypes": ["application/json"],
        "SupportedResponseMIMETypes": ["application/json"],
    }


def expect_artifact(registry: Stubber, version: int, properties: dict[str, str] | None = None) -> None:
    """`pinned_artifact`: ListModelPackages finds the version, DescribeModelPackage gives URI and sha256."""
    expect_find(registry, version)
    response = {
        "CustomerMetadataProperties": {"sha256": artifact(version).sha256}
        if properties is None
        else properties,
        "InferenceSpecification": inference_specification(version),
        "ModelPackageName": GROUP,
        "ModelPackageArn": package_arn(version),
        "CreationTime": EVENT_TIME,
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
    }
    registry.add_response("describe_model_package", response, {"ModelPackageName": package_arn(version)})


def expect_find(registry: Stubber, version: int) -> None:
    """`package_arn`: ListModelPackages of the whole group, which lists the version."""
    summary = {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": version,
        "ModelPackageArn": package_arn(version),
        "CreationTime": EVENT_TIME,
        "ModelPackageStatus": "Completed",
    }
    registry.add_response(
        "list_model_packages", {"ModelPackageSummaryList": [summary]}, {"ModelPackageGroupName": GROUP}
    )


def expect_schema(
    registry: Stubber, version: int, schema: dict[str, Any], properties: dict[str, str] | None = None
) -> None:
    """DescribeModelPackage with the model card the pipeline writes (runtime/registry/model_package.py)."""
    expect_find(registry, version)
    card = {"additional_information": {"custom_details": {"input_schema": json.dumps(schema)}}}
    recorded = {"sha256": artifact(version).sha256} if properties is None else properties
    response = {
        "CustomerMetadataProperties": recorded,
        "InferenceSpecification": inference_specification(version),
        "ModelPackageName": GROUP,
        "ModelPackageArn": package_arn(version),
        "CreationTime": EVENT_TIME,
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelCard": {"ModelCardContent": json.dumps(card), "ModelCardStatus": "Draft"},
    }
    registry.add_response("describe_model_package", response, {"ModelPackageName": package_arn(version)})


def expect_stage(registry: Stubber, version: int, stage: str) -> None:
    expect_find(registry, version)
    registry.add_response(
        "update_model_package",
        {"ModelPackageArn": package_arn(version)},
        {
            "ModelPackageArn": package_arn(version),
            "ModelLifeCycle": {"Stage": stage, "StageStatus": APPROVED},
        },
    )


def expect_live(functions: Stubber, model_version: str) -> None:
    functions.add_response("get_alias", {"FunctionVersion": "4"}, {"FunctionName": FUNCTION, "Name": ALIAS})
    functions.add_response(
        "get_function_configuration",
        {"Environment": {"Variables": {"MODEL_VERSION": model_version}}},
        {"FunctionName": FUNCTION, "Qualifier": "4"},
    )


def variables(model_version: str, pinned: PinnedArtifact = NO_ARTIFACT) -> dict[str, str]:
    """The serving function's environment: the stack's variables and the three the promoter pins."""
    return {
        "MLPIPE_BACKEND": "aws",
        "ARTIFACT_BUCKET": "mlpipe-artifacts",
        "MODEL_VERSION": model_version,
        "MODEL_ARTIFACT_URI": pinned.uri,
        "MODEL_SHA256": pinned.sha256,
    }


def latest(
    model_version: str,
    revision: str,
    image: str = IMAGE,
    pinned: PinnedArtifact = NO_ARTIFACT,
    **configuration: Any,
) -> dict[str, Any]:
    """A GetFunction response for `$LATEST`."""
    return {
        "Configuration": {
            "FunctionName": FUNCTION,
            "Environment": {"Variables": variables(model_version, pinned)},
            "CodeSha256": DIGEST,
            "RevisionId": revision,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            **configuration,
        },
        "Code": {"RepositoryType": "ECR", "ImageUri": image, "ResolvedImageUri": f"{image}@sha256:{DIGEST}"},
    }


def expect_get_function(functions: Stubber, response: dict[str, Any]) -> None:
    functions.add_response("get_function", response, {"FunctionName": FUNCTION})


def expect_pin(functions: Stubber, old: str, new: str) -> None:
    """The whole pin sequence: wait, check, update, wait (one poll in progress), check, publish, alias.

    `$LATEST` starts as an older promoter left it (MODEL_VERSION only); the update sends every variable,
    the new version with its artifact's URI and SHA-256, or all three empty when unpinning."""
    old_artifact = NO_ARTIFACT  # as the stack deploys it, or as an older promoter pinned it
    new_artifact = artifact(int(new)) if new else NO_ARTIFACT
    expect_get_function(functions, latest(old, "rev-1", pinned=old_artifact))  # function_updated_v2
    expect_get_function(functions, latest(old, "rev-1", pinned=old_artifact))
    functions.add_response(
        "update_function_configuration",
        {},
        {
            "FunctionName": FUNCTION,
            "Environment": {"Variables": variables(new, new_artifact)},
            "RevisionId": "rev-1",
        },
    )
    expect_get_function(functions, latest(new, "rev-2", LastUpdateStatus="InProgress", pinned=new_artifact))
    expect_get_function(
        functions, latest(new, "rev-2", pinned=new_artifact)
    )  # function_updated_v2: Successful
    expect_get_function(functions, latest(new, "rev-2", pinned=new_artifact))  # function_active_v2: Active
    expect_get_function(functions, latest(new, "rev-2", pinned=new_artifact))
    functions.add_response(
        "publish_version",
        {"Version": "5"},
        {
            "FunctionName": FUNCTION,
            "CodeSha256": DIGEST,
            "RevisionId": "rev-2",
            "Description": f"model version {new or 'latest approved'}",
        },
    )
    functions.add_response(
        "update_alias", {}, {"FunctionName": FUNCTION, "Name": ALIAS, "FunctionVersion": "5"}
    )


@dataclass(frozen=True)
class Row:
    """One row of the decision table: the event, the registry's two answers, the live pin -> the outcome."""

    event: tuple[int, str] | None  # (version, status) the event names; None: a manual `{}` invoke
    described: tuple[str, timedelta] | None  # DescribeModelPackage status, LastModifiedTime - event time
    approved: set[int]  # what ListModelPackages (Approved) returns
    live: str
    outcome: str | None  # the new pin; None: nothing changes; "retry": raises RegistryLag


ROWS = {
    "approving a newer version promotes it": Row((3, APPROVED), (APPROVED, timedelta()), {1, 2, 3}, "2", "3"),
    "the first approval pins it": Row((1, APPROVED), (APPROVED, timedelta()), {1}, "", "1"),
    "approving an older version than live changes nothing": Row(
        (1, APPROVED), (APPROVED, timedelta()), {1, 2}, "2", None
    ),
    "the same approval again changes nothing": Row((2, APPROVED), (APPROVED, timedelta()), {1, 2}, "2", None),
    "rejecting the live version rolls back to the previous approved": Row(
        (2, REJECTED), (REJECTED, timedelta()), {1}, "2", "1"
    ),
    "rejecting the only approved version unpins": Row((1, REJECTED), (REJECTED, timedelta()), set(), "1", ""),
    "rejecting a version that is not live changes nothing": Row(
        (1, REJECTED), (REJECTED, timedelta()), {2}, "2", None
    ),
    "a new registration changes nothing": Row((3, PENDING), (PENDING, timedelta()), {2}, "2", None),
    "any event catches up a missed approval": Row((3, PENDING), (PENDING, timedelta()), {1, 2}, "1", "2"),
    "the list not showing an approval yet retries": Row(
        (3, APPROVED), (APPROVED, timedelta()), {1, 2}, "2", "retry"
    ),
    "the list still showing a rejected version retries": Row(
        (2, REJECTED), (REJECTED, timedelta()), {1, 2}, "2", "retry"
    ),
    "describe not showing the event's change yet retries": Row(
        (3, APPROVED), (PENDING, -timedelta(minutes=5)), {1, 2}, "2", "retry"
    ),
    "an event superseded by a later change changes nothing": Row(
        (3, APPROVED), (REJECTED, timedelta(seconds=30)), {1, 2}, "1", None
    ),
    "a manual invoke converges on the newest approved": Row(None, None, {1, 2}, "1", "2"),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_decision_table(row: Row, stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    # given the registry's answers and the live pin
    sagemaker, registry, lambda_client, functions = stubs
    event: dict[str, Any] = {}
    if row.event and row.described:
        event = state_change(*row.event)
        expect_describe(registry, row.event[0], row.described[0], EVENT_TIME + row.described[1])
    expect_list(registry, row.approved)
    if row.outcome != "retry":
        expect_live(functions, row.live)
    if row.outcome not in (None, "retry"):
        if row.live and row.outcome and int(row.outcome) > int(row.live):
            expect_schema(registry, int(row.live), SCHEMA)
            expect_schema(registry, int(row.outcome), SCHEMA)  # also gives the artifact to pin
        elif row.outcome:
            expect_artifact(registry, int(row.outcome))
        expect_pin(functions, row.live, str(row.outcome))
        if row.outcome:
            expect_stage(registry, int(row.outcome), "Production")
        if row.live:
            expect_stage(registry, int(row.live), "Archived")

    def run() -> Promotion:
        return promote(
            sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
            event=event, delay=0,
        )  # fmt: skip

    # when the promoter runs, then it raises (nothing touched), changes nothing, or pins the outcome
    if row.outcome == "retry":
        with pytest.raises(RegistryLag, match="retrying"):
            run()
        return
    result = run()
    assert result.previous == row.live
    if row.outcome is None:
        assert not result.changed and result.current == row.live
    else:
        assert (result.current, result.function_version) == (row.outcome, "5")


def test_a_newer_version_with_other_inputs_is_not_made_live(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    # given live v2, and v3 approved with a renamed and a retyped input
    sagemaker, registry, lambda_client, functions = stubs
    expect_describe(registry, 3, APPROVED, EVENT_TIME)
    expect_list(registry, {1, 2, 3})
    expect_live(functions, "2")
    expect_schema(registry, 2, SCHEMA)
    renamed = {"properties": {"age": {"type": ["number", "null"]}, "Sex": {"type": ["number", "null"]}}}
    expect_schema(registry, 3, renamed)

    # when the promoter runs, then it raises (the alarm fires) naming the changes; no pin call is stubbed,
    # so the alias cannot have moved, and no stage was set
    with pytest.raises(SchemaChanged, match=r"added: age; removed: Age; retyped: Sex"):
        promote(
            sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
            event=state_change(3, APPROVED), delay=0,
        )  # fmt: skip


RENAMED = {"properties": {"age": {"type": ["number", "null"]}, "Sex": {"type": ["number", "null"]}}}


def test_a_schema_change_accepted_with_force_is_made_live(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    """`mlpipe models approve 3 --force --backend aws` wrote `schema-change-accepted` into v3's
    CustomerMetadataProperties (UpdateModelPackage accepts them: botocore's SageMaker service model,
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelPackage.html;
    DescribeModelPackage returns them, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html)."""
    # given live v2, and v3 approved with other inputs and the marker
    sagemaker, registry, lambda_client, functions = stubs
    expect_describe(registry, 3, APPROVED, EVENT_TIME)
    expect_list(registry, {1, 2, 3})
    expect_live(functions, "2")
    expect_schema(registry, 2, SCHEMA)
    expect_schema(registry, 3, RENAMED, {"sha256": artifact(3).sha256, "schema-change-accepted": "true"})
    expect_pin(functions, "2", "3")
    expect_stage(registry, 3, "Production")
    expect_stage(registry, 2, "Archived")

    # when the promoter runs
    result = promote(
        sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
        event=state_change(3, APPROVED), delay=0,
    )  # fmt: skip

    # then v3 is live and the stages say so (every stubbed call was made)
    assert (result.previous, result.current, result.function_version) == ("2", "3", "5")
    registry.assert_no_pending_responses()
    functions.assert_no_pending_responses()


@pytest.mark.parametrize("properties", [{}, {"sha256": DIGEST}, {"schema-change-accepted": "false"}])
def test_without_the_marker_a_schema_change_is_still_refused(
    properties: dict[str, str], stubs: tuple[Any, Stubber, Any, Stubber]
) -> None:
    # given live v2, and v3 approved with other inputs but no acceptance recorded
    sagemaker, registry, lambda_client, functions = stubs
    expect_describe(registry, 3, APPROVED, EVENT_TIME)
    expect_list(registry, {1, 2, 3})
    expect_live(functions, "2")
    expect_schema(registry, 2, SCHEMA)
    expect_schema(registry, 3, RENAMED, properties)

    # when the promoter runs, then it refuses and says how to accept the change
    with pytest.raises(SchemaChanged, match=r"approve 3 --force --backend aws"):
        promote(
            sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
            event=state_change(3, APPROVED), delay=0,
        )  # fmt: skip


def test_waiters_used_are_botocores_own_on_get_function() -> None:
    waiters = Loader().load_service_model("lambda", "waiters-2")["waiters"]

    assert waiters["FunctionUpdatedV2"]["operation"] == "GetFunction"
    assert waiters["FunctionActiveV2"]["operation"] == "GetFunction"
    assert {a["argument"] for a in waiters["FunctionUpdatedV2"]["acceptors"]} == {
        "Configuration.LastUpdateStatus"
    }


def run_pin(lambda_client: Any, expected_image: str = IMAGE) -> str:
    return pin(
        lambda_client, FUNCTION, ALIAS, "3", artifact=artifact(3), expected_image=expected_image, delay=0
    )


def test_latest_running_another_image_is_never_touched(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    _, _, lambda_client, functions = stubs
    other = IMAGE.replace(":4f1c2e", ":0ld")
    expect_get_function(functions, latest("2", "rev-1", image=other))
    expect_get_function(functions, latest("2", "rev-1", image=other))

    # No update_function_configuration is stubbed: making that call would fail the test too.
    with pytest.raises(PromotionError, match=f"runs {other}, not the deployed image {IMAGE}"):
        run_pin(lambda_client)


def test_an_image_changed_during_the_update_is_not_published(
    stubs: tuple[Any, Stubber, Any, Stubber],
) -> None:
    _, _, lambda_client, functions = stubs
    expect_get_function(functions, latest("2", "rev-1"))
    expect_get_function(functions, latest("2", "rev-1"))
    functions.add_response("update_function_configuration", {})
    for _ in range(2):  # the two waiters
        expect_get_function(functions, latest("3", "rev-2"))
    expect_get_function(functions, latest("3", "rev-3", image=IMAGE.replace(":4f1c2e", ":n3w")))

    with pytest.raises(PromotionError, match="not the deployed image"):
        run_pin(lambda_client)


def test_the_deployed_image_may_be_given_by_digest(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    _, _, lambda_client, functions = stubs
    expect_pin(functions, "2", "3")

    assert run_pin(lambda_client, expected_image=f"{IMAGE}@sha256:{DIGEST}") == "5"


def test_a_failed_update_is_reported_with_its_reason(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    _, _, lambda_client, functions = stubs
    failed = latest("2", "rev-1", LastUpdateStatus="Failed", LastUpdateStatusReason="image not found")
    expect_get_function(functions, failed)

    with pytest.raises(PromotionError, match="did not pass function_updated_v2: image not found"):
        run_pin(lambda_client)


def test_a_concurrent_change_to_latest_fails_the_publish(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    # given a $LATEST that changes between the check and PublishVersion (Lambda answers 412)
    _, _, lambda_client, functions = stubs
    expect_get_function(functions, latest("2", "rev-1"))
    expect_get_function(functions, latest("2", "rev-1"))
    functions.add_response("update_function_configuration", {})
    for _ in range(3):
        expect_get_function(functions, latest("3", "rev-2", pinned=artifact(3)))
    functions.add_client_error("publish_version", "PreconditionFailedException", http_status_code=412)

    # then the error reaches Lambda (which retries the event) and the alias is not moved
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException):
        run_pin(lambda_client)


def test_another_artifact_pinned_meanwhile_is_not_published(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    # given a $LATEST whose MODEL_SHA256 another writer changed after this update
    _, _, lambda_client, functions = stubs
    expect_get_function(functions, latest("2", "rev-1"))
    expect_get_function(functions, latest("2", "rev-1"))
    functions.add_response("update_function_configuration", {})
    other = PinnedArtifact(artifact(3).uri, "b" * 64)
    for _ in range(3):
        expect_get_function(functions, latest("3", "rev-2", pinned=other))

    # then nothing is published (no publish_version is stubbed) and the event is retried
    with pytest.raises(PromotionError, match="changed while pinning v3"):
        run_pin(lambda_client)


def test_a_version_without_a_recorded_digest_is_pinned_by_number_alone(
    stubs: tuple[Any, Stubber, Any, Stubber],
) -> None:
    """A package without `sha256` (registered by hand): the loader asks the registry as before, and refuses
    the artifact there exactly as it did; the promoter never pins a location without its digest."""
    sagemaker, registry, _, _ = stubs
    expect_artifact(registry, 3, properties={})

    assert pinned_artifact(sagemaker, GROUP, "3") == NO_ARTIFACT
    assert NO_ARTIFACT.variables("3") == {"MODEL_VERSION": "3", "MODEL_ARTIFACT_URI": "", "MODEL_SHA256": ""}


def test_the_promoter_pins_the_variables_serving_reads() -> None:
    # The promoter ships alone (Code.from_asset(promoter/)), so it keeps its own literals: kept equal here.
    assert (MODEL_VERSION_VARIABLE, MODEL_ARTIFACT_URI_VARIABLE, MODEL_SHA256_VARIABLE) == (
        names.MODEL_VERSION_ENV,
        names.MODEL_ARTIFACT_URI_ENV,
        names.MODEL_SHA256_ENV,
    )


def test_an_event_without_time_says_how_to_reconcile(stubs: tuple[Any, Stubber, Any, Stubber]) -> None:
    sagemaker, _, lambda_client, _ = stubs
    event = state_change(3, APPROVED)
    del event["time"]

    with pytest.raises(PromotionError, match=r"invoke with \{\} to reconcile"):
        promote(
            sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
            event=event,
        )  # fmt: skip


def test_promotion_changed_only_when_a_version_was_published() -> None:
    assert not Promotion(previous="1", current="1").changed
    assert Promotion(previous="1", current="2", function_version="5").changed
