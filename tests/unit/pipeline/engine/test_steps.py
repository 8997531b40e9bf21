"""Step helpers: container path remapping, script-mode hyperparameters, logs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pipeline.engine.errors import EngineError, StepFailed
from pipeline.engine.process import run_logged, step_environment
from pipeline.engine.steps.processing import command_line, local_path
from pipeline.engine.steps.training import (
    decode_hyperparameters,
    training_environment,
    write_hyperparameters_file,
)


def test_container_paths_map_into_the_work_folder(tmp_path: Path) -> None:
    assert local_path("/opt/ml/processing/input/data", tmp_path) == tmp_path / "processing/input/data"
    with pytest.raises(EngineError, match="outside /opt/ml/"):
        local_path("/srv/data", tmp_path)


def test_the_command_runs_relative_to_the_work_folder() -> None:
    app = {
        "ContainerEntrypoint": ["/bin/sh", "-c", 'python3 /opt/ml/code/a.py "$@"', "sh"],
        "ContainerArguments": ["--depth", 4, "--dir", "/opt/ml/processing/output"],
    }
    assert command_line(app) == [
        "/bin/sh",
        "-c",
        'python3 ./code/a.py "$@"',
        "sh",
        "--depth",
        "4",
        "--dir",
        "./processing/output",
    ]


def test_hyperparameters_are_json_decoded_for_the_script_mode_keys() -> None:
    decoded = decode_hyperparameters({"sagemaker_program": '"train.py"', "eta": "0.05", "raw": "a b"})
    assert decoded == {"sagemaker_program": "train.py", "eta": 0.05, "raw": "a b"}


def test_hyperparameters_file_holds_the_request_strings_as_sent(tmp_path: Path) -> None:
    """Issue 11: the script receives hyperparameters one way, the platform's hyperparameters.json."""
    raw = {"max_depth": "4", "target": 'a"b\\c', "sagemaker_program": '"train.py"'}
    path = write_hyperparameters_file(tmp_path / "config", raw)
    assert json.loads(path.read_text()) == raw


def test_training_environment_names_channels_and_folders_and_no_hyperparameters(tmp_path: Path) -> None:
    env = training_environment(tmp_path, ["train", "validation"])
    assert env["SM_CHANNEL_VALIDATION"] == str(tmp_path / "input" / "data" / "validation")
    assert env["SM_MODEL_DIR"] == str(tmp_path / "model")
    assert env["SM_INPUT_CONFIG_DIR"] == str(tmp_path / "input" / "config")
    assert not [name for name in env if name == "SM_HPS" or name.startswith("SM_HP_")]
    assert int(env["SM_NUM_CPUS"]) >= 1


def test_a_failing_command_raises_with_the_last_log_lines(tmp_path: Path) -> None:
    script = "import sys; print('working'); sys.exit(\"column 'Age' is not numeric\")"
    log = tmp_path / "step.log"
    with pytest.raises(StepFailed) as failure:
        run_logged(
            [sys.executable, "-c", script],
            step="Prep",
            log_path=log,
            env=step_environment(tmp_path, {}),
            cwd=tmp_path,
        )
    assert failure.value.step == "Prep"
    assert failure.value.log_tail.endswith("column 'Age' is not numeric")
    assert "working" in log.read_text()
