"""Training step: emulate the SageMaker XGBoost container's script mode on this machine."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.graph import PlannedStep
from pipeline.engine.process import python3_shim, run_logged, step_environment
from pipeline.engine.resolve import as_text, resolve
from pipeline.engine.tarballs import pack_folder, safe_extract
from pipeline.engine.transfer import download_input

PROGRAM = "sagemaker_program"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"


def decode_hyperparameters(raw: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameters as the container's toolkit reads them (for sagemaker_program and
    sagemaker_submit_directory): JSON-decoded where they are JSON, else the text."""
    decoded = {}
    for key, value in raw.items():
        text = as_text(value)
        try:
            decoded[key] = json.loads(text)
        except json.JSONDecodeError:
            decoded[key] = text
    return decoded


def write_hyperparameters_file(config_dir: Path, raw: dict[str, Any]) -> Path:
    """input/config/hyperparameters.json: the request's HyperParameters as the strings sent, as SageMaker
    writes it (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html).

    The one way a script receives hyperparameters here: the container's `--name value` arguments and
    SM_HPS are JSON-decoded copies of this file, which training/train.py does not read.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "hyperparameters.json"
    path.write_text(json.dumps({key: as_text(value) for key, value in raw.items()}, indent=2) + "\n")
    return path


def training_environment(work: Path, channels: list[str]) -> dict[str, str]:
    """The SM_* variables script mode reads (hyperparameters: the file in SM_INPUT_CONFIG_DIR)."""
    env = {
        "SM_MODEL_DIR": str(work / "model"),
        "SM_OUTPUT_DATA_DIR": str(work / "output" / "data"),
        "SM_INPUT_DIR": str(work / "input"),
        "SM_INPUT_CONFIG_DIR": str(work / "input" / "config"),
        "SM_CHANNELS": json.dumps(channels),
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
        "SM_CURRENT_HOST": "algo-1",
        "SM_HOSTS": json.dumps(["algo-1"]),
    }
    env |= {f"SM_CHANNEL_{name.upper()}": str(work / "input" / "data" / name) for name in channels}
    return env


def _fetch_source(hyperparameters: dict[str, Any], context: RunContext, work: Path) -> Path:
    """Download and unpack sagemaker_submit_directory; returns the entry script's path."""
    for key in (PROGRAM, SUBMIT_DIRECTORY):
        if not isinstance(hyperparameters.get(key), str):
            raise EngineError(
                f"hyperparameter {key} is missing; script mode needs {PROGRAM} and {SUBMIT_DIRECTORY}"
            )
    bundle = work / "code.tar.gz"
    context.store.download(hyperparameters[SUBMIT_DIRECTORY], bundle)
    safe_extract(bundle, work / "code")
    script = work / "code" / hyperparameters[PROGRAM]
    if not script.is_file():
        raise EngineError(
            f"{PROGRAM} {hyperparameters[PROGRAM]!r} is not in {hyperparameters[SUBMIT_DIRECTORY]}"
        )
    return script


def _download_channels(arguments: dict[str, Any], context: RunContext, work: Path) -> list[str]:
    """Each InputDataConfig channel into input/data/<channel>; returns the channel names."""
    channels = []
    for channel in arguments.get("InputDataConfig", []):
        source = channel["DataSource"]["S3DataSource"]
        destination = work / "input" / "data" / channel["ChannelName"]
        download_input(
            context.store, source["S3Uri"], destination, data_type=source.get("S3DataType", "S3Prefix")
        )
        channels.append(channel["ChannelName"])
    return channels


def _upload_model(step: PlannedStep, arguments: dict[str, Any], context: RunContext, work: Path) -> str:
    """Pack SM_MODEL_DIR to <S3OutputPath>/<job>/output/model.tar.gz, as SageMaker does; returns the URI."""
    output_path = arguments.get("OutputDataConfig", {}).get("S3OutputPath")
    if not output_path:
        raise EngineError(f"step {step.name}: OutputDataConfig.S3OutputPath is missing")
    artifact_uri = f"{output_path.rstrip('/')}/{context.job_name(step.name)}/output/model.tar.gz"
    context.store.put_bytes(pack_folder(work / "model"), artifact_uri)
    return artifact_uri


def run_training(step: PlannedStep, context: RunContext) -> dict[str, Any]:
    """Execute a Training step; its properties include ModelArtifacts.S3ModelArtifacts."""
    arguments = resolve(step.definition.get("Arguments", {}), context)
    work = context.step_dir(step.name)
    raw = arguments.get("HyperParameters", {})
    script = _fetch_source(decode_hyperparameters(raw), context, work)
    channels = _download_channels(arguments, context, work)
    for folder in ("model", "output/data"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    write_hyperparameters_file(work / "input" / "config", raw)
    env = step_environment(python3_shim(context.run_dir / "bin"), training_environment(work, channels))
    command = [sys.executable, str(script)]
    run_logged(command, step=step.name, log_path=context.log_path(step.name), env=env, cwd=script.parent)
    return {
        **arguments,
        "TrainingJobName": context.job_name(step.name),
        "TrainingJobStatus": "Completed",
        "ModelArtifacts": {"S3ModelArtifacts": _upload_model(step, arguments, context, work)},
    }
