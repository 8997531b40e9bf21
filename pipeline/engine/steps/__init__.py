"""One executor per supported step type; each returns the step's properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.graph import PlannedStep
from pipeline.engine.steps.control import run_condition, run_fail
from pipeline.engine.steps.processing import run_processing
from pipeline.engine.steps.register import run_register
from pipeline.engine.steps.training import run_training

Executor = Callable[[PlannedStep, RunContext], dict[str, Any]]

EXECUTORS: dict[str, Executor] = {
    "Processing": run_processing,
    "Training": run_training,
    "Condition": run_condition,
    "RegisterModel": run_register,
    "Fail": run_fail,
}
