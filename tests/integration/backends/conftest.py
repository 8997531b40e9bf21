"""Backends for the contract suites: SQLite and a folder locally, SageMaker and S3 on moto's mock_aws."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from runtime.registry.base import ModelRegistry, ModelVersion, Registration, check_status
from runtime.registry.sagemaker import STAGE_STATUS, SageMakerModelRegistry
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.store.base import ArtifactStore
from runtime.store.local import LocalArtifactStore
from runtime.store.s3 import S3ArtifactStore
from tests.integration.backends.model_packages import ModelCardKeepingClient, create_request
from tests.integration.backends.service_model import shaped_response

REGION = "eu-west-3"
# Mixed case on purpose: SageMaker lower-cases the group inside model package ARNs.
GROUP = "Mlpipe-Contract"
BUCKET = "mlpipe-contract-artifacts"


@pytest.fixture(scope="session")
def boto_session() -> boto3.Session:
    """One session with fake credentials: clients from it reuse the parsed service models (~0.4 s each)."""
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's mock_aws with fake credentials, so nothing can reach a real account."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def s3_store(aws: None, boto_session: boto3.Session) -> S3ArtifactStore:
    client = boto_session.client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return S3ArtifactStore(client)


class PipelineRegisteredSageMaker(SageMakerModelRegistry):
    """The SageMaker registry, whose versions are created as the pipeline's Register step creates them."""

    def __init__(self, group: str, client: Any, *, store: S3ArtifactStore) -> None:
        super().__init__(group, ModelCardKeepingClient(client), store=store)
        self._s3 = store

    def register_version(self, registration: Registration) -> ModelVersion:
        # botocore does not check enums; SageMaker answers ValidationException, the registry's word is:
        check_status(registration.status)
        request = create_request(self.group, registration, self._s3)
        arn = self.client.create_model_package(**request)["ModelPackageArn"]
        return self.get_version(int(arn.rsplit("/", 1)[1]))


@pytest.fixture
def sagemaker_registry(s3_store: S3ArtifactStore, boto_session: boto3.Session) -> SageMakerModelRegistry:
    client = boto_session.client("sagemaker")
    client.create_model_package_group(ModelPackageGroupName=GROUP)
    return PipelineRegisteredSageMaker(GROUP, client, store=s3_store)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "local":
        return LocalArtifactStore(tmp_path / "home")
    return request.getfixturevalue("s3_store")


@pytest.fixture(params=["sqlite", "sagemaker"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> ModelRegistry:
    if request.param == "sqlite":
        return SqliteModelRegistry(tmp_path / "registry.db", GROUP)
    return request.getfixturevalue("sagemaker_registry")


@pytest.fixture
def set_stage(registry: ModelRegistry, request: pytest.FixtureRequest) -> Callable[[int, str], ModelVersion]:
    """`registry.set_stage`; on SageMaker through a Stubber, because moto does not model ModelLifeCycle."""
    if isinstance(registry, SageMakerModelRegistry):
        s3_store = request.getfixturevalue("s3_store")
        client = request.getfixturevalue("boto_session").client("sagemaker")
        return lambda version, stage: stubbed_set_stage(registry, client, s3_store, version, stage)
    return registry.set_stage


def stubbed_set_stage(
    moto_registry: SageMakerModelRegistry, client: Any, store: S3ArtifactStore, version: int, stage: str
) -> ModelVersion:
    """Run set_stage on a Stubber-backed client whose describe answers are moto's, plus ModelLifeCycle.

    moto 5.2.5 ignores ModelLifeCycle in UpdateModelPackage, never returns it from DescribeModelPackage
    and (being an update without ModelApprovalStatus) would wipe the approval status; see
    test_moto_gap.py. The Stubber checks the exact request and validates every response against the
    botocore service model.
    """
    moto = moto_registry.client
    group = moto.describe_model_package_group(ModelPackageGroupName=GROUP)
    arn = next(
        summary["ModelPackageArn"]
        for summary in moto.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"]
        if summary["ModelPackageVersion"] == version
    )
    described = moto.describe_model_package(ModelPackageName=arn)
    life_cycle = {"Stage": stage, "StageStatus": STAGE_STATUS}
    stubber = Stubber(client)
    stubber.add_response(
        "describe_model_package_group",
        shaped_response("DescribeModelPackageGroup", group),
        {"ModelPackageGroupName": GROUP},
    )
    by_arn = {"ModelPackageName": arn}
    stubber.add_response("describe_model_package", shaped_response("DescribeModelPackage", described), by_arn)
    expected_update = {
        "ModelPackageArn": arn,
        "ModelLifeCycle": life_cycle,
        "CustomerMetadataProperties": described["CustomerMetadataProperties"],
    }
    updated = shaped_response("UpdateModelPackage", {"ModelPackageArn": arn})
    stubber.add_response("update_model_package", updated, expected_update)
    after = shaped_response("DescribeModelPackage", {**described, "ModelLifeCycle": life_cycle})
    stubber.add_response("describe_model_package", after, by_arn)
    with stubber:
        staged = SageMakerModelRegistry(GROUP, client, store=store).set_stage(version, stage)
        stubber.assert_no_pending_responses()
    return staged
