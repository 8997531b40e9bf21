"""Execute a pipeline definition: validate parameters and steps, run steps in dependency order."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _execute(step: PlannedStep, context: RunContext) -> None:
    """Run one step; unexpected errors become StepFailed naming the step."""
    try:
        context.properties[step.name] = EXECUTORS[step.type](step, context)
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
) -> RunResult:
    """Run every step of `definition`; raises StepFailed, PipelineFailed or EngineError on failure.

    Parameters and step types are checked before the first step starts, so a typo runs nothing.
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
    )
    result = RunResult(
        execution_id=execution_id, run_dir=run_dir, parameters=parameters, registered=context.registered
    )
    try:
        _run_steps(plan, context, result, progress or SilentProgress())
    finally:
        _write_summary(result)
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
        status = "failed"
        try:
            _execute(step, context)
            status = "succeeded"
        finally:
            record = StepRecord(
                name=step.name, type=step.type, status=status, seconds=time.perf_counter() - started
            )
            _record(result, progress, record)


def _record(result: RunResult, progress: Progress, record: StepRecord) -> None:
    result.steps.append(record)
    progress.finished(record)


def _write_summary(result: RunResult) -> None:
    """run.json in the run folder: steps, parameters and registered versions, for later inspection.

    Best effort: on a full disk the run's own outcome (a step's error, or the registered version) is
    what the user must see, not an ENOSPC from this bookkeeping file.
    """
    summary = {
        "execution_id": result.execution_id,
        "parameters": result.parameters,
        "steps": [asdict(step) for step in result.steps],
        "registered": [version.version for version in result.registered],
    }
    try:
        result.run_dir.mkdir(parents=True, exist_ok=True)
        (result.run_dir / "run.json").write_text(json.dumps(summary, indent=2) + "\n")
    except OSError as error:
        _LOGGER.warning("run summary %s not written: %s", result.run_dir / "run.json", error)
