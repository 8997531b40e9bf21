"""Step caching with SageMaker Pipelines' semantics, for the local engine.

A step whose definition has `CacheConfig.Enabled` reuses the outputs (the properties) of the latest
successful run with the same cache key (cache_key.py) that is younger than `ExpireAfter`, instead of
running again ("Turn on step caching",
https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-caching-enabling.html). The index is one
JSON file per key under `$MLPIPE_HOME/cache/steps/`, written atomically, so concurrent runs never see
half an entry. An entry also holds the SHA-256 of each output object: a hit whose outputs were deleted
or changed since (`mlpipe runs clean`, a hand edit) is a miss, never stale data.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pipeline.engine.cache_key import cache_key, object_digests
from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep

CACHE_FOLDER = ("cache", "steps")
# ISO 8601 durations as the SageMaker SDK documents ExpireAfter: "P30D", "P4DT12H", "T12H", "p30d".
_DURATION = re.compile(
    r"^P?(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE
)
_UNIT_SECONDS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)

Executor = Callable[[PlannedStep, RunContext], dict[str, Any]]


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration ("P30D") as a timedelta; a year is 365 days, a month 30."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        raise EngineError(f"CacheConfig.ExpireAfter {text!r} is not an ISO 8601 duration; e.g. P30D, PT12H")
    return timedelta(seconds=sum(int(n or 0) * s for n, s in zip(match.groups(), _UNIT_SECONDS, strict=True)))


def output_uris(properties: dict[str, Any]) -> list[str]:
    """The locations a finished Processing or Training step wrote to."""
    outputs = properties.get("ProcessingOutputConfig", {}).get("Outputs", [])
    uris = [output["S3Output"]["S3Uri"] for output in outputs]
    model = properties.get("ModelArtifacts", {}).get("S3ModelArtifacts")
    return uris + ([model] if model else [])


class StepCache:
    """The cache index of one state folder; `reuse=False` (`--no-cache`) still records every run."""

    def __init__(self, home: Path, *, reuse: bool = True) -> None:
        self.folder = home.joinpath(*CACHE_FOLDER)
        self.reuse = reuse

    def find(self, key: str, max_age: timedelta | None, context: RunContext) -> dict[str, Any] | None:
        """The entry for `key` if younger than `max_age` (None: any age) with unchanged outputs, else None."""
        path = self.folder / f"{key}.json"
        if not self.reuse or not path.is_file():
            return None
        try:
            entry: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # an unreadable entry is a miss; the run overwrites it
        if max_age is not None and time.time() - float(entry.get("created", 0)) > max_age.total_seconds():
            return None
        current: dict[str, str] = {}
        for uri in output_uris(entry["properties"]):
            current |= object_digests(context.store, uri)
        return entry if current and current == entry.get("outputs") else None

    def save(self, key: str, step: PlannedStep, context: RunContext, properties: dict[str, Any]) -> None:
        """Record a successful run of `step` as the latest for `key` (atomic replace)."""
        outputs: dict[str, str] = {}
        for uri in output_uris(properties):
            outputs |= object_digests(context.store, uri)
        entry = {
            "step": step.name,
            "execution_id": context.execution_id,
            "created": time.time(),
            "properties": properties,
            "outputs": outputs,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{key}.{os.getpid()}.partial"
        partial.write_text(json.dumps(entry, indent=1, default=str) + "\n")
        os.replace(partial, self.folder / f"{key}.json")


def run_or_reuse(step: PlannedStep, context: RunContext, execute: Executor) -> str:
    """Run `step`, or reuse a cached run of it; returns the execution id reused ("" when it ran)."""
    config = step.definition.get("CacheConfig", {})
    cache = context.cache
    if cache is None or not config.get("Enabled"):
        context.properties[step.name] = execute(step, context)
        return ""
    key = cache_key(step, context)
    expire_after = config.get("ExpireAfter")
    hit = cache.find(key, parse_duration(str(expire_after)) if expire_after else None, context)
    if hit is not None:
        context.properties[step.name] = hit["properties"]
        context.log_path(step.name).write_text(
            f"cache hit: reused the outputs of execution {hit['execution_id']} (key {key})\n"
        )
        return str(hit["execution_id"])
    properties = execute(step, context)
    context.properties[step.name] = properties
    cache.save(key, step, context, properties)
    return ""
