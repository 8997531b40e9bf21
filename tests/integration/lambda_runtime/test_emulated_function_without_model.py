"""The serving image under the real Lambda runtime before any model is approved: 503, then live on approval.

Same emulator and runtime as test_emulated_function.py (evidence there); a store with no approved version.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.emulator import RuntimeEmulator, dockerfile_handler
from tests.integration.lambda_runtime.conftest import REFRESH_SECONDS, empty_backend, function_environment
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import load_event

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    return empty_backend(tmp_path_factory)


@pytest.fixture(scope="module")
def emulator(lambda_bundle: Path, backend: LocalBackend) -> Iterator[RuntimeEmulator]:
    with RuntimeEmulator(lambda_bundle, dockerfile_handler(), function_environment(backend.home)) as running:
        yield running


def wait_for_status(emulator: RuntimeEmulator, event: object, status: int) -> dict[str, object]:
    deadline = time.monotonic() + 20 * REFRESH_SECONDS + 5
    while True:
        _, envelope = emulator.invoke(event)
        if envelope.get("statusCode") == status or time.monotonic() > deadline:
            return dict(envelope)
        time.sleep(REFRESH_SECONDS / 2)


def test_no_model_answers_503_until_a_version_is_approved_then_serves_it(emulator, backend, model_archive):
    direct, http = load_event("direct_sample.json"), load_event("http_api_v2_predict.json")

    # given: no approved version (a pending one does not count)
    backend.register(model_archive, status="PendingManualApproval")
    for event in (direct, http):
        status, envelope = emulator.invoke(event)
        assert status == 200 and "errorType" not in envelope
        assert envelope["statusCode"] == 503
        assert json.loads(envelope["body"])["error"]["code"] == "no_approved_model"
    # the init phase survived the missing model: the same runtime process answers every event
    assert emulator.log().count("INIT START") == 1

    # when: a version is approved, without restarting the function
    backend.register(model_archive)

    # then
    envelope = wait_for_status(emulator, direct, 200)
    assert envelope["statusCode"] == 200
    assert json.loads(str(envelope["body"]))["model_version"] == "2"
