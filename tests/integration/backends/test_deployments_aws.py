"""`mlpipe models rollback` / `models history` against moto's SageMaker and S3 (issue 15).

AWS behaviour relied upon:
- UpdateModelPackage sets ModelApprovalStatus and ApprovalDescription, DescribeModelPackage returns them
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelPackage.html); moto stores both.
- The promoter pins the newest Approved version (promoter/handler.py), so a rollback must leave no Approved
  version newer than its target: the test asserts exactly that state of the registry.
- ListObjectsV2 returns keys in UTF-8 binary order
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): history keys start with the time.
"""

from __future__ import annotations

import pytest

from pipeline.cli.deploy import rollback_aws
from promoter import history
from runtime.registry.base import RegistryError
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.store.base import join_uri
from runtime.store.s3 import S3ArtifactStore
from tests.integration.backends.conftest import BUCKET
from tests.integration.backends.test_registry_contract import registration


@pytest.fixture
def three_approved(sagemaker_registry: SageMakerModelRegistry) -> SageMakerModelRegistry:
    for number in (1, 2, 3):
        sagemaker_registry.register_version(registration(number, status="Approved"))
    return sagemaker_registry


def status_and_reason(registry: SageMakerModelRegistry, version: int) -> tuple[str, str]:
    described = registry.client.describe_model_package(ModelPackageName=registry._arn(version))
    return described["ModelApprovalStatus"], described.get("ApprovalDescription", "")


def test_rollback_rejects_every_newer_approved_version_with_the_reason(
    three_approved: SageMakerModelRegistry,
) -> None:
    target, rejected = rollback_aws(three_approved, 1, "bad predictions")

    assert (target, rejected) == (1, [2, 3])
    assert status_and_reason(three_approved, 3) == ("Rejected", "bad predictions")
    assert status_and_reason(three_approved, 2) == ("Rejected", "bad predictions")
    approved = [v.version for v in three_approved.list_versions() if v.status == "Approved"]
    assert approved == [1]  # what the promoter will pin


def test_rollback_defaults_to_the_previous_approved_version(three_approved: SageMakerModelRegistry) -> None:
    assert rollback_aws(three_approved, None, "") == (2, [3])
    assert status_and_reason(three_approved, 3) == ("Rejected", "rolled back to v2")


@pytest.mark.parametrize("target", [3, 4])
def test_rollback_refuses_the_live_or_an_unknown_version(
    three_approved: SageMakerModelRegistry, target: int
) -> None:
    with pytest.raises(RegistryError, match="older than live v3"):
        rollback_aws(three_approved, target, "")


def test_history_objects_read_back_in_time_order(s3_store: S3ArtifactStore) -> None:
    entries = [
        history.entry_for("1", "2", at="2026-11-29T09:00:00+00:00", actor="ana", reason=""),
        history.entry_for("2", "1", at="2026-11-29T10:00:00+00:00", actor="bob", reason="bad"),
    ]
    for entry in reversed(entries):
        history.put_entry(s3_store.client, BUCKET, "mlpipe-titanic", entry)

    uris = sorted(s3_store.list_uris(join_uri(BUCKET, history.history_prefix("mlpipe-titanic"))))

    assert [history.decode(s3_store.get_bytes(uri)) for uri in uris] == entries
