"""The committed definition (pipeline/definition/pipeline.json) runs end to end on the Titanic train.csv."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from pipeline.local_run import run_locally
from runtime.features.archive import read_model_archive
from runtime.settings import Settings
from runtime.store.local import LocalArtifactStore

TITANIC_TRAIN = Path(__file__).resolve().parents[3] / "data" / "titanic" / "train.csv"


@pytest.mark.slow
def test_the_real_pipeline_registers_a_verified_model(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model_package_group="e2e-group")

    started = time.perf_counter()
    result = run_locally(settings, train=TITANIC_TRAIN, overrides={"Target": "Survived"})
    seconds = time.perf_counter() - started

    print(f"local pipeline wall time: {seconds:.1f}s")
    assert [(s.name, s.status) for s in result.steps] == [
        ("Preprocess", "succeeded"),
        ("Train", "succeeded"),
        ("Evaluate", "succeeded"),
        ("CheckQuality", "succeeded"),
        ("Register", "succeeded"),
        ("QualityGateFailed", "skipped"),
    ]
    (version,) = result.registered
    assert (version.group, version.version, version.status) == ("e2e-group", 1, "PendingManualApproval")
    assert version.metrics["accuracy"] >= 0.75 and 0.5 < version.metrics["auc"] <= 1
    store = LocalArtifactStore(settings.home)
    archive = store.get_bytes(version.artifact_uri)
    # Issue 11: the parameters training used (the model card); issue 18: the raw input's digest.
    assert version.parameters == read_model_archive(archive).metadata["parameters"]
    assert version.training_data_sha256 == hashlib.sha256(TITANIC_TRAIN.read_bytes()).hexdigest()
    # Every output below the model's own prefix, runs/<group>/<execution id>/ (pipeline/definition/layout.py).
    prefix = f"s3://mlpipe-local/runs/e2e-group/{result.execution_id}/"
    assert version.report_uri == f"{prefix}evaluate/report/index.html"
    assert set(version.code_version) == {"training", "processing"}
    assert hashlib.sha256(archive).hexdigest() == version.sha256
    assert read_model_archive(archive).metadata["input_schema"] == version.input_schema
    assert version.artifact_uri.startswith(prefix)
    report = json.loads(store.get_bytes(prefix + "evaluate/evaluation/evaluation.json"))
    assert report["artifact"]["sha256"] == version.sha256
    logs = sorted(p.name for p in (result.run_dir / "logs").iterdir())
    assert logs == ["Evaluate.log", "Preprocess.log", "Train.log"]
