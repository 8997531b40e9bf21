"""The engine runs a hand-written definition of every step type end to end with fake step scripts."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipeline.engine import EngineError, ParameterError, PipelineFailed, StepFailed
from tests.integration.engine.conftest import FakePipeline


def test_a_passing_gate_registers_one_version_with_metrics_digest_and_parameters(
    fake_pipeline: FakePipeline,
) -> None:
    result = fake_pipeline.run({"MaxDepth": "7"})

    assert [(s.name, s.status) for s in result.steps] == [
        ("Prepare", "succeeded"),
        ("Train", "succeeded"),
        ("Evaluate", "succeeded"),
        ("CheckAccuracy", "succeeded"),
        ("Register-RegisterModel", "succeeded"),
        ("AccuracyTooLow", "skipped"),
    ]
    (version,) = fake_pipeline.registry.list_versions()
    assert result.registered == [version]
    assert version.status == "PendingManualApproval"
    assert version.metrics == {"accuracy": 0.9}
    assert version.parameters == {"max_depth": "7"}  # what training used, from the model card
    assert version.training_data_sha256 == "0" * 64
    assert version.input_schema == {"columns": ["x"]}
    assert (
        version.artifact_uri
        == "s3://mlpipe-local/pipelines/exec-1/Train/pipelines-exec-1-Train/output/model.tar.gz"
    )
    assert version.sha256 == hashlib.sha256(fake_pipeline.store.get_bytes(version.artifact_uri)).hexdigest()


def test_training_sees_the_script_mode_contract(fake_pipeline: FakePipeline) -> None:
    fake_pipeline.run({"Target": "label"})

    archive = fake_pipeline.home / "runs" / "exec-1" / "steps" / "Train" / "model" / "xgboost-model.ubj"
    model = json.loads(archive.read_text())
    assert model["max_depth"] == 3
    assert model["train_files"] == ["train.csv"]
    # The request's hyperparameters as the strings sent, as SageMaker writes hyperparameters.json.
    assert model["hps"] == {
        "max_depth": "3",
        "fake_accuracy": "0.9",
        "target": "label",
        "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": '"s3://mlpipe-local/code/training.tar.gz"',
    }


def test_a_failing_gate_raises_the_fail_steps_resolved_message_and_registers_nothing(
    fake_pipeline: FakePipeline,
) -> None:
    with pytest.raises(PipelineFailed) as failure:
        fake_pipeline.run({"FakeAccuracy": "0.5", "MinAccuracy": "0.8"})

    assert failure.value.message == "accuracy 0.5 is below MinAccuracy 0.8"
    assert failure.value.step == "AccuracyTooLow"
    assert fake_pipeline.registry.list_versions() == []


def test_a_failing_script_surfaces_its_stderr_and_stops_the_run(
    fake_pipeline: FakePipeline,
) -> None:
    with pytest.raises(StepFailed) as failure:
        fake_pipeline.run({"TrainFile": "no_target.csv"})

    assert failure.value.step == "Prepare"
    assert "column 'label' missing from no_target.csv" in str(failure.value)
    assert fake_pipeline.registry.list_versions() == []
    summary = json.loads((fake_pipeline.home / "runs" / "exec-1" / "run.json").read_text())
    assert [step["status"] for step in summary["steps"]] == ["failed"]


def test_step_outputs_land_under_the_execution_prefix(fake_pipeline: FakePipeline) -> None:
    fake_pipeline.run(execution_id="exec-42")

    uris = fake_pipeline.store.list_uris("s3://mlpipe-local/pipelines/exec-42/")
    assert "s3://mlpipe-local/pipelines/exec-42/Prepare/train/train.csv" in uris
    assert "s3://mlpipe-local/pipelines/exec-42/Evaluate/evaluation/evaluation.json" in uris


def test_a_bad_override_fails_before_any_step_runs(fake_pipeline: FakePipeline) -> None:
    with pytest.raises(ParameterError, match="valid names: FakeAccuracy, MaxDepth"):
        fake_pipeline.run({"MaxDeth": "3"})

    assert not (fake_pipeline.home / "runs").exists()


def test_an_unsupported_step_type_is_named_before_any_step_runs(fake_pipeline: FakePipeline) -> None:
    fake_pipeline.definition["Steps"].append({"Name": "Tune", "Type": "Tuning", "Arguments": {}})

    with pytest.raises(EngineError, match="step Tune has type 'Tuning'"):
        fake_pipeline.run()

    assert not (fake_pipeline.home / "runs").exists()
