"""State shared by the steps of one execution: backends, parameter values, finished steps' properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.engine.params import ParameterValue

if TYPE_CHECKING:
    from pipeline.engine.cache import StepCache
    from runtime.registry.base import ModelRegistry, ModelVersion
    from runtime.store.base import ArtifactStore


@dataclass(kw_only=True)
class RunContext:
    """One pipeline execution; `properties` grows as steps finish (what `Get: Steps.X...` reads)."""

    store: ArtifactStore
    registry: ModelRegistry
    execution_id: str
    pipeline_name: str
    run_dir: Path
    parameters: dict[str, ParameterValue]
    definitions: dict[str, dict[str, Any]]
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    registered: list[ModelVersion] = field(default_factory=list)
    cache: StepCache | None = None  # None: steps never reuse earlier outputs nor record theirs

    def step_dir(self, step: str) -> Path:
        """The step's work folder (stands for the container's /opt/ml), created on first use."""
        path = self.run_dir / "steps" / step
        path.mkdir(parents=True, exist_ok=True)
        return path

    def log_path(self, step: str) -> Path:
        """Where the step's captured stdout and stderr go."""
        path = self.run_dir / "logs" / f"{step}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def job_name(self, step: str) -> str:
        """A SageMaker-like job name, unique per execution and step."""
        return f"pipelines-{self.execution_id}-{step}"
