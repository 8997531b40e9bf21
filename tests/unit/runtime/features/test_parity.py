"""The per-model parity check: XGBoost and the serving scorer agree, or the model is not registered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from processing import evaluate
from runtime.features.parity import PARITY_METRIC, ParityError, check_parity, measure_parity
from runtime.features.predictor import Predictor
from runtime.features.spec import FeatureSpec
from runtime.features.trees import parse_model
from tests.unit.model_helpers import TINY_CSV, pack_model, train_tiny

Trained = tuple[xgb.Booster, xgb.Booster, FeatureSpec, np.ndarray]


@pytest.fixture(scope="module")
def trained() -> Trained:
    """Two boosters on the same spec (different seeds), and the fixture's matrix."""
    booster, spec, columns, n_rows = train_tiny()
    other, _, _, _ = train_tiny(seed=7, eta=0.9)
    return booster, other, spec, spec.transform_columns(columns, n_rows)


def served(booster: xgb.Booster, spec: FeatureSpec) -> Predictor:
    return Predictor(parse_model(bytes(booster.save_raw("json"))), spec, "test")


def test_the_same_model_agrees_within_the_tolerance(trained: Trained) -> None:
    booster, _, spec, matrix = trained
    parity = check_parity(booster, served(booster, spec), matrix)
    assert parity.passed and parity.rows == len(matrix) + 1  # plus the all-missing row
    assert parity.max_difference <= 1e-6


def test_a_disagreeing_scorer_is_refused(trained: Trained) -> None:
    booster, other, spec, matrix = trained
    with pytest.raises(ParityError, match="disagree on this model by up to"):
        check_parity(booster, served(other, spec), matrix)


def test_nan_counts_as_the_worst_difference(trained: Trained) -> None:
    booster, _, spec, matrix = trained

    class NanBooster:
        def save_config(self) -> str:
            return booster.save_config()

        def inplace_predict(self, data: np.ndarray, *, missing: float = np.nan) -> np.ndarray:
            return np.full(len(data), np.nan, dtype=np.float32)

    assert measure_parity(NanBooster(), served(booster, spec), matrix).max_difference == np.inf


def run_evaluate(model_dir: Path, tmp_path: Path) -> int:
    (tmp_path / "evaluation").mkdir(exist_ok=True)
    shutil.copy(TINY_CSV, tmp_path / "evaluation" / "evaluation.csv")
    arguments = ["--model-dir", str(model_dir), "--evaluation-dir", str(tmp_path / "evaluation")]
    return evaluate.main([*arguments, "--output-dir", str(tmp_path / "out"), "--target", "Survived"])


def test_evaluate_records_the_parity_and_refuses_a_disagreeing_archive(
    trained: Trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    booster, other, spec, _ = trained
    # given: a sound archive -> the worst difference is a registered metric
    assert run_evaluate(pack_model(tmp_path / "sound", booster, booster, spec), tmp_path) == 0
    report = json.loads((tmp_path / "out" / "evaluation" / "evaluation.json").read_text())
    assert report["binary_classification_metrics"][PARITY_METRIC]["value"] <= 1e-6
    shutil.rmtree(tmp_path / "out")
    # when: the JSON model serving would score is not the booster XGBoost evaluates
    code = run_evaluate(pack_model(tmp_path / "mixed", booster, other, spec), tmp_path)
    # then: the step fails (the pipeline registers nothing) and says why
    assert code == 2
    assert "serving scorer and XGBoost disagree" in capsys.readouterr().err
    assert not (tmp_path / "out" / "evaluation" / "evaluation.json").exists()
