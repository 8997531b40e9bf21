"""Execute a pipeline definition: validate parameters and steps, run steps in dependency order."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.engine.cache import StepCache, run_or_reuse
from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError, PipelineFailed, StepFailed
from pipeline.engine.graph import PlannedStep, plan_steps
from pipeline.engine.params import ParameterValue, resolve_parameters
from pipeline.engine.progress import Progress, SilentProgress, StepRecord
from pipeline.engine.steps import EXECUTORS

_LOGGER = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from runtime.registry.base import ModelRegistry, ModelVersion
    from runtime.store.base import ArtifactStore


@dataclass(kw_only=True)
class RunResult:
    """What an execution did: step records, parameter values, versions it registered."""

    execution_id: str
    run_dir: Path
    parameters: dict[str, ParameterValue]
    steps: list[StepRecord] = field(default_factory=list)
    registered: list[ModelVersion] = field(default_factory=list)
    started: str = field(default_factory=lambda: f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}")
    model_package_group: str = ""  # where the Register step registers, so a failed run names its model


def check_supported(plan: list[PlannedStep]) -> None:
    """Refuse a definition with a step type the engine cannot run, before any step starts."""
    for step in plan:
        if step.type not in EXECUTORS:
            raise EngineError(
                f"step {step.name} has type {step.type!r}, which the local engine does not "
                f"support; supported types: {', '.join(EXECUTORS)}"
            )


def _is_skipped(step: PlannedStep, context: RunContext, skipped: set[str]) -> bool:
    """Skipped when on the branch its condition did not take, or after a skipped step."""
    if step.depends_on & skipped:
        return True
    if step.branch is None:
        return False
    condition, outcome = step.branch
    return bool(context.properties[condition]["Outcome"]) != outcome


def _execute(step: PlannedStep, context: RunContext) -> str:
    """Run one step, or reuse its cached outputs (returns the execution id reused, "" when it ran);
    unexpected errors become StepFailed naming the step."""
    try:
        return run_or_reuse(step, context, EXECUTORS[step.type])
    except (EngineError, PipelineFailed):
        raise
    except Exception as error:
        raise StepFailed(step.name, f"{type(error).__name__}: {error}") from error


def run_definition(
    definition: dict[str, Any],
    *,
    store: ArtifactStore,
    registry: ModelRegistry,
    run_dir: Path,
    execution_id: str,
    overrides: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cache: StepCache | None = None,
) -> RunResult:
    """Run every step of `definition`; raises StepFailed, PipelineFailed or EngineError on failure.

    Parameters and step types are checked before the first step starts, so a typo runs nothing.
    With `cache`, steps whose CacheConfig is enabled reuse earlier outputs (pipeline/engine/cache.py).
    """
    parameters = resolve_parameters(definition.get("Parameters", []), overrides or {})
    plan = plan_steps(definition)
    check_supported(plan)
    context = RunContext(
        store=store,
        registry=registry,
        execution_id=execution_id,
        pipeline_name=str(definition.get("PipelineName", "local-pipeline")),
        run_dir=run_dir,
        parameters=parameters,
        definitions={step.name: step.definition for step in plan},
        cache=cache,
    )
    result = RunResult(
        execution_id=execution_id,
        run_dir=run_dir,
        parameters=parameters,
        registered=context.registered,
        model_package_group=_registered_group(plan),
    )
    # Written before the first step and after each one, so `mlpipe ui` and `mlpipe runs` see a run in
    # progress (and its pid, so `runs clean` never deletes it) and a killed run as interrupted.
    _write_summary(result, "running")
    outcome = "failed"
    try:
        _run_steps(plan, context, result, progress or SilentProgress())
        outcome = "succeeded"
    finally:
        _write_summary(result, outcome)
    return result


def _run_steps(plan: list[PlannedStep], context: RunContext, result: RunResult, progress: Progress) -> None:
    """Steps one after another in plan order; stops at the first failure."""
    skipped: set[str] = set()
    for step in plan:
        if _is_skipped(step, context, skipped):
            skipped.add(step.name)
            _record(result, progress, StepRecord(name=step.name, type=step.type, status="skipped", seconds=0))
            continue
        progress.started(step.name, step.type)
        started = time.perf_counter()
        status, cached_from = "failed", ""
        try:
            cached_from = _execute(step, context)
            status = "succeeded"
        finally:
            seconds = time.perf_counter() - started
            record = StepRecord(
                name=step.name, type=step.type, status=status, seconds=seconds, cached_from=cached_from
            )
            _record(result, progress, record)


def _registered_group(plan: list[PlannedStep]) -> str:
    """The model package group of the definition's RegisterModel step ("" when it has none)."""
    for step in plan:
        if step.type == "RegisterModel":
            return str(step.definition.get("Arguments", {}).get("ModelPackageGroupName", ""))
    return ""


def _record(result: RunResult, progress: Progress, record: StepRecord) -> None:
    result.steps.append(record)
    progress.finished(record)
    _write_summary(result, "running")


def _write_summary(result: RunResult, status: str) -> None:
    """run.json in the run folder: steps, parameters and registered versions, for later inspection.

    Best effort: on a full disk the run's own outcome (a step's error, or the registered version) is
    what the user must see, not an ENOSPC from this bookkeeping file.
    """
    summary = {
        "execution_id": result.execution_id,
        "status": status,  # running | succeeded | failed
        "pid": os.getpid(),
        "started": result.started,
        "model_package_group": result.model_package_group,
        "parameters": result.parameters,
        "steps": [asdict(step) for step in result.steps],
        "registered": [version.version for version in result.registered],
    }
    try:
        result.run_dir.mkdir(parents=True, exist_ok=True)
        # Atomic, so a reader polling a running pipeline never sees half a file.
        partial = result.run_dir / "run.json.partial"
        partial.write_text(json.dumps(summary, indent=2) + "\n")
        os.replace(partial, result.run_dir / "run.json")
    except OSError as error:
        _LOGGER.warning("run summary %s not written: %s", result.run_dir / "run.json", error)
