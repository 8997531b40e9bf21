"""The re-created original handler answers like the original did (run here with this venv's libraries)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from bench.config import TRAIN_CSV
from bench.original import train as original_train
from bench.original.environment import ORIGINAL_DIR
from bench.serving import PASSENGER, prediction_event

# Trains a 300-tree model: a few seconds on a loaded machine.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def handler(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    model_path = tmp_path_factory.mktemp("original") / "model.joblib"
    original_train.main(str(tmp_path_factory.mktemp("empty-site")), str(TRAIN_CSV), str(model_path))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODEL_PATH", str(model_path))
        spec = importlib.util.spec_from_file_location("original_handler", ORIGINAL_DIR / "handler.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def test_it_answers_the_benchmark_event(handler: ModuleType) -> None:
    response = handler.lambda_handler(prediction_event(), None)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200
    assert body["predictions"] in ([0], [1])
    assert 0.0 <= body["probabilities"][0] <= 1.0


def test_it_scores_like_a_titanic_model(handler: ModuleType) -> None:
    woman_first_class = {**PASSENGER, "Sex": "female", "Pclass": 1, "Fare": 80.0, "Embarked": "C"}
    answer = handler.lambda_handler({"instances": [woman_first_class, PASSENGER]}, None)
    survive, perish = json.loads(answer["body"])["probabilities"]
    assert survive > 0.5 > perish


def test_a_missing_age_becomes_zero_as_in_the_original(handler: ModuleType) -> None:
    # The original's fillna(0): a passenger without Age is scored as a newborn.
    without_age = {key: value for key, value in PASSENGER.items() if key != "Age"}
    as_newborn = {**PASSENGER, "Age": 0}
    missing, newborn = json.loads(
        handler.lambda_handler({"instances": [without_age, as_newborn]}, None)["body"]
    )["probabilities"]
    assert missing == newborn
