from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lambda_inference import handler
from lambda_inference.errors import ModelUnavailable
from lambda_inference.model_loader import ModelLoader
from lambda_inference.request import MAX_BODY_BYTES, MAX_INSTANCES
from lambda_inference.served_model import LoadedModel
from tests.unit.lambda_inference.fakes import InMemoryRegistry, InMemoryStore, load_event, register

REQUEST_ID = "req-test-1"


@pytest.fixture
def loader(archives) -> ModelLoader:
    registry, store = InMemoryRegistry(), InMemoryStore()
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    return ModelLoader(registry, store)


def answer(event: object, loader: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    response = handler.handle_event(event, loader, REQUEST_ID)
    return response, json.loads(response["body"])


def error_of(event: object, loader: Any, status: int) -> dict[str, str]:
    response, body = answer(event, loader)
    assert response["statusCode"] == status, body
    assert set(body) == {"error"}
    return body["error"]


def test_original_sample_works_unchanged_with_the_original_envelope(loader):
    response, body = answer(load_event("direct_sample.json"), loader)

    assert set(response) == {"statusCode", "body"}
    assert response["statusCode"] == 200
    assert body["predictions"] == [0]
    assert len(body["probabilities"]) == 1
    assert 0.0 < body["probabilities"][0] < 0.5
    assert body["model_version"] == "2"


def test_http_api_v2_event_gets_json_headers_and_one_answer_per_instance(loader):
    response, body = answer(load_event("http_api_v2_predict.json"), loader)

    assert response["statusCode"] == 200
    assert response["headers"] == {"content-type": "application/json"}
    assert body["predictions"] == [0, 1]  # the old man and a first-class woman
    assert body["probabilities"][1] > 0.5


def test_base64_body_is_decoded(loader):
    direct = answer(load_event("direct_sample.json"), loader)[1]

    response, body = answer(load_event("http_api_v2_base64.json"), loader)

    assert response["statusCode"] == 200
    assert body == direct


@pytest.mark.parametrize(
    ("event_file", "status", "code", "names"),
    [
        ("http_api_v2_malformed_json.json", 400, "invalid_json", "not valid JSON"),
        ("http_api_v2_bad_base64.json", 400, "invalid_base64", "base64"),
        ("http_api_v2_empty_body.json", 400, "missing_body", "body"),
        ("http_api_v2_body_not_object.json", 400, "invalid_body", "got array"),
        ("direct_missing_instances.json", 400, "missing_field", "'instances'"),
        ("direct_instances_not_list.json", 400, "invalid_type", "'instances'"),
        ("direct_instances_empty.json", 400, "empty_instances", "'instances'"),
        ("direct_instance_not_object.json", 400, "invalid_type", "'instances[1]'"),
        ("direct_wrong_type.json", 400, "invalid_value", "'Age'"),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_field(loader, event_file, status, code, names):
    error = error_of(load_event(event_file), loader, status)

    assert error["code"] == code
    assert names in error["message"]


def test_too_many_instances_names_the_limit(loader):
    event = {"instances": [{"Age": 1}] * (MAX_INSTANCES + 1)}

    error = error_of(event, loader, 413)

    assert error["code"] == "too_many_instances"
    assert str(MAX_INSTANCES) in error["message"]


def test_the_limit_itself_is_accepted(loader):
    response, body = answer({"instances": [{"Age": 1, "Pclass": 3, "Sex": "male"}] * MAX_INSTANCES}, loader)

    assert response["statusCode"] == 200
    assert len(body["predictions"]) == MAX_INSTANCES


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_body_over_6_mb_is_refused(loader, base64_encoded):
    body = json.dumps({"instances": [], "padding": "x" * MAX_BODY_BYTES})
    event = load_event("http_api_v2_predict.json")
    event["body"] = base64.b64encode(body.encode()).decode() if base64_encoded else body
    event["isBase64Encoded"] = base64_encoded

    assert error_of(event, loader, 413)["code"] == "payload_too_large"


def test_body_of_multibyte_text_is_measured_in_bytes(loader):
    event = load_event("http_api_v2_predict.json")
    event["body"] = "é" * (MAX_BODY_BYTES // 2 + 1)  # fewer characters than the limit, more bytes

    assert error_of(event, loader, 413)["code"] == "payload_too_large"


def test_event_that_is_not_an_object_is_refused(loader):
    assert error_of([1, 2], loader, 400)["code"] == "invalid_event"


def test_bad_request_is_answered_even_without_a_model():
    class NoModel:
        def current(self) -> LoadedModel:
            raise ModelUnavailable("no_approved_model", "no model version is approved yet")

    assert error_of(load_event("direct_missing_instances.json"), NoModel(), 400)["code"] == "missing_field"
    error = error_of(load_event("direct_sample.json"), NoModel(), 503)
    assert error == {"code": "no_approved_model", "message": "no model version is approved yet"}


def test_unexpected_error_is_a_generic_500_without_a_trace(caplog):
    class Broken:
        def current(self) -> LoadedModel:
            raise RuntimeError("secret internals at /opt/somewhere")

    error = error_of(load_event("http_api_v2_predict.json"), Broken(), 500)

    assert error["code"] == "internal_error"
    assert REQUEST_ID in error["message"]
    assert "secret" not in error["message"] and "Traceback" not in error["message"]
    logged = caplog.records[-1]
    assert logged.request_id == REQUEST_ID
    assert "secret internals" in str(logged.exc_info[1])


def test_lambda_handler_uses_the_module_loader_and_the_context_request_id(loader, monkeypatch):
    class Context:
        aws_request_id = "req-from-lambda"

    monkeypatch.setattr(handler, "LOADER", loader)

    response = handler.lambda_handler(load_event("direct_sample.json"), Context())

    assert response["statusCode"] == 200
