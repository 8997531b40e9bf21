from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from pipeline import batch_predict
from pipeline.cli.commands import app
from runtime.features.predictor import Prediction
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

    args = ["predict", "--input", str(TRAIN_CSV), "--output", str(output), "--id-column", "PassengerId"]
    result = runner.invoke(app, args)

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

    bad_value = runner.invoke(
        app, ["predict", "--instance", "Age=old", "--instance", "Pclass=3", "--instance", "Sex=male"]
    )
    no_equals = runner.invoke(app, ["predict", "--instance", "Age"])
    bad_id = runner.invoke(
        app,
        ["predict", "--input", str(TRAIN_CSV), "--output", str(tmp_path / "o.csv"), "--id-column", "Nope"],
    )
    nothing = runner.invoke(app, ["predict"])

    assert (bad_value.exit_code, no_equals.exit_code, bad_id.exit_code, nothing.exit_code) == (2, 2, 2, 2)
    assert "'Age'" in bad_value.stderr and "is not Name=Value" in no_equals.stderr
    assert "PassengerId" in bad_id.stderr and "--instance" in nothing.stderr


def _predict_file(input_path: Path, output_path: Path) -> Result:
    """`mlpipe predict --input --output`; an uncaught exception (a traceback) fails the test."""
    return runner.invoke(
        app, ["predict", "--input", str(input_path), "--output", str(output_path)], catch_exceptions=False
    )


def _probabilities(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [row["probability"] for row in csv.DictReader(handle)]


def _feature_first_csv(path: Path, prefix: bytes = b"") -> Path:
    """train.csv with Pclass as the first column, so a BOM would land on a feature's name."""
    with TRAIN_CSV.open(newline="") as handle:
        rows = list(csv.reader(handle))
    order = [rows[0].index("Pclass")] + [i for i, name in enumerate(rows[0]) if name != "Pclass"]
    text = io.StringIO()
    csv.writer(text).writerows([[row[i] for i in order] for row in rows])
    path.write_bytes(prefix + text.getvalue().encode())
    return path


def test_a_utf8_bom_is_read_as_training_reads_it(backend: LocalBackend, archives, tmp_path: Path):
    """Excel's "CSV UTF-8" starts with a byte-order mark; pandas (training) strips it, so must predict."""
    backend.register(archives[0])
    plain = _feature_first_csv(tmp_path / "plain.csv")
    with_bom = _feature_first_csv(tmp_path / "bom.csv", prefix=codecs.BOM_UTF8)

    results = [_predict_file(source, tmp_path / f"out-{source.name}") for source in (plain, with_bom)]

    assert [result.exit_code for result in results] == [0, 0], [result.output for result in results]
    assert _probabilities(tmp_path / "out-bom.csv") == _probabilities(tmp_path / "out-plain.csv")


def _bad_input_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Case name -> (input path, text the error must contain besides the file name)."""
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(TRAIN_CSV.read_text().replace("Owen Harris", "Owen Hérris").encode("latin-1"))
    huge_field = tmp_path / "huge-field.csv"
    huge_field.write_text(f"PassengerId,Name\n1,{'x' * (csv.field_size_limit() + 1)}\n")
    duplicates = tmp_path / "duplicates.csv"
    duplicates.write_text("PassengerId,Age,Sex,Age\n1,22,male,23\n")
    return {
        "other encoding": (latin1, "CSV UTF-8"),
        "field over the csv limit": (huge_field, "line 2"),
        "directory": (tmp_path, "is a directory"),
        "duplicate columns": (duplicates, "'Age'"),
    }


@pytest.mark.parametrize(
    "case", ["other encoding", "field over the csv limit", "directory", "duplicate columns"]
)
def test_unusable_input_files_fail_cleanly_naming_the_file(
    backend: LocalBackend, archives, tmp_path: Path, case: str
):
    backend.register(archives[0])
    source, expected = _bad_input_cases(tmp_path)[case]
    output = tmp_path / "out" / "predictions.csv"

    result = _predict_file(source, output)

    assert result.exit_code == 2, result.output
    assert str(source) in result.stderr and expected in result.stderr, result.stderr
    assert not output.parent.exists() or not list(output.parent.iterdir())


def test_an_output_that_is_a_directory_fails_cleanly(backend: LocalBackend, archives, tmp_path: Path):
    backend.register(archives[0])
    (tmp_path / "taken").mkdir()

    result = _predict_file(TRAIN_CSV, tmp_path / "taken")

    assert result.exit_code == 2 and "is a directory" in result.stderr, result.output
    leftovers = [path.name for path in tmp_path.iterdir() if path.name.startswith(".taken")]
    assert list((tmp_path / "taken").iterdir()) == [] and leftovers == []


class CountingPredictor:
    """Answers class 1 with probability 0.5 and remembers how many rows each call scored."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        self.calls.append(len(records))
        return Prediction(np.ones(len(records), dtype=np.int64), np.full(len(records), 0.5))


def test_large_files_are_scored_in_bounded_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(batch_predict, "CHUNK_ROWS", 7)
    source = tmp_path / "in.csv"
    source.write_text("PassengerId,Age\n" + "".join(f"{i},30\n" for i in range(1, 31)))
    predictor = CountingPredictor()

    rows = batch_predict.predict_csv(predictor, source, tmp_path / "out.csv", "PassengerId")

    assert (rows, predictor.calls) == (30, [7, 7, 7, 7, 2])
    with (tmp_path / "out.csv").open(newline="") as handle:
        assert [row["PassengerId"] for row in csv.DictReader(handle)] == [str(i) for i in range(1, 31)]


def test_a_bad_value_in_a_later_chunk_leaves_no_partial_output(
    backend: LocalBackend, archives, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    backend.register(archives[0])
    monkeypatch.setattr(batch_predict, "CHUNK_ROWS", 100)
    source = tmp_path / "in.csv"
    source.write_text(TRAIN_CSV.read_text().replace("\n300,1,1,", "\n300,1,oops,", 1))

    result = _predict_file(source, tmp_path / "out" / "predictions.csv")

    assert result.exit_code == 2 and "data rows 201-300" in result.stderr and "'Pclass'" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []
