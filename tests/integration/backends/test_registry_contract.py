"""One contract, two registries: SQLite, and SageMaker on moto (with a Stubber where moto falls short)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from runtime.registry.base import (
    APPROVAL_STATUSES,
    InvalidTransition,
    ModelRegistry,
    ModelVersion,
    Registration,
    VersionNotFound,
)

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["Pclass", "Sex"],
    # Enough columns that the SageMaker side has to split the schema over several entries.
    "properties": {f"Feature{index:02d}": {"type": ["number", "null"]} for index in range(40)},
}


def registration(number: int = 1, **overrides: Any) -> Registration:
    fields: dict[str, Any] = {
        "artifact_uri": f"s3://mlpipe-contract-artifacts/runs/run-{number}/model.tar.gz",
        "sha256": f"{number:064x}",
        "metrics": {"accuracy": 0.8 + number / 100, "roc_auc": 0.87},
        "parameters": {"max_depth": "4", "eta": "0.05"},
        "input_schema": INPUT_SCHEMA,
        "output_schema": {"type": "object", "properties": {"probability": {"type": "number"}}},
        "training_data_sha256": f"{number + 100:064x}",
        "code_version": {
            "training": f"s3://cdk-assets/{number:064x}.tar.gz",
            "processing": f"s3://cdk-assets/{number + 1:064x}.tar.gz",
        },
        "report_uri": f"s3://mlpipe-contract-artifacts/runs/run-{number}/evaluate/report/index.html",
    }
    return Registration(**{**fields, **overrides})


def test_register_numbers_versions_from_one(registry: ModelRegistry) -> None:
    first = registry.register_version(registration(1))
    second = registry.register_version(registration(2))

    assert (first.version, second.version) == (1, 2)
    assert (first.status, first.stage) == ("PendingManualApproval", "None")


def test_get_returns_everything_registered(registry: ModelRegistry) -> None:
    registry.register_version(registration(1))
    registered = registration(2)
    registry.register_version(registered)

    version = registry.get_version(2)

    assert version.artifact_uri == registered.artifact_uri
    assert version.sha256 == registered.sha256
    assert version.metrics == pytest.approx(registered.metrics)
    assert version.parameters == registered.parameters
    assert version.input_schema == INPUT_SCHEMA
    assert list(version.input_schema["properties"]) == list(INPUT_SCHEMA["properties"])  # order kept
    assert version.output_schema == registered.output_schema
    assert version.training_data_sha256 == registered.training_data_sha256
    assert version.code_version == registered.code_version
    assert version.report_uri == registered.report_uri


def test_list_is_ascending_and_complete(registry: ModelRegistry) -> None:
    for number in (1, 2, 3):
        registry.register_version(registration(number))

    listed = registry.list_versions()

    assert [version.version for version in listed] == [1, 2, 3]
    assert [version.sha256 for version in listed] == [registration(n).sha256 for n in (1, 2, 3)]


def test_empty_group_lists_nothing_and_has_no_approved(registry: ModelRegistry) -> None:
    assert registry.list_versions() == []
    assert registry.latest_approved() is None


def test_approve_then_reject(registry: ModelRegistry) -> None:
    registry.register_version(registration(1))

    approved = registry.set_status(1, "Approved")
    assert approved.status == "Approved"
    assert registry.get_version(1).status == "Approved"

    rejected = registry.set_status(1, "Rejected")
    assert rejected.status == registry.get_version(1).status == "Rejected"


def test_status_change_keeps_metadata(registry: ModelRegistry) -> None:
    # moto wipes CustomerMetadataProperties on an update that does not re-send them.
    registry.register_version(registration(1))

    approved = registry.set_status(1, "Approved")

    assert approved.sha256 == registration(1).sha256
    assert approved.input_schema == INPUT_SCHEMA
    assert approved.parameters == registration(1).parameters
    assert approved.report_uri == registration(1).report_uri


def test_latest_approved_ignores_rejected_and_pending(registry: ModelRegistry) -> None:
    for number in (1, 2, 3, 4):
        registry.register_version(registration(number))
    registry.set_status(1, "Approved")
    registry.set_status(2, "Approved")
    registry.set_status(3, "Rejected")  # 4 stays PendingManualApproval

    latest = registry.latest_approved()

    assert latest is not None
    assert latest.version == 2
    registry.set_status(2, "Rejected")  # rolling back falls back to the previous approved version
    assert (rolled_back := registry.latest_approved()) is not None
    assert rolled_back.version == 1


def test_register_with_a_status(registry: ModelRegistry) -> None:
    version = registry.register_version(registration(1, status="Approved"))

    assert version.status == "Approved"
    assert registry.latest_approved() == version


def test_stage_is_recorded(registry: ModelRegistry, set_stage: Callable[[int, str], ModelVersion]) -> None:
    registry.register_version(registration(1))

    staged = set_stage(1, "Production")

    assert staged.stage == "Production"
    assert staged.sha256 == registration(1).sha256


@pytest.mark.parametrize("version", [0, 3, 99])
def test_unknown_version_is_not_found(registry: ModelRegistry, version: int) -> None:
    registry.register_version(registration(1))
    registry.register_version(registration(2))

    with pytest.raises(VersionNotFound, match=f"no version {version}"):
        registry.get_version(version)
    with pytest.raises(VersionNotFound):
        registry.set_status(version, "Approved")


def test_invalid_status_lists_the_allowed_ones(registry: ModelRegistry) -> None:
    registry.register_version(registration(1))

    with pytest.raises(InvalidTransition) as raised:
        registry.set_status(1, "Deployed")

    assert all(status in str(raised.value) for status in APPROVAL_STATUSES)
    assert registry.get_version(1).status == "PendingManualApproval"


def test_invalid_stage_and_registration_status_are_refused(registry: ModelRegistry) -> None:
    registry.register_version(registration(1))

    with pytest.raises(InvalidTransition, match="Staging, Production, Archived"):
        registry.set_stage(1, "Live")
    with pytest.raises(InvalidTransition, match="approved"):
        registry.register_version(registration(2, status="approved"))
    assert [version.version for version in registry.list_versions()] == [1]


def test_to_json_shape(registry: ModelRegistry) -> None:
    document = registry.register_version(registration(1)).to_json()

    assert set(document) >= {"version", "status", "stage", "created", "metrics", "artifact_uri", "sha256"}
    assert set(document) == {
        *("version", "status", "stage", "created", "metrics", "artifact_uri", "sha256"),
        *("parameters", "input_schema", "output_schema", "group"),
        *("training_data_sha256", "code_version", "report_uri"),
    }
    assert document["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["created"])
    assert document["metrics"]["accuracy"] == pytest.approx(0.81)
