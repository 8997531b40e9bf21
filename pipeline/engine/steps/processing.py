"""Processing step: download inputs, run the container command with /opt/ml remapped, upload outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep
from pipeline.engine.process import python3_shim, run_logged, step_environment
from pipeline.engine.resolve import as_text, resolve
from pipeline.engine.transfer import download_input, upload_folder
from runtime.store.local import LocalArtifactStore

CONTAINER_ROOT = "/opt/ml/"
# Pipeline functions whose value comes from outside the definition (parameters, step properties).
REFERENCES = frozenset({"Get", "Std:JsonGet"})


def local_path(container_path: str, work: Path) -> Path:
    """Where a container path under /opt/ml/ lives in the step's work folder."""
    if not container_path.startswith(CONTAINER_ROOT):
        raise EngineError(
            f"container path {container_path!r} is outside {CONTAINER_ROOT}; "
            "the local engine maps only /opt/ml/ into the work folder"
        )
    return work / container_path.removeprefix(CONTAINER_ROOT)


def command_line(app: dict[str, Any], resolve_value: Callable[[Any], Any] = lambda node: node) -> list[str]:
    """Entrypoint + arguments with /opt/ml/ made relative to the work folder (the subprocess's cwd).

    Relative, not absolute: the paths may sit inside a `/bin/sh -c` string, where a work folder with
    spaces in its path would split. Only the definition's own strings are rewritten, before
    `resolve_value` fills in parameters and properties: a parameter value holding /opt/ml/ is the
    user's text and reaches the script unchanged.
    """
    parts = [*app.get("ContainerEntrypoint", []), *app.get("ContainerArguments", [])]
    command = [as_text(resolve_value(container_literals(part))) for part in parts]
    if not command:
        raise EngineError("AppSpecification has no ContainerEntrypoint or ContainerArguments to run")
    return command


def container_literals(node: Any) -> Any:
    """`node` with /opt/ml/ remapped in its literal strings, not inside references ({"Get": ...})."""
    if isinstance(node, str):
        return node.replace(CONTAINER_ROOT, "./")
    if isinstance(node, list):
        return [container_literals(item) for item in node]
    if isinstance(node, dict) and not REFERENCES.intersection(node):
        return {key: container_literals(value) for key, value in node.items()}
    return node


def _download_inputs(step: PlannedStep, arguments: dict[str, Any], context: RunContext, work: Path) -> None:
    for item in arguments.get("ProcessingInputs", []):
        source = item.get("S3Input")
        if source is None:
            raise EngineError(
                f"step {step.name}: input {item.get('InputName')} is not an S3Input; "
                "the local engine supports S3 inputs only"
            )
        destination = local_path(source["LocalPath"], work)
        download_input(
            context.store, source["S3Uri"], destination, data_type=source.get("S3DataType", "S3Prefix")
        )


def store_environment(context: RunContext) -> dict[str, str]:
    """Where this engine's "S3" is, for a step that reads an object by URI itself (Evaluate reads the
    champion's archive so: processing/report/champion.py); a SageMaker job uses its role instead."""
    if isinstance(context.store, LocalArtifactStore):
        return {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(context.store.root)}
    return {}


def run_processing(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Execute a Processing step; returns its properties (the resolved arguments plus the job name)."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    work = context.step_dir(step.name)
    _download_inputs(step, arguments, context, work)
    outputs = [item["S3Output"] for item in arguments.get("ProcessingOutputConfig", {}).get("Outputs", [])]
    for output in outputs:
        local_path(output["LocalPath"], work).mkdir(parents=True, exist_ok=True)
    environment = {k: as_text(v) for k, v in arguments.get("Environment", {}).items()}
    env = step_environment(python3_shim(context.run_dir / "bin"), environment | store_environment(context))
    app = step.definition.get("Arguments", {}).get("AppSpecification", {})
    command = command_line(app, lambda node: resolve(node, context))
    run_logged(command, step=step.name, log_path=context.log_path(step.name), env=env, cwd=work)
    for output in outputs:
        upload_folder(context.store, local_path(output["LocalPath"], work), output["S3Uri"])
    job = context.job_name(step.name)
    return {**arguments, "ProcessingJobName": job, "ProcessingJobStatus": "Completed"}
