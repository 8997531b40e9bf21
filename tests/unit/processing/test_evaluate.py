from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from processing import evaluate
from processing.report import explain
from processing.report import page as page_module
from runtime.hashing import sha256_file
from tests.unit.model_helpers import TINY_CSV, pack_model, train_tiny


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    booster, spec, _, _ = train_tiny()
    return pack_model(tmp_path_factory.mktemp("model"), booster, booster, spec)


@pytest.fixture
def evaluation_dir(tmp_path: Path) -> Path:
    (tmp_path / "evaluation").mkdir()
    shutil.copy(TINY_CSV, tmp_path / "evaluation" / "evaluation.csv")
    return tmp_path / "evaluation"


def run(model_dir: Path, evaluation_dir: Path, output_dir: Path) -> int:
    return evaluate.main(
        [
            "--model-dir",
            str(model_dir),
            "--evaluation-dir",
            str(evaluation_dir),
            "--output-dir",
            str(output_dir),
            "--target",
            "Survived",
        ]
    )


def test_writes_model_quality_json_and_report(model_dir: Path, evaluation_dir: Path, tmp_path: Path) -> None:
    assert run(model_dir, evaluation_dir, tmp_path / "out") == 0
    report = json.loads((tmp_path / "out" / "evaluation" / "evaluation.json").read_text())
    metrics = report["binary_classification_metrics"]
    for name in ("accuracy", "precision", "recall", "f1", "auc", "log_loss"):
        assert metrics[name]["value"] >= 0.0 and metrics[name]["standard_deviation"] == "NaN"
    matrix = metrics["confusion_matrix"]
    assert sum(matrix[a][p] for a in "01" for p in "01") == 40
    assert matrix["1"]["0"] + matrix["1"]["1"] == 19  # actual survivors in the fixture
    assert metrics["accuracy"]["value"] == (matrix["0"]["0"] + matrix["1"]["1"]) / 40
    assert report["artifact"]["sha256"] == sha256_file(model_dir / "model.tar.gz")
    page = (tmp_path / "out" / "report" / "index.html").read_text()
    assert all(f'id="{section}"' in page for section in page_module.SECTION_IDS)
    assert sorted(p.name for p in (tmp_path / "out" / "report").iterdir()) == ["index.html"]


def test_feature_importance_uses_spec_names_and_lists_every_feature(model_dir: Path) -> None:
    predictor, _ = evaluate.load_predictor(model_dir)
    gains = explain.feature_importance(predictor)
    assert list(gains) == list(predictor.spec.feature_names) and gains["Sex"] > 0


def test_tampered_or_missing_model_exits_2(
    model_dir: Path, evaluation_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.tar.gz").write_bytes(b"\x1f\x8b not really")
    assert run(tmp_path / "broken", evaluation_dir, tmp_path / "out") == 2
    assert "not a readable model.tar.gz" in capsys.readouterr().err
    assert run(tmp_path / "nowhere", evaluation_dir, tmp_path / "out") == 2
    assert "needs the Train step's model.tar.gz" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_evaluation_set_needs_both_classes(
    model_dir: Path, evaluation_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (evaluation_dir / "evaluation.csv").read_text().splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(",")[1] == "1")]
    (evaluation_dir / "evaluation.csv").write_text("\n".join(kept) + "\n")
    assert run(model_dir, evaluation_dir, tmp_path / "out") == 2
    assert "must be 0/1 with both classes present" in capsys.readouterr().err
