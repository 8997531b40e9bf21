"""Train once with the real local pipeline; every serving path must give the same answer for every row."""

from __future__ import annotations

import csv
import json
import shutil
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lambda_inference.model_loader import ModelLoader
from pipeline.cli.commands import app
from pipeline.serve import INVOKE_PATH, PREDICT_PATH, PredictionServer
from processing.evaluate import load_predictor, read_evaluation_set
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import TRAIN_CSV

runner = CliRunner()


def json_instances() -> list[dict[str, object]]:
    """The rows as an API client sends them: numbers as numbers, missing values left out."""
    frame = pd.read_csv(TRAIN_CSV).drop(columns=["Survived"])
    return [{str(k): v for k, v in row.items() if not pd.isna(v)} for row in frame.to_dict(orient="records")]


def post(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def served_over_http(instances: list[dict[str, object]]) -> tuple[dict[str, object], dict[str, object]]:
    server = PredictionServer(("127.0.0.1", 0), ModelLoader.from_environment())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        api = post(base + PREDICT_PATH, {"instances": instances})
        invoked = post(base + INVOKE_PATH, {"instances": instances})
    finally:
        server.shutdown()
        server.server_close()
    return api, json.loads(str(invoked["body"]))


@pytest.mark.slow
def test_cli_http_and_evaluate_agree_on_every_training_row(backend: LocalBackend, tmp_path: Path):
    # given: one model from the real local pipeline, approved
    ran = runner.invoke(app, ["run", "--train", str(TRAIN_CSV), "--target", "Survived"])
    assert ran.exit_code == 0, ran.output
    version = backend.registry.list_versions()[-1]
    backend.registry.set_status(version.version, "Approved")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "model.tar.gz").write_bytes(backend.store.get_bytes(version.artifact_uri))
    evaluation_dir = tmp_path / "evaluation"
    evaluation_dir.mkdir()
    shutil.copy(TRAIN_CSV, evaluation_dir / "train.csv")

    # when: evaluate's batch path, `mlpipe predict`, and the HTTP server (both routes) score train.csv
    predictor, _ = load_predictor(model_dir)
    columns, labels = read_evaluation_set(evaluation_dir, "Survived")
    evaluated = predictor.predict_columns(columns, len(labels))
    output = tmp_path / "predictions.csv"
    predicted = runner.invoke(app, ["predict", "--input", str(TRAIN_CSV), "--output", str(output)])
    assert predicted.exit_code == 0, predicted.output
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    api, invoked = served_over_http(json_instances())

    # then: identical classes and probabilities for all 891 rows
    assert len(rows) == len(labels) == 891
    np.testing.assert_array_equal([int(r["prediction"]) for r in rows], evaluated.labels)
    np.testing.assert_array_equal([float(r["probability"]) for r in rows], evaluated.probabilities)
    for answer in (api, invoked):
        assert answer["model_version"] == str(version.version)
        np.testing.assert_array_equal(answer["predictions"], evaluated.labels)
        np.testing.assert_array_equal(answer["probabilities"], evaluated.probabilities)
