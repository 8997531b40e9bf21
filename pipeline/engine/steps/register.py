"""RegisterModel step: record the trained model, its metrics and digest in the model registry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep
from pipeline.engine.paths import lookup
from pipeline.engine.resolve import as_text, resolve
from runtime.features.archive import ArchiveError, read_model_archive
from runtime.registry.base import Registration

ARGUMENTS = "the register step's arguments"


def metrics_from_statistics(statistics: dict[str, Any]) -> dict[str, float]:
    """Flatten SageMaker model-quality JSON (`{"..._metrics": {"accuracy": {"value": 0.8}}}`) to numbers."""
    metrics: dict[str, float] = {}
    for section, entries in statistics.items():
        if not section.endswith("_metrics") or not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            value = entry.get("value") if isinstance(entry, dict) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics[name] = float(value)
    return metrics


def _statistics(arguments: dict[str, Any], context: RunContext) -> dict[str, Any]:
    uri = lookup(arguments, "ModelMetrics.ModelQuality.Statistics.S3Uri", where=ARGUMENTS)
    return dict(json.loads(context.store.get_bytes(uri)))


def _checked_digest(
    archive: bytes, model_uri: str, arguments: dict[str, Any], statistics: dict[str, Any]
) -> str:
    """The artifact's SHA-256, after checking it is the model that was evaluated."""
    sha256 = hashlib.sha256(archive).hexdigest()
    evaluated = arguments.get("CustomerMetadataProperties", {}).get("sha256")
    evaluated = evaluated or statistics.get("artifact", {}).get("sha256")
    if evaluated and evaluated != sha256:
        raise EngineError(
            f"the evaluated model (sha256 {evaluated}) is not the artifact {model_uri} "
            f"(sha256 {sha256}); re-run the pipeline"
        )
    return sha256


def _metadata(archive: bytes, model_uri: str) -> dict[str, Any]:
    try:
        return read_model_archive(archive).metadata
    except ArchiveError as error:
        raise EngineError(f"cannot register {model_uri}: {error}") from error


def run_register(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Register a version with status ModelApprovalStatus; returns ModelPackageArn/Version properties."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    model_uri = lookup(arguments, "InferenceSpecification.Containers[0].ModelDataUrl", where=ARGUMENTS)
    archive = context.store.get_bytes(model_uri)
    statistics = _statistics(arguments, context)
    metadata = _metadata(archive, model_uri)
    registration = Registration(
        artifact_uri=model_uri,
        sha256=_checked_digest(archive, model_uri, arguments, statistics),
        metrics=metrics_from_statistics(statistics),
        parameters={name: as_text(value) for name, value in context.parameters.items()},
        input_schema=metadata.get("input_schema", {}),
        output_schema=metadata.get("output_schema", {}),
        status=as_text(arguments.get("ModelApprovalStatus", "PendingManualApproval")),
    )
    version = context.registry.register_version(registration)
    context.registered.append(version)
    return {
        **arguments,
        "ModelPackageArn": f"local:model-package/{version.group}/{version.version}",
        "ModelPackageVersion": version.version,
    }
