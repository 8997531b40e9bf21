"""Processing step: download inputs, run the container command with /opt/ml remapped, upload outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep
from pipeline.engine.process import python3_shim, run_logged, step_environment
from pipeline.engine.resolve import as_text, resolve
from pipeline.engine.transfer import download_input, upload_folder

CONTAINER_ROOT = "/opt/ml/"


def local_path(container_path: str, work: Path) -> Path:
    """Where a container path under /opt/ml/ lives in the step's work folder."""
    if not container_path.startswith(CONTAINER_ROOT):
        raise EngineError(
            f"container path {container_path!r} is outside {CONTAINER_ROOT}; "
            "the local engine maps only /opt/ml/ into the work folder"
        )
    return work / container_path.removeprefix(CONTAINER_ROOT)


def command_line(app: dict[str, Any]) -> list[str]:
    """Entrypoint + arguments with /opt/ml/ made relative to the work folder (the subprocess's cwd).

    Relative, not absolute: the paths may sit inside a `/bin/sh -c` string, where a work folder with
    spaces in its path would split.
    """
    command = [
        as_text(part) for part in [*app.get("ContainerEntrypoint", []), *app.get("ContainerArguments", [])]
    ]
    if not command:
        raise EngineError("AppSpecification has no ContainerEntrypoint or ContainerArguments to run")
    return [part.replace(CONTAINER_ROOT, "./") for part in command]


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


def run_processing(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Execute a Processing step; returns its properties (the resolved arguments plus the job name)."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    work = context.step_dir(step.name)
    _download_inputs(step, arguments, context, work)
    outputs = [item["S3Output"] for item in arguments.get("ProcessingOutputConfig", {}).get("Outputs", [])]
    for output in outputs:
        local_path(output["LocalPath"], work).mkdir(parents=True, exist_ok=True)
    environment = {k: as_text(v) for k, v in arguments.get("Environment", {}).items()}
    env = step_environment(python3_shim(context.run_dir / "bin"), environment)
    command = command_line(arguments.get("AppSpecification", {}))
    run_logged(command, step=step.name, log_path=context.log_path(step.name), env=env, cwd=work)
    for output in outputs:
        upload_folder(context.store, local_path(output["LocalPath"], work), output["S3Uri"])
    job = context.job_name(step.name)
    return {**arguments, "ProcessingJobName": job, "ProcessingJobStatus": "Completed"}
