"""The AWS model registry: versions of a SageMaker Model Package Group, through an injected boto3 client."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from runtime.registry.base import (
    ModelVersion,
    Registration,
    RegistryError,
    VersionNotFound,
    check_stage,
    check_status,
    iso_utc,
)
from runtime.registry.model_package import read_facts
from runtime.registry.sagemaker_metrics import MetricsReader
from runtime.store.base import ArtifactStore

# ModelLifeCycle needs a StageStatus; a stage set through this registry is a decision already taken.
STAGE_STATUS = "Approved"
_NOT_FOUND_HINTS = ("not found", "does not exist")


class SageMakerModelRegistry:
    """Model versions of one SageMaker Model Package Group; metrics are read through the artifact store.

    The facts of a version are read as `runtime.registry.model_package` lays them out, the format the
    pipeline's Register step writes (pipeline/definition/register.py).
    """

    def __init__(self, group: str, client: Any, *, store: ArtifactStore | None = None) -> None:
        self.group = group
        self.client = client
        self._metrics = MetricsReader(store, region=client.meta.region_name)
        self._arn_prefix = ""

    def register_version(self, registration: Registration) -> ModelVersion:
        """Refused: on AWS, versions come from the pipeline's Register step (definition/register.py)."""
        raise RegistryError(
            f"cannot register {registration.artifact_uri} in model package group {self.group!r} directly: "
            "on AWS a version is registered by the pipeline's Register step; run `mlpipe run --backend aws`"
        )

    def list_versions(self) -> list[ModelVersion]:
        return [self._to_version(self._describe(arn)) for _, arn in sorted(self._summaries())]

    def get_version(self, version: int) -> ModelVersion:
        return self._to_version(self._describe(self._arn(version), version))

    def set_status(
        self, version: int, status: str, *, reason: str = "", metadata: Mapping[str, str] | None = None
    ) -> ModelVersion:
        """`reason` goes to ApprovalDescription (rollbacks: the promoter records it in the history);
        `metadata` is added to CustomerMetadataProperties in the same call (`approve --force` marks the
        accepted schema change there, promoter/schema_guard.py, so the promoter sees both at once)."""
        description = {"ApprovalDescription": reason} if reason else {}
        extra = {"CustomerMetadataProperties": dict(metadata)} if metadata else {}
        return self._update(version, ModelApprovalStatus=check_status(status), **description, **extra)

    def set_stage(self, version: int, stage: str) -> ModelVersion:
        life_cycle = {"Stage": check_stage(stage), "StageStatus": STAGE_STATUS}
        return self._update(version, ModelLifeCycle=life_cycle)

    def latest_approved(self) -> ModelVersion | None:
        approved = sorted(self._summaries(ModelApprovalStatus="Approved"))
        return self._to_version(self._describe(approved[-1][1])) if approved else None

    def _update(self, version: int, **change: Any) -> ModelVersion:
        arn = self._arn(version)
        current = self._describe(arn, version).get("CustomerMetadataProperties") or {}
        properties = {**current, **change.get("CustomerMetadataProperties", {})}
        # moto replaces CustomerMetadataProperties with what an update carries (nothing = wiped);
        # SageMaker merges them. Re-sending the current ones keeps sha256 and schema in both.
        if properties:
            change["CustomerMetadataProperties"] = properties
        with self._aws_errors(f"update version {version} in"):
            self.client.update_model_package(ModelPackageArn=arn, **change)
        return self._to_version(self._describe(arn, version))

    def _summaries(self, **filters: str) -> list[tuple[int, str]]:
        """(version, ARN) of the group's model packages, optionally filtered (e.g. by approval status)."""
        paginator = self.client.get_paginator("list_model_packages")
        with self._aws_errors("list the versions of"):
            pages = list(paginator.paginate(ModelPackageGroupName=self.group, **filters))
        summaries = (item for page in pages for item in page.get("ModelPackageSummaryList", []))
        return [(int(item["ModelPackageVersion"]), item["ModelPackageArn"]) for item in summaries]

    def _arn(self, version: int) -> str:
        """arn:<partition>:sagemaker:<region>:<account>:model-package/<group, lower case>/<version>."""
        if not self._arn_prefix:
            with self._aws_errors("describe"):
                group_arn = self.client.describe_model_package_group(ModelPackageGroupName=self.group)
            self._arn_prefix = group_arn["ModelPackageGroupArn"].split(":model-package-group/")[0]
        # SageMaker lower-cases resource names inside ARNs.
        return f"{self._arn_prefix}:model-package/{self.group.lower()}/{version}"

    def _describe(self, arn: str, version: int | None = None) -> dict[str, Any]:
        from botocore.exceptions import ClientError  # noqa: PLC0415 - botocore loads only on AWS

        try:
            description: dict[str, Any] = self.client.describe_model_package(ModelPackageName=arn)
        except ClientError as error:
            message = str(error).lower()
            if version is not None and any(hint in message for hint in _NOT_FOUND_HINTS):
                raise VersionNotFound(self.group, version) from error
            raise self._error("describe a version of", error) from error
        return description

    def _to_version(self, description: dict[str, Any]) -> ModelVersion:
        try:
            facts = read_facts(description, self._metrics.read)
        except ValueError as error:
            message = f"model package {description.get('ModelPackageArn')} holds unreadable facts: {error}"
            raise RegistryError(message) from error
        return ModelVersion(
            group=self.group,
            version=int(description["ModelPackageVersion"]),
            status=description.get("ModelApprovalStatus") or "PendingManualApproval",
            stage=description.get("ModelLifeCycle", {}).get("Stage", "None"),
            created=iso_utc(description["CreationTime"]),
            **facts,
        )

    @contextmanager
    def _aws_errors(self, action: str) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - see _describe

        try:
            yield
        except (ClientError, BotoCoreError) as error:
            raise self._error(action, error) from error

    def _error(self, action: str, error: Exception) -> RegistryError:
        return RegistryError(
            f"could not {action} model package group {self.group!r}: {error}; check that the group exists "
            "(cdk deploy creates it), MODEL_PACKAGE_GROUP, the AWS region and credentials"
        )
