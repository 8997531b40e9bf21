"""The handler applies the serving contract (runtime/features/contract.py) of the real model it serves.

The model is the Titanic archive of fakes.py, whose required inputs are Pclass and Sex.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambda_inference import handler
from lambda_inference.model_loader import ModelLoader
from tests.unit.lambda_inference.fakes import InMemoryRegistry, InMemoryStore, load_event, register

PASSENGER = {"Pclass": 3, "Sex": "male", "Age": 30}


@pytest.fixture
def loader(archives: tuple[bytes, bytes]) -> ModelLoader:
    registry, store = InMemoryRegistry(), InMemoryStore()
    register(registry, store, archives[0])
    return ModelLoader(registry, store, background=False)


def answer(payload: dict[str, Any], loader: ModelLoader) -> tuple[int, dict[str, Any]]:
    """Through the HTTP API v2.0 envelope, as API Gateway and `mlpipe serve` deliver it."""
    event = load_event("http_api_v2_predict.json")
    event["body"] = json.dumps(payload)
    response = handler.handle_event(event, loader, "req-contract")
    return response["statusCode"], json.loads(response["body"])


def test_missing_required_feature_is_a_400_naming_it(loader: ModelLoader) -> None:
    status, body = answer({"instances": [{"Age": 30, "Pclass": 3}]}, loader)
    assert status == 400
    assert body["error"]["code"] == "missing_feature"
    assert body["error"]["fields"] == ["Sex"]


def test_misspelled_field_is_a_400_with_the_closest_name(loader: ModelLoader) -> None:
    status, body = answer({"instances": [{**PASSENGER, "Agee": 30}]}, loader)
    assert status == 400
    assert body["error"]["code"] == "unknown_field"
    assert "'Agee' (did you mean 'Age'?)" in body["error"]["message"]


def test_lower_case_column_names_are_refused_not_scored_as_missing(loader: ModelLoader) -> None:
    status, body = answer({"instances": [{"Pclass": 3, "Sex": "male", "age": 30}]}, loader)
    assert (status, body["error"]["code"]) == (400, "unknown_field")
    assert "did you mean 'Age'?" in body["error"]["message"]


def test_allow_unknown_fields_lets_extra_fields_through(loader: ModelLoader) -> None:
    plain = answer({"instances": [PASSENGER]}, loader)
    status, body = answer({"instances": [{**PASSENGER, "note": "x"}], "allow_unknown_fields": True}, loader)
    assert status == 200
    assert body["probabilities"] == plain[1]["probabilities"]


def test_allow_unknown_fields_must_be_a_boolean(loader: ModelLoader) -> None:
    status, body = answer({"instances": [PASSENGER], "allow_unknown_fields": "yes"}, loader)
    assert (status, body["error"]["code"]) == (400, "invalid_type")


def test_unseen_category_is_scored_as_missing_with_a_warning(loader: ModelLoader) -> None:
    status, body = answer({"instances": [{**PASSENGER, "Embarked": "X"}]}, loader)
    _, missing = answer({"instances": [PASSENGER]}, loader)
    assert status == 200
    assert body["probabilities"] == missing["probabilities"]
    assert [(w["code"], w["field"], w["value"]) for w in body["warnings"]] == [
        ("unseen_category", "Embarked", "X")
    ]


def test_known_training_columns_are_accepted(loader: ModelLoader) -> None:
    status, body = answer({"instances": [{**PASSENGER, "PassengerId": 1, "Ticket": "A/5"}]}, loader)
    assert status == 200
    assert "warnings" not in body
