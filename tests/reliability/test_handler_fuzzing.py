"""Fuzzing the Lambda handler: every generated event gets a well-formed answer, never a 500.

`make test` tries FUZZ_EVENTS events; `make test-long` tries LONG_FUZZ_EVENTS. Both print the figure
quoted in docs/reliability.md.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_inference import handler
from lambda_inference.model_loader import ModelLoader
from tests.integration.serving.conftest import LocalBackend
from tests.reliability.event_strategies import Case, cases

FUZZ_EVENTS = 2_500
LONG_FUZZ_EVENTS = 12_000
# No event may hold a worker for long (a backtracking regex once took minutes on one Name field);
# generous, because a 6 MB body is decoded and this machine is shared.
SLOWEST_EVENT_SECONDS = 2.0


class Context:
    aws_request_id = "fuzz-request"


@pytest.fixture(scope="module")
def no_model(
    model_archives: tuple[bytes, ...], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModelLoader]:
    """Sets up `lambda_handler` as Lambda runs it (module loader from the environment, one approved
    version); yields a second loader over an empty registry, for the no-model answers."""
    home = tmp_path_factory.mktemp("fuzz") / "home"
    LocalBackend(home).register(model_archives[0])
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(home), "MODEL_VERSION": ""}.items():
            patch.setenv(name, value)
        patch.setenv("MODEL_PACKAGE_GROUP", "test-group")
        patch.setattr(handler, "LOADER", handler.DeferredLoader(ModelLoader.from_environment))
        empty = LocalBackend(home.parent / "empty")
        yield ModelLoader(empty.registry, empty.store)


def check_response(case: Case, response: Any, model_served: bool) -> str | None:
    """What is wrong with the answer to `case`, or None when it keeps the contract."""
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        return f"not a response envelope: {response!r:.200}"
    status, body = response["statusCode"], json.loads(response["body"])
    if not isinstance(body, dict) or "Traceback" in response["body"]:
        return f"body is not a JSON object without a trace: {response['body']:.200}"
    if status == 200:
        predictions, probabilities = body["predictions"], body["probabilities"]
        if len(predictions) != len(probabilities) or not all(0 <= p <= 1 for p in probabilities):
            return f"inconsistent prediction: {body}"
        if not model_served:
            return "200 without a model"
        return None
    if set(body) != {"error"} or not {"code", "message"} <= set(body["error"]):
        return f"error body without code and message: {body}"
    if case.valid:
        expected = 200 if model_served else 503
        return None if status == expected else f"valid request answered {status}: {body}"
    allowed = 400 <= status < 500 or (status == 503 and not model_served)
    return None if allowed else f"invalid request answered {status}: {body}"


def fuzz(events: int, no_model: ModelLoader) -> tuple[Counter[str], float]:
    """Run `events` generated events; returns the tally and the slowest handler call in seconds."""
    tally: Counter[str] = Counter()
    slowest = [0.0]

    @settings(
        max_examples=events,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, model_served=st.booleans())
    def one_event(case: Case, model_served: bool) -> None:
        tally["events"] += 1
        tally[f"shape {case.shape}"] += 1
        started = time.perf_counter()
        try:
            if model_served:
                response = handler.lambda_handler(case.event, Context())
            else:
                response = handler.handle_event(case.event, no_model, "fuzz-request")
        except Exception:
            tally["unhandled exceptions"] += 1
            raise
        slowest[0] = max(slowest[0], time.perf_counter() - started)
        tally[f"status {response['statusCode']}"] += 1
        problem = check_response(case, response, model_served)
        if problem:
            tally["contract violations"] += 1
        assert problem is None, problem

    one_event()
    return tally, slowest[0]


def report(tally: Counter[str], slowest: float) -> None:
    line = (
        f"handler fuzzing: {tally['events']} events, {tally['unhandled exceptions']} unhandled exceptions, "
        f"slowest event {slowest * 1000:.0f} ms, "
        f"{tally['contract violations']} answers outside the contract (500s included); "
        + ", ".join(f"{key}: {tally[key]}" for key in sorted(tally) if key.startswith(("status", "shape")))
    )
    print(line)


@pytest.mark.slow
def test_fuzzed_events_always_get_a_contract_answer(no_model: ModelLoader) -> None:
    tally, slowest = fuzz(FUZZ_EVENTS, no_model)
    report(tally, slowest)
    assert tally["events"] >= FUZZ_EVENTS * 0.9  # Hypothesis may stop early only when it runs out of data
    assert tally["status 500"] == 0
    assert slowest < SLOWEST_EVENT_SECONDS
    assert tally["status 200"] > 0 and tally["status 503"] > 0 and tally["status 400"] > 0


@pytest.mark.long
def test_fuzzed_events_at_full_count(no_model: ModelLoader) -> None:
    tally, slowest = fuzz(LONG_FUZZ_EVENTS, no_model)
    report(tally, slowest)
    assert tally["events"] >= 10_000
    assert tally["status 500"] == 0
    assert slowest < SLOWEST_EVENT_SECONDS
