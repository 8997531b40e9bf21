from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from pipeline.cli import app
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import TRAIN_CSV

runner = CliRunner()
INSTANCE = ["--instance", "Age=80", "--instance", "Sex=male", "--instance", "Pclass=3"]


def test_one_instance_prints_what_the_handler_answers(backend: LocalBackend, archives):
    backend.register(archives[0])
    expected = json.loads(
        handle_event(
            {"instances": [{"Age": 80, "Sex": "male", "Pclass": 3}]},
            ModelLoader.from_environment(),
            "cli-test",
        )["body"]
    )

    result = runner.invoke(app, ["predict", *INSTANCE])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


def test_csv_in_csv_out_keeps_the_id_column(backend: LocalBackend, archives, tmp_path: Path):
    backend.register(archives[0])
    output = tmp_path / "out" / "predictions.csv"

    result = runner.invoke(app, ["predict", "--input", str(TRAIN_CSV), "--output", str(output)])

    assert result.exit_code == 0, result.output
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with TRAIN_CSV.open(newline="") as handle:
        ids = [row["PassengerId"] for row in csv.DictReader(handle)]
    assert [row["PassengerId"] for row in rows] == ids
    assert {row["prediction"] for row in rows} == {"0", "1"}
    assert all(0.0 < float(row["probability"]) < 1.0 for row in rows)


def test_without_an_approved_model_it_fails_saying_so(backend: LocalBackend, archives):
    backend.register(archives[0], status="PendingManualApproval")

    result = runner.invoke(app, ["predict", *INSTANCE])

    assert result.exit_code == 1
    assert "no model version is approved" in result.stderr


def test_usage_errors_name_the_fix(backend: LocalBackend, archives, tmp_path: Path):
    backend.register(archives[0])

    bad_value = runner.invoke(app, ["predict", "--instance", "Age=old"])
    no_equals = runner.invoke(app, ["predict", "--instance", "Age"])
    bad_id = runner.invoke(
        app,
        ["predict", "--input", str(TRAIN_CSV), "--output", str(tmp_path / "o.csv"), "--id-column", "Nope"],
    )
    nothing = runner.invoke(app, ["predict"])

    assert (bad_value.exit_code, no_equals.exit_code, bad_id.exit_code, nothing.exit_code) == (2, 2, 2, 2)
    assert "'Age'" in bad_value.stderr and "NAME=VALUE" in no_equals.stderr
    assert "PassengerId" in bad_id.stderr and "--instance" in nothing.stderr
