"""RegisterModel step: record the facts of the CreateModelPackage request in the local model registry."""

from __future__ import annotations

from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep
from pipeline.engine.paths import lookup
from pipeline.engine.resolve import as_text, resolve
from runtime.hashing import sha256_bytes
from runtime.model_quality import read_metrics
from runtime.registry.base import Registration
from runtime.registry.model_package import read_facts

ARGUMENTS = "the register step's arguments"


def _checked_digest(archive: bytes, model_uri: str, evaluated: str) -> str:
    """The artifact's SHA-256, after checking it is the model that was evaluated."""
    sha256 = sha256_bytes(archive)
    if evaluated and evaluated != sha256:
        raise EngineError(
            f"the evaluated model (sha256 {evaluated}) is not the artifact {model_uri} "
            f"(sha256 {sha256}); re-run the pipeline"
        )
    return sha256


def _facts(arguments: dict[str, Any], context: RunContext) -> dict[str, Any]:
    """The facts as the SageMaker registry reads them from DescribeModelPackage: one format, one reader."""

    def metrics_at(uri: str) -> dict[str, float]:
        return read_metrics(context.store.get_bytes(uri), uri)

    try:
        return read_facts(arguments, metrics_at)
    except ValueError as error:
        raise EngineError(f"the register step's arguments hold unreadable facts: {error}") from error


def run_register(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Register a version with status ModelApprovalStatus; returns ModelPackageArn/Version properties."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    model_uri = lookup(arguments, "InferenceSpecification.Containers[0].ModelDataUrl", where=ARGUMENTS)
    facts = _facts(arguments, context)
    archive = context.store.get_bytes(model_uri)
    facts["sha256"] = _checked_digest(archive, model_uri, facts["sha256"])
    status = as_text(arguments.get("ModelApprovalStatus", "PendingManualApproval"))
    registration = Registration(**facts, status=status)
    version = context.registry.register_version(registration)
    context.registered.append(version)
    return {
        **arguments,
        "ModelPackageArn": f"local:model-package/{version.group}/{version.version}",
        "ModelPackageVersion": version.version,
    }
