"""The cache key of a step, as SageMaker Pipelines forms it, plus the content of everything it reads.

SageMaker compares only these attributes of the job request (other fields, such as the output
locations, which hold the execution id, never cause a re-run); see "Default cache key attributes by
pipeline step type", https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-default-keys.html.
The local engine adds the SHA-256 of every object those attributes name (inputs, code bundle, champion
model): data and code keys are content-addressed already (pipeline/content_keys.py), the digests make
a stale hit impossible even for an object overwritten in place.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.graph import PlannedStep
from pipeline.engine.resolve import resolve
from runtime.hashing import sha256_bytes, sha256_chunks
from runtime.store.base import ArtifactStore

KEY_ATTRIBUTES = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": (
        "AlgorithmSpecification",
        "CheckpointConfig",
        "DebugHookConfig",
        "DebugRuleConfigurations",
        "Environment",
        "HyperParameters",
        "InputDataConfig",
    ),
}
# Also inside strings: a JSON-encoded hyperparameter ("\"s3://...\"") or a `--flag=s3://...` argument.
_S3_URI = re.compile(r"s3://[^\s\"',]+")


def key_arguments(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """The resolved request attributes SageMaker compares for this step type (all of them if unknown)."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    names = KEY_ATTRIBUTES.get(step.type)
    return arguments if names is None else {name: arguments.get(name) for name in names}


def object_digests(store: ArtifactStore, uri: str) -> dict[str, str]:
    """SHA-256 of the object at `uri`, or of every object under the prefix `uri` ({} when none)."""
    single = not uri.endswith("/") and store.exists(uri)
    found = [uri] if single else store.list_uris(uri.rstrip("/") + "/")
    return {item: sha256_chunks(store.iter_chunks(item)) for item in found}


def referenced_uris(value: Any) -> set[str]:
    """Every s3:// URI inside `value` (nested lists, objects and strings)."""
    if isinstance(value, dict):
        return set().union(*(referenced_uris(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(referenced_uris(item) for item in value))
    return set(_S3_URI.findall(value)) if isinstance(value, str) else set()


def cache_key(step: PlannedStep, context: RunContext) -> str:
    """SHA-256 over the pipeline, the step, its key attributes and the content of what they name."""
    arguments = key_arguments(step, context)
    contents: dict[str, str] = {}
    for uri in sorted(referenced_uris(arguments)):
        contents |= object_digests(context.store, uri)
    document = {
        "pipeline": context.pipeline_name,
        "step": step.name,
        "type": step.type,
        "arguments": arguments,
        "contents": contents,
    }
    return sha256_bytes(json.dumps(document, sort_keys=True, default=str).encode())
