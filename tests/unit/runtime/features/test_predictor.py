from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from runtime.features.archive import ArchiveError, ModelFiles
from runtime.features.predictor import Predictor
from runtime.features.spec import FeatureSpec
from training.train import TrainingConfig, fit_model, read_columns

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "titanic_tiny.csv"
CONFIG = TrainingConfig(
    max_depth=3,
    eta=0.3,
    num_round=10,
    target="Survived",
    feature_columns="Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
    categorical_columns="Sex,Embarked",
    derived_features="Title=title(Name)",
)
ORIGINAL_SAMPLE = {"Age": 80, "Sex": "male", "Pclass": 3}


@pytest.fixture(scope="module")
def trained() -> tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]:
    columns, n_rows = read_columns(FIXTURE)
    booster, spec, _ = fit_model(columns, n_rows, CONFIG)
    return booster, spec, columns, n_rows


@pytest.fixture(scope="module")
def predictor(trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]) -> Predictor:
    booster, spec, _, _ = trained
    return Predictor(booster, spec, version=3)


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
    assert Predictor(booster, spec, 1, threshold=0.0).predict_records([ORIGINAL_SAMPLE]).labels.tolist() == [
        1
    ]
    assert Predictor(booster, spec, 1, threshold=1.01).predict_records([ORIGINAL_SAMPLE]).labels.tolist() == [
        0
    ]


def test_from_model_files_matches_the_in_memory_model(
    predictor: Predictor, trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]
) -> None:
    booster, spec, columns, n_rows = trained
    files = ModelFiles(booster_bytes=bytes(booster.save_raw("ubj")), feature_spec=spec.to_dict(), metadata={})
    loaded = Predictor.from_model_files(files, version="7")
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
        Predictor.from_model_files(ModelFiles(b"garbage", spec.to_dict(), {}), version=1)
    fewer = dataclasses.replace(spec, numeric=spec.numeric[:-1])
    with pytest.raises(ArchiveError, match="different trainings"):
        Predictor(booster, fewer, version=1)


def test_margin_objective_is_turned_into_probabilities(
    trained: tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int],
) -> None:
    _, _, columns, n_rows = trained
    booster, spec, _ = fit_model(columns, n_rows, dataclasses.replace(CONFIG, objective="binary:logitraw"))
    margins = booster.inplace_predict(spec.transform_columns(columns, n_rows))
    assert (margins < 0).any()  # raw margins, not probabilities
    probabilities = Predictor(booster, spec, 1).predict_columns(columns, n_rows).probabilities
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-margins.astype(np.float64))), rtol=1e-6)
