"""Local engine: executes the SageMaker pipeline definition JSON on this machine, without Docker."""

from __future__ import annotations

from pipeline.engine.errors import EngineError, PipelineFailed, StepFailed
from pipeline.engine.progress import RichProgress, SilentProgress, StepRecord
from pipeline.engine.runner import RunResult, run_definition
from runtime.parameters import ParameterError

__all__ = [
    "EngineError",
    "ParameterError",
    "PipelineFailed",
    "RichProgress",
    "RunResult",
    "SilentProgress",
    "StepFailed",
    "StepRecord",
    "run_definition",
]
