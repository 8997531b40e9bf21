"""The promoter's deployment history on AWS (promoter/history.py, `record_deployment`), on botocore's Stubber.

AWS behaviour relied upon:
- DescribeModelPackage returns `LastModifiedBy` (a UserContext: UserProfileName, IamIdentity.Arn) and the
  `ApprovalDescription` set by UpdateModelPackage
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelPackage.html); the Stubber
  validates the canned response against botocore's service model, so a misspelt member fails the test.
- PutObject with Bucket/Key/Body/ContentType (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from promoter import history
from promoter.handler import Promotion, record_deployment
from tests.unit.promoter.test_handler import EVENT_TIME, GROUP, REGION, package_arn, state_change

ROLE = "arn:aws:sts::123456789012:assumed-role/release-manager/ana"
BUCKET = "mlpipe-dev-artifacts-123456789012-us-east-1"


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def test_a_rollback_is_recorded_with_the_rejecting_identity_and_its_reason() -> None:
    sagemaker, s3 = client("sagemaker"), client("s3")
    described = {
        "ModelPackageName": GROUP,
        "ModelPackageArn": package_arn(3),
        "ModelPackageVersion": 3,
        "CreationTime": EVENT_TIME - timedelta(hours=1),
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": "Rejected",
        "ApprovalDescription": "rolled back to v2: bad predictions",
        "LastModifiedBy": {"IamIdentity": {"Arn": ROLE}},
    }
    written: dict[str, Any] = {}
    with Stubber(sagemaker) as registry, Stubber(s3) as objects:
        registry.add_response("describe_model_package", described, {"ModelPackageName": package_arn(3)})
        objects.add_response(
            "put_object",
            {},
            {"Bucket": BUCKET, "Key": ANY, "Body": ANY, "ContentType": "application/json"},
        )
        s3.meta.events.register(
            "provide-client-params.s3.PutObject", lambda params, **_: written.update(params)
        )

        key = record_deployment(
            sagemaker,
            s3,
            bucket=BUCKET,
            group=GROUP,
            event=state_change(3, "Rejected"),
            result=Promotion(previous="3", current="2", function_version="9"),
        )

    entry = history.decode(written["Body"])
    assert key.startswith(f"deployments/{GROUP}/") and key.endswith("-v3-v2.json")
    assert (entry["action"], entry["from_version"], entry["to_version"]) == ("rollback", 3, 2)
    assert entry["actor"] == ROLE
    assert entry["reason"] == "rolled back to v2: bad predictions"


def test_keys_sort_in_time_order() -> None:
    first = history.entry_for("1", "2", at="2026-11-29T09:00:00+00:00", actor="a", reason="")
    second = history.entry_for("2", "1", at="2026-11-29T10:00:00+00:00", actor="a", reason="")
    assert history.history_key(GROUP, first) < history.history_key(GROUP, second)


def test_unpinning_records_no_weight_and_no_target() -> None:
    entry = history.entry_for("1", "", at="2026-11-29T09:00:00+00:00", actor="a", reason="v1 rejected")
    assert (entry["to_version"], entry["weight"], entry["outcome"]) == (None, 0, "rolled back")


def test_a_document_that_is_not_an_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="not a deployment-history entry"):
        history.decode(b'{"at": "x"}')
