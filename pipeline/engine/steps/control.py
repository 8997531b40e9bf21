"""Control-flow steps: Condition (choose a branch) and Fail (stop with a message)."""

from __future__ import annotations

from typing import Any

from pipeline.engine.conditions import evaluate_all
from pipeline.engine.context import RunContext
from pipeline.engine.errors import PipelineFailed
from pipeline.engine.graph import PlannedStep
from pipeline.engine.resolve import as_text, resolve


def run_condition(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Evaluate the conditions; the runner then runs the IfSteps or the ElseSteps."""
    conditions = step.definition.get("Arguments", {}).get("Conditions", [])
    outcome = evaluate_all(conditions, lambda value: resolve(value, context))
    return {"Outcome": outcome}


def run_fail(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Stop the execution with the step's resolved ErrorMessage."""
    message = as_text(resolve(step.definition.get("Arguments", {}).get("ErrorMessage", ""), context))
    raise PipelineFailed(step.name, message or f"the pipeline reached Fail step {step.name}")
