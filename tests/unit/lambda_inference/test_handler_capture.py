"""The capture hook of the handler: fault injection shows a capture failure never changes a response."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from lambda_inference import handler
from lambda_inference.model_loader import ModelLoader
from runtime.monitoring.capture import CaptureBuffer, CaptureSettings
from tests.unit.lambda_inference.fakes import InMemoryRegistry, InMemoryStore, load_event, register

EVENTS = [
    "direct_sample.json",
    "direct_two_passengers.json",
    "http_api_v2_predict.json",
    "direct_wrong_type.json",
]


@pytest.fixture
def loader(archives) -> ModelLoader:
    registry, store = InMemoryRegistry(), InMemoryStore()
    register(registry, store, archives[0])
    return ModelLoader(registry, store)


class BrokenStore:
    def put_bytes(self, data: bytes, uri: str) -> None:
        raise OSError("S3 is down")


def _boom() -> float:
    raise RuntimeError("clock broke")


class ExplodingCapture:
    """A capture whose record itself raises (a bug): the handler still answers as without capture."""

    def record(self, **_: Any) -> None:
        raise RuntimeError("capture bug")

    def end_invocation(self) -> None:
        raise RuntimeError("capture bug")


def _captures(store: object, **overrides: Any) -> CaptureBuffer:
    settings = CaptureSettings(bucket="b", name="titanic", max_records=1, **overrides)
    return CaptureBuffer(settings, lambda: store)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize("event_file", EVENTS)
@pytest.mark.parametrize(
    "make_capture",
    [
        lambda: _captures(BrokenStore()),
        lambda: CaptureBuffer(CaptureSettings(bucket="b", name="t"), InMemoryStore, clock=_boom),
        lambda: CaptureBuffer(CaptureSettings(bucket="b", name="t"), InMemoryStore, sample=_boom),
        lambda: _captures(None),  # opening the store fails (None has no put_bytes)
        ExplodingCapture,
    ],
    ids=["store-down", "clock-raises", "sampler-raises", "no-store", "capture-raises"],
)
def test_capture_failures_never_change_the_response(loader, event_file, make_capture):
    # given the answer without capture
    event = load_event(event_file)
    expected = handler.handle_event(event, loader, "req-1")
    capture = make_capture()
    # when the same event is answered with a failing capture, then flushed
    answered = handler.handle_event(event, loader, "req-1", capture)
    try:
        capture.end_invocation()
    except RuntimeError:
        assert isinstance(capture, ExplodingCapture)  # lambda_handler only ever gets a CaptureBuffer
    # then the response is byte for byte the same, and a failure was counted where one happened
    assert answered == expected
    if isinstance(capture, CaptureBuffer) and expected["statusCode"] == 200:
        capture.flush(timeout=5)
        assert capture.stats["failures"] >= 1


def test_lambda_handler_with_a_broken_store_answers_and_counts(loader, monkeypatch, capsys):
    class Context:
        aws_request_id = "req-lambda"

    capture = _captures(BrokenStore(), wait_seconds=5)
    monkeypatch.setattr(handler, "LOADER", loader)
    monkeypatch.setattr(handler, "CAPTURE", capture)

    response = handler.lambda_handler(load_event("direct_sample.json"), Context())

    assert response["statusCode"] == 200
    assert capture.stats["failures"] == 1 and capture.stats["dropped"] == 1
    metric = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metric["CaptureFailures"] == 1 and metric["Model"] == "titanic"


def test_captured_records_hold_the_inputs_and_the_answer_not_the_body(loader):
    store = InMemoryStore()
    capture = _captures(store)
    event = load_event("http_api_v2_predict.json")
    body = json.loads(event["body"])
    body["instances"][0]["Unrelated"] = "not a model input"
    event["body"] = json.dumps({**body, "allow_unknown_fields": True})

    response = handler.handle_event(event, loader, "req-7", capture)
    capture.end_invocation()

    answer = json.loads(response["body"])
    [(uri, data)] = store.objects.items()
    assert uri.startswith("s3://b/capture/titanic/date=") and uri.endswith(".jsonl.gz")
    rows = [json.loads(line) for line in gzip.decompress(data).splitlines()]
    assert [r["probability"] for r in rows] == answer["probabilities"]
    assert [r["label"] for r in rows] == answer["predictions"]
    assert {r["request_id"] for r in rows} == {"req-7"} and rows[0]["version"] == answer["model_version"]
    assert all("Unrelated" not in r["features"] for r in rows)
    assert rows[0]["features"]["Sex"] == body["instances"][0]["Sex"]
