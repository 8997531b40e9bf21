from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from runtime.registry.base import (
    APPROVAL_STATUSES,
    STAGES,
    InvalidTransition,
    ModelVersion,
    VersionNotFound,
    check_stage,
    check_status,
    iso_utc,
)


@pytest.mark.parametrize("status", APPROVAL_STATUSES)
def test_known_statuses_pass(status: str) -> None:
    assert check_status(status) == status


@pytest.mark.parametrize("stage", STAGES)
def test_known_stages_pass(stage: str) -> None:
    assert check_stage(stage) == stage


def test_unknown_values_name_the_allowed_ones() -> None:
    with pytest.raises(InvalidTransition, match="PendingManualApproval, Approved, Rejected"):
        check_status("approved")
    with pytest.raises(InvalidTransition, match="None, Staging, Production, Archived"):
        check_stage("production")


def test_iso_utc_converts_to_utc_with_z() -> None:
    paris_noon = datetime(2025, 6, 1, 12, 0, 30, 999, tzinfo=timezone(timedelta(hours=2)))

    assert iso_utc(paris_noon) == "2025-06-01T10:00:30Z"
    assert iso_utc().endswith("Z")
    assert datetime.fromisoformat(iso_utc()) <= datetime.now(UTC)


def test_not_found_message_points_to_the_listing() -> None:
    error = VersionNotFound("mlpipe-titanic", 7)

    assert "'mlpipe-titanic' has no version 7" in str(error)
    assert "mlpipe models list" in str(error)


def test_to_json_is_a_copy() -> None:
    version = ModelVersion(
        group="g", version=1, status="Approved", stage="None", created="2025-01-01T00:00:00Z",
        metrics={"accuracy": 0.8}, parameters={}, artifact_uri="s3://b/k", sha256="00",
        input_schema={"properties": {"Age": {}}}, output_schema={},
    )  # fmt: skip

    document = version.to_json()
    document["input_schema"]["properties"].clear()

    assert version.input_schema == {"properties": {"Age": {}}}
