"""The model registry interface shared by the SQLite (local) and SageMaker (AWS) registries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")
STAGES = ("None", "Staging", "Production", "Archived")


class RegistryError(Exception):
    """A model registry operation failed; the message names the problem and the fix."""


class VersionNotFound(RegistryError):
    """The group has no such version."""

    def __init__(self, group: str, version: int) -> None:
        super().__init__(
            f"model package group {group!r} has no version {version}; "
            "list the versions with `mlpipe models list`"
        )
        self.group = group
        self.version = version


class InvalidTransition(RegistryError):
    """An approval status or stage that the registry does not know."""


@dataclass(frozen=True, kw_only=True)
class ModelVersion:
    """One registered model version, as both registries report it."""

    group: str
    version: int
    status: str
    stage: str
    created: str  # ISO 8601 UTC, e.g. 2025-01-31T12:00:00Z
    metrics: dict[str, float]
    parameters: dict[str, str]
    artifact_uri: str
    sha256: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    training_data_sha256: str = ""  # of the raw input file the run was given, not of a split
    code_version: dict[str, str] = field(default_factory=dict)  # code bundle -> its s3:// URI
    report_uri: str = ""  # the Evaluate step's HTML report

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape of `mlpipe models list --json` entries)."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class Registration:
    """What the pipeline's register step hands over."""

    artifact_uri: str
    sha256: str
    metrics: dict[str, float]
    parameters: dict[str, str]
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    training_data_sha256: str = ""
    code_version: dict[str, str] = field(default_factory=dict)
    report_uri: str = ""
    status: str = "PendingManualApproval"


class ModelRegistry(Protocol):
    """Versions of one model package group: register, list, approve/reject, stage."""

    def register_version(self, registration: Registration) -> ModelVersion: ...
    def list_versions(self) -> list[ModelVersion]: ...
    def get_version(self, version: int) -> ModelVersion: ...
    def set_status(self, version: int, status: str) -> ModelVersion: ...
    def set_stage(self, version: int, stage: str) -> ModelVersion: ...
    def latest_approved(self) -> ModelVersion | None: ...


def check_status(status: str) -> str:
    """`status` if it is an approval status, else InvalidTransition naming the allowed ones."""
    if status not in APPROVAL_STATUSES:
        allowed = ", ".join(APPROVAL_STATUSES)
        raise InvalidTransition(f"unknown approval status {status!r}; use one of {allowed}")
    return status


def check_stage(stage: str) -> str:
    """`stage` if it is a lifecycle stage, else InvalidTransition naming the allowed ones."""
    if stage not in STAGES:
        raise InvalidTransition(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    return stage


def iso_utc(moment: datetime | None = None) -> str:
    """`moment` (default: now) as ISO 8601 UTC with a Z suffix, to the second."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, kw_only=True)
class LivePointer:
    """What serving answers with: `live`, and during a canary `candidate` for `weight` percent."""

    live: int | None
    candidate: int | None = None
    weight: int = 0
    step: int = 0  # index of the canary step (promoter/rollout.py)
    since: str = ""  # ISO 8601 time the step began
    plan: str = ""  # the canary's steps, "10:5,50:5" (promoter/rollout.py parse_plan); "" outside one


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """One deployment-history entry: a change of what is live (`mlpipe models history`)."""

    group: str
    at: str
    actor: str
    action: str  # promote | canary | rollback
    from_version: int | None
    to_version: int | None
    weight: int
    step: int
    outcome: str  # live | canary | rolled back | superseded
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class DeploymentChange:
    """What one deployment decision writes, in one transaction: approval statuses, pointer, history."""

    statuses: tuple[tuple[int, str], ...] = ()  # (version, approval status), applied in order
    pointer: LivePointer | None = None  # None: unchanged
    records: tuple[Deployment, ...] = ()
