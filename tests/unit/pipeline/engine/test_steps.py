"""Step helpers: container path remapping, script-mode hyperparameters, metric flattening, logs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.engine.errors import EngineError, StepFailed
from pipeline.engine.process import run_logged, step_environment
from pipeline.engine.steps.processing import command_line, local_path
from pipeline.engine.steps.register import metrics_from_statistics
from pipeline.engine.steps.training import decode_hyperparameters, script_arguments, training_environment


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


def test_hyperparameters_are_json_decoded_and_passed_as_flags() -> None:
    decoded = decode_hyperparameters(
        {"max_depth": "4", "eta": "0.05", "objective": '"binary:logistic"', "raw": "a b"}
    )
    assert decoded == {"max_depth": 4, "eta": 0.05, "objective": "binary:logistic", "raw": "a b"}
    assert script_arguments(decoded) == [
        "--max_depth",
        "4",
        "--eta",
        "0.05",
        "--objective",
        "binary:logistic",
        "--raw",
        "a b",
    ]


def test_training_environment_names_channels_and_folders(tmp_path: Path) -> None:
    env = training_environment(tmp_path, ["train", "validation"], {"max_depth": 4})
    assert env["SM_CHANNEL_VALIDATION"] == str(tmp_path / "input" / "data" / "validation")
    assert env["SM_MODEL_DIR"] == str(tmp_path / "model")
    assert env["SM_HPS"] == '{"max_depth": 4}'
    assert env["SM_HP_MAX_DEPTH"] == "4"
    assert int(env["SM_NUM_CPUS"]) >= 1


def test_model_quality_metrics_are_flattened_to_numbers() -> None:
    statistics = {
        "binary_classification_metrics": {
            "accuracy": {"value": 0.83, "standard_deviation": "NaN"},
            "auc": {"value": 0.88},
            "confusion_matrix": {"0": {"0": 10}},
        },
        "artifact": {"sha256": "ab"},
    }
    assert metrics_from_statistics(statistics) == {"accuracy": 0.83, "auc": 0.88}


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
