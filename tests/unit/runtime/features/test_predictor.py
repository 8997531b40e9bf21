"""The Predictor scores the archive's JSON model in NumPy, as XGBoost would, without importing XGBoost."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from runtime.features.archive import ArchiveError, ModelFiles
from runtime.features.predictor import Predictor
from runtime.features.spec import FeatureSpec
from runtime.features.trees import TreeEnsemble, parse_model
from tests.unit.model_helpers import TINY_CONFIG, train_tiny

# More columns than TINY_CONFIG: a second categorical (Embarked) and the counts.
CONFIG = dataclasses.replace(
    TINY_CONFIG,
    feature_columns="Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
    categorical_columns="Sex,Embarked",
)
ORIGINAL_SAMPLE = {"Age": 80, "Sex": "male", "Pclass": 3}


def ensemble(booster: xgb.Booster) -> TreeEnsemble:
    return parse_model(bytes(booster.save_raw("json")))


def model_files(booster: xgb.Booster, spec: FeatureSpec) -> ModelFiles:
    return ModelFiles(
        booster_bytes=bytes(booster.save_raw("ubj")),
        feature_spec=spec.to_dict(),
        metadata={},
        serving_model=bytes(booster.save_raw("json")),
    )


@pytest.fixture(scope="module")
def trained() -> tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]:
    return train_tiny(CONFIG)


@pytest.fixture(scope="module")
def predictor(trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]) -> Predictor:
    booster, spec, _, _ = trained
    return Predictor(ensemble(booster), spec, version=3)


def test_records_and_columns_give_the_same_predictions(
    predictor: Predictor, trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]
) -> None:
    _, _, columns, n_rows = trained
    by_columns = predictor.predict_columns(columns, n_rows)
    records = [{name: values[i] for name, values in columns.items()} for i in range(n_rows)]
    by_records = predictor.predict_records(records)
    np.testing.assert_array_equal(by_columns.probabilities, by_records.probabilities)
    assert by_columns.labels.tolist() == (by_columns.probabilities >= 0.5).astype(int).tolist()
    assert ((by_columns.probabilities > 0) & (by_columns.probabilities < 1)).all()
    assert by_columns.labels.dtype == np.int64 and set(by_columns.labels.tolist()) == {0, 1}


def test_original_sample_with_left_out_features(predictor: Predictor) -> None:
    prediction = predictor.predict_records([ORIGINAL_SAMPLE])
    assert prediction.labels.shape == (1,) and 0.0 < prediction.probabilities[0] < 1.0
    assert predictor.version == 3


def test_empty_input_gives_empty_prediction(predictor: Predictor) -> None:
    prediction = predictor.predict_records([])
    assert prediction.labels.shape == (0,) and prediction.probabilities.shape == (0,)


def test_threshold_decides_the_label(
    trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int],
) -> None:
    booster, spec, _, _ = trained
    assert Predictor(ensemble(booster), spec, 1, threshold=0.0).predict_records(
        [ORIGINAL_SAMPLE]
    ).labels.tolist() == [1]
    assert Predictor(ensemble(booster), spec, 1, threshold=1.01).predict_records(
        [ORIGINAL_SAMPLE]
    ).labels.tolist() == [0]


def test_from_model_files_matches_the_in_memory_model(
    predictor: Predictor, trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]
) -> None:
    booster, spec, columns, n_rows = trained
    loaded = Predictor.from_model_files(model_files(booster, spec), version="7")
    np.testing.assert_array_equal(
        loaded.predict_columns(columns, n_rows).probabilities,
        predictor.predict_columns(columns, n_rows).probabilities,
    )
    assert loaded.version == "7"


def test_unusable_model_files_raise_archive_error(
    trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int],
) -> None:
    booster, spec, _, _ = trained
    with pytest.raises(ArchiveError, match="unusable"):
        Predictor.from_model_files(ModelFiles(b"", spec.to_dict(), {}, serving_model=b"garbage"), version=1)
    with pytest.raises(ArchiveError, match="JSON model is empty"):
        Predictor.from_model_files(ModelFiles(bytes(booster.save_raw("ubj")), spec.to_dict(), {}), version=1)
    fewer = dataclasses.replace(spec, numeric=spec.numeric[:-1])
    with pytest.raises(ArchiveError, match="different trainings"):
        Predictor(ensemble(booster), fewer, version=1)


def test_margin_objective_is_turned_into_probabilities(
    trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int],
) -> None:
    _, _, columns, n_rows = trained
    booster, spec, _, _ = train_tiny(CONFIG, objective="binary:logitraw")
    margins = booster.inplace_predict(spec.transform_columns(columns, n_rows))
    assert (margins < 0).any()  # raw margins, not probabilities
    probabilities = Predictor(ensemble(booster), spec, 1).predict_columns(columns, n_rows).probabilities
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-margins.astype(np.float64))), rtol=1e-6)


def test_probabilities_are_xgboosts_own(
    predictor: Predictor, trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]
) -> None:
    """Titanic-like rows with missing values: the NumPy walk gives XGBoost's float32 results."""
    booster, spec, columns, n_rows = trained
    expected = booster.inplace_predict(spec.transform_columns(columns, n_rows), missing=np.nan)
    served = predictor.predict_columns(columns, n_rows).probabilities
    assert np.isnan(spec.transform_columns(columns, n_rows)).any()  # default directions are exercised
    assert np.abs(served - expected.astype(np.float64)).max() <= 1e-6


def test_serving_a_model_never_imports_xgboost_or_scipy(
    trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int], tmp_path: Path
) -> None:
    """The serving bundle has neither (lambda_inference/requirements.txt): loading and scoring must not
    need them. Before issue 17 `from_model_files` imported xgboost, which imports scipy."""
    booster, spec, _, _ = trained
    (tmp_path / "model.json").write_bytes(bytes(booster.save_raw("json")))
    (tmp_path / "spec.json").write_text(json.dumps(spec.to_dict()))
    script = f"""
import json, sys
from pathlib import Path
from runtime.features.archive import ModelFiles
from runtime.features.predictor import Predictor
import lambda_inference.served_model
files = ModelFiles(b"", json.loads(Path({str(tmp_path / "spec.json")!r}).read_text()), {{}},
                   serving_model=Path({str(tmp_path / "model.json")!r}).read_bytes())
prediction = Predictor.from_model_files(files, 1).predict_records([{ORIGINAL_SAMPLE!r}])
assert 0 < prediction.probabilities[0] < 1
print(sorted(name for name in ("xgboost", "scipy", "pandas", "sklearn") if name in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
